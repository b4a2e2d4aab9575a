"""Login sessions, keyed by the SHA-256 of the opaque token the client holds."""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.models.base import TableMeta, table_name


class SessionsByUsername(GlobalSecondaryIndex["SessionModel"]):
    class Meta:
        index_name = "username-index"
        projection = KeysOnlyProjection()

    username = UnicodeAttribute(hash_key=True)


class SessionModel(Model):
    class Meta(TableMeta):
        table_name = table_name("sessions")

    token_hash = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    role = UnicodeAttribute()
    provider_type = UnicodeAttribute(null=True)
    provider_ids = ListAttribute(of=UnicodeAttribute, default=list)
    tax_ids = ListAttribute(of=UnicodeAttribute, default=list)
    states = ListAttribute(of=UnicodeAttribute, default=list)
    home_provider_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    last_seen_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = TTLAttribute()

    by_username = SessionsByUsername()
