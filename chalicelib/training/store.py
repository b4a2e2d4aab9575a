"""Attestations: per user, the latest per module (what every page's banner reads) and every one ever made.

``LATEST#<module>`` is overwritten by each attestation; ``HISTORY#<module>#<when>`` is written once,
never changed: who attested which version of what, and when, acting for which provider.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.platform.dynamo.base import TableMeta, table_name

LATEST = "LATEST#"
HISTORY = "HISTORY#"


class AttestationModel(Model):
    class Meta(TableMeta):
        table_name = table_name("training")

    username = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)
    module_id = UnicodeAttribute()
    version = UnicodeAttribute()
    completed_at = UTCDateTimeAttribute()
    provider_id = UnicodeAttribute(null=True)
    tax_id = UnicodeAttribute(null=True)


def latest_key(module_id: str) -> str:
    return f"{LATEST}{module_id}"


def history_key(module_id: str, completed_at_iso: str) -> str:
    return f"{HISTORY}{module_id}#{completed_at_iso}"


def latest_of(username: str) -> list[AttestationModel]:
    """One Query: the user's latest attestation of each module (at most one row per module)."""
    return list(AttestationModel.query(username, AttestationModel.record_key.startswith(LATEST)))


def latest_of_many(usernames: list[str], module_ids: list[str]) -> list[AttestationModel]:
    """BatchGetItem of each user's latest per module (the office's page of users)."""
    keys = [(username, latest_key(module_id)) for username in usernames for module_id in module_ids]
    return list(AttestationModel.batch_get(keys)) if keys else []
