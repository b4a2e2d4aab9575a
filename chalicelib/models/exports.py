"""Member list export jobs and the subscriptions that schedule them."""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.models.base import TableMeta, table_name

EXPORTS_PREFIX = "exports/"
ACTIVE = "ACTIVE"


class ExportStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class Frequency(StrEnum):
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


def export_key(export_id: str) -> str:
    return f"{EXPORTS_PREFIX}{export_id}/member-list.csv"


class ExportsByTaxId(GlobalSecondaryIndex["ExportJobModel"]):
    class Meta:
        index_name = "tax-id-index"
        projection = AllProjection()

    tax_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class ExportJobModel(Model):
    class Meta(TableMeta):
        table_name = table_name("exports")

    export_id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    requested_by = UnicodeAttribute()
    requester_role = UnicodeAttribute()
    provider_id = UnicodeAttribute()
    tax_id = UnicodeAttribute()
    roster_key = UnicodeAttribute()
    scope_label = UnicodeAttribute()
    subscription_id = UnicodeAttribute(null=True)
    s3_key = UnicodeAttribute(null=True)
    rows = NumberAttribute(default=0)
    size_bytes = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    created_key = UnicodeAttribute()
    started_at = UTCDateTimeAttribute(null=True)
    completed_at = UTCDateTimeAttribute(null=True)
    available_until = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute(null=True)

    by_tax_id = ExportsByTaxId()


class SubscriptionsDue(GlobalSecondaryIndex["ExportSubscriptionModel"]):
    class Meta:
        index_name = "due-index"
        projection = AllProjection()

    active = UnicodeAttribute(hash_key=True)
    next_run_at = UnicodeAttribute(range_key=True)


class SubscriptionsByTaxId(GlobalSecondaryIndex["ExportSubscriptionModel"]):
    class Meta:
        index_name = "tax-id-index"
        projection = AllProjection()

    tax_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class ExportSubscriptionModel(Model):
    class Meta(TableMeta):
        table_name = table_name("export-subscriptions")

    subscription_id = UnicodeAttribute(hash_key=True)
    active = UnicodeAttribute(null=True)
    frequency = UnicodeAttribute()
    requested_by = UnicodeAttribute()
    requester_role = UnicodeAttribute()
    provider_id = UnicodeAttribute()
    tax_id = UnicodeAttribute()
    roster_key = UnicodeAttribute()
    scope_label = UnicodeAttribute()
    next_run_at = UnicodeAttribute(null=True)
    last_export_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_key = UnicodeAttribute()

    due = SubscriptionsDue()
    by_tax_id = SubscriptionsByTaxId()
