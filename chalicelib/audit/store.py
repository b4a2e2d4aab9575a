"""The audit trail: who (and who viewed as them), acting for which provider, did what to which member, when.

Kept per member (the table's key) and per user (an index); never expires.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.platform.dynamo.base import TableMeta, table_name


def audit_sort_key(occurred_at: str, event_id: str) -> str:
    return f"{occurred_at}#{event_id}"


def member_start_key(event: AuditEventModel) -> dict[str, Any]:
    """Where a Query of the member's trail resumes after ``event`` (DynamoDB's LastEvaluatedKey for the table)."""
    return {"member_id": {"S": event.member_id}, "occurred_key": {"S": event.occurred_key}}


def user_start_key(event: AuditEventModel) -> dict[str, Any]:
    """Where a Query of the user index resumes after ``event`` (an index's LastEvaluatedKey holds both keys)."""
    return {**member_start_key(event), "username": {"S": event.username}}


class AuditByUser(GlobalSecondaryIndex["AuditEventModel"]):
    class Meta:
        index_name = "username-index"
        projection = AllProjection()

    username = UnicodeAttribute(hash_key=True)
    occurred_key = UnicodeAttribute(range_key=True)


class AuditEventModel(Model):
    class Meta(TableMeta):
        table_name = table_name("audit")

    member_id = UnicodeAttribute(hash_key=True)
    occurred_key = UnicodeAttribute(range_key=True)
    event_id = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    username = UnicodeAttribute()
    role = UnicodeAttribute()
    acting_for_provider_id = UnicodeAttribute(null=True)
    action = UnicodeAttribute()
    detail = UnicodeAttribute(null=True)
    correlation_id = UnicodeAttribute(null=True)
    client_address = UnicodeAttribute(null=True)
    """Where the request came from (API Gateway's source address) and its browser, when the record keeps them
    (sign-ins)."""
    user_agent = UnicodeAttribute(null=True)
    impersonated_by = UnicodeAttribute(null=True)
    """Who viewed the portal as ``username`` when the record was made (Impersonate User); none otherwise."""

    by_user = AuditByUser()
