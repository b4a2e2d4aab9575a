"""The Provider Membership List (PCP roster), kept ready to page.

A member attributed to a PCP has one row in each view it belongs to: the PCP's
(``PCP#<provider id>``), the PCP's group's (``TAX#<tax id>``), and the same two per
program (``...#PROGRAM#<program>``), each sorted by last name then first name. Each view
has a ``COUNT`` row, changed in the same transaction as its rows, so a page is one Query
and the record count one GetItem whatever the roster's size.
"""

from __future__ import annotations

import re

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model

from chalicelib.members.names import normalize_name
from chalicelib.models.base import TableMeta, table_name
from chalicelib.models.members import AlertAttribute

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
