"""The Provider Membership List (PCP roster), kept ready to page.

A member attributed to a PCP has one row in each view it belongs to: the PCP's
(``PCP#<provider id>``), the PCP's group's (``TAX#<tax id>``), and the same two per
program (``...#PROGRAM#<program>``), each sorted by last name then first name. Each view
has a ``COUNT`` row, changed in the same transaction as its rows, so a page is one Query
and the record count one GetItem whatever the roster's size.
"""

from __future__ import annotations

import re

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.members.names import normalize_name
from chalicelib.members.store import AlertAttribute
from chalicelib.platform.dynamo.base import TableMeta, table_name

COUNT_SORT_KEY = "COUNT"
MEMBER_SORT_PREFIX = "M#"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def program_slug(program: str) -> str:
    return _NOT_SLUG.sub("-", normalize_name(program)).strip("-")


def provider_view(provider_id: str, program: str | None = None) -> str:
    return f"PCP#{provider_id}" + (f"#PROGRAM#{program_slug(program)}" if program else "")


def group_view(tax_id: str, program: str | None = None) -> str:
    return f"TAX#{tax_id}" + (f"#PROGRAM#{program_slug(program)}" if program else "")


def member_sort_key(last_name: str, first_name: str, member_id: str) -> str:
    return f"{MEMBER_SORT_PREFIX}{normalize_name(last_name)}#{normalize_name(first_name)}#{member_id}"


class RosterEntryModel(Model):
    class Meta(TableMeta):
        table_name = table_name("roster")

    roster_key = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)
    member_id = UnicodeAttribute()
    medicaid_id = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    gender = UnicodeAttribute()
    birth_date = UnicodeAttribute()
    language = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    program = UnicodeAttribute(null=True)
    pcp_provider_id = UnicodeAttribute()
    pcp_name = UnicodeAttribute(null=True)
    alerts = ListAttribute(of=AlertAttribute, default=list)


class RosterCountModel(Model):
    """The record count of one view, and (on the unfiltered views) the programs present."""

    class Meta(TableMeta):
        table_name = table_name("roster")

    roster_key = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True, default=COUNT_SORT_KEY)
    members = NumberAttribute(default=0)
    programs = UnicodeSetAttribute(null=True)


# The Clinical Practice Registry (gaps in care), kept ready to filter by key.
#
# For each roster view (a PCP's, a group's) a member has a row under ``<view>#ALL``, one
# under ``<view>#M#<measure>`` per measure that applies to them, one under
# ``<view>#M#<measure>#C#<color>`` and one under ``<view>#C#<color>`` per color they show: every
# measure/criteria choice of the seed page is one partition, so a page is one Query. A
# ``SUMMARY`` row per view holds the counts per measure and color, computed when the
# registry is loaded (the registry is a periodic feed, not live data).
#
# Each of those partitions is split by the member's facets (state, plan, patient status,
# enrollment status): a row's key is ``<partition>#F#<facets>``, sorted by name. The summary
# row lists the facet combinations the view holds, so the state, plan and status filters pick
# partitions, never a FilterExpression: a page merges, in name order, the partitions of the
# combinations the filter allows (all of them without one), reading each from where the last
# page stopped, a few rows at a time.
#
SUMMARY_SORT_KEY = "SUMMARY"
FACET_SEPARATOR = "|"
NO_PROGRAM = "-"


def facets_of(state: str, program: str | None, patient_status: str, enrollment_status: str) -> str:
    """A member's facet combination (a ``|`` in a value is replaced)."""
    values = (state, program or NO_PROGRAM, patient_status, enrollment_status)
    return FACET_SEPARATOR.join(value.replace(FACET_SEPARATOR, "/") for value in values)


def facet_partition(partition: str, facets: str) -> str:
    return f"{partition}#F#{facets}"


def registry_partition(view: str, measure: str | None = None, color: str | None = None) -> str:
    if measure and color:
        return f"{view}#M#{measure}#C#{color}"
    if measure:
        return f"{view}#M#{measure}"
    if color:
        return f"{view}#C#{color}"
    return f"{view}#ALL"


def summary_partition(view: str) -> str:
    return f"{view}#SUMMARY"


class RegistryRowModel(Model):
    class Meta(TableMeta):
        table_name = table_name("registry")

    registry_key = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)
    member_id = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    birth_date = UnicodeAttribute()
    gender = UnicodeAttribute()
    state = UnicodeAttribute()
    program = UnicodeAttribute(null=True)
    patient_status = UnicodeAttribute()
    enrollment_status = UnicodeAttribute()
    pcp_provider_id = UnicodeAttribute()
    statuses = MapAttribute[str, str](default=dict)


class RegistrySummaryModel(Model):
    class Meta(TableMeta):
        table_name = table_name("registry")

    registry_key = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True, default=SUMMARY_SORT_KEY)
    as_of = UnicodeAttribute()
    counts = JSONAttribute(default=dict)
    facets = ListAttribute(of=UnicodeAttribute, default=list)
    """Every facet combination (``facets_of``) the view's members hold: the partitions a page may read."""


# Member list export jobs and the subscriptions that schedule them.
EXPORTS_PREFIX = "exports/"
ACTIVE = "ACTIVE"






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
