"""One-time tokens (activation, password reset), keyed by the token's SHA-256."""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.models.base import TableMeta, table_name


class TokenPurpose(StrEnum):
    ACTIVATION = "ACTIVATION"
    PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105 (a purpose, not a secret)


class OneTimeTokenModel(Model):
    class Meta(TableMeta):
        table_name = table_name("tokens")

    token_hash = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()
    username = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = TTLAttribute()
