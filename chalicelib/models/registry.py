"""The Clinical Practice Registry (gaps in care), kept ready to filter by key.

For each roster view (a PCP's, a group's) a member has a row under ``<view>#ALL``, one
under ``<view>#M#<measure>`` per measure that applies to them, one under
``<view>#M#<measure>#C#<color>`` and one under ``<view>#C#<color>`` per color they show: every
measure/criteria choice of the seed page is one partition, so a page is one Query. A
``SUMMARY`` row per view holds the counts per measure and color, computed when the
registry is loaded (the registry is a periodic feed, not live data).
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, MapAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.models.base import TableMeta, table_name

SUMMARY_SORT_KEY = "SUMMARY"


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
