"""Provider Membership List: which roster a user may see, a page of it, and keeping it current."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry
from chalicelib.members.eligibility import current_program
from chalicelib.members.service import coverage_spans, save_in
from chalicelib.platform.access import Principal
from chalicelib.platform.dynamo.paging import decode_page_token, encode_page_token
from chalicelib.platform.dynamo.writes import Missing, transaction
from chalicelib.platform.errors import ValidationFailed
from chalicelib.providers import service as providers
from chalicelib.reports.store import (
    COUNT_SORT_KEY,
    MEMBER_SORT_PREFIX,
    RosterCountModel,
    RosterEntryModel,
    group_view,
    member_sort_key,
    provider_view,
)

if TYPE_CHECKING:
    from chalicelib.members.store import MemberModel

@dataclass(frozen=True)
class RosterScope:
    """The roster of one practitioner, or of a whole group (every PCP under its Tax ID)."""

    provider_id: str
    tax_id: str
    label: str
    whole_group: bool

    def view(self, program: str | None = None) -> str:
        return group_view(self.tax_id, program) if self.whole_group else provider_view(self.provider_id, program)


@dataclass(frozen=True)
class RosterPage:
    scope: RosterScope
    items: list[RosterEntryModel]
    count: int
    next_token: str | None
    programs: list[str]


def resolve_scope(principal: Principal, provider_id: str | None) -> RosterScope:
    """A group account sees any of its providers or the whole group (its own provider ID); others 404."""
    chosen = provider_id or principal.home_provider_id
    if chosen is None:
        raise ValidationFailed(fields={"providerId": "is required: name the provider whose roster you want"})
    provider = providers.acting_for(principal, chosen)
    return RosterScope(
        provider_id=provider.provider_id,
        tax_id=provider.tax_id,
        label=f"{provider.display_name} - {provider.provider_id}",
        whole_group=provider.is_group,
    )


def view_count(view: str) -> RosterCountModel:
    try:
        return RosterCountModel.get(view, COUNT_SORT_KEY)
    except Missing:
        return RosterCountModel(roster_key=view, members=0)


def page(principal: Principal, scope: RosterScope, program: str | None, limit: int, token: str | None,
         *, now: datetime, descending: bool = False) -> RosterPage:
    """One page, sorted by last name (A to Z, or Z to A when ``descending``: the same key read backwards):
    one Query, plus one read of the maintained count."""
    base = view_count(scope.view())
    programs = sorted(base.programs or ())
    if program is not None and program not in programs:
        raise ValidationFailed(fields={"program": "is not a program on this roster; see 'programs'"})
    view = scope.view(program)
    counted = view_count(view) if program else base
    start = decode_page_token(token, {"roster_key": view})
    results = RosterEntryModel.query(view, RosterEntryModel.sort_key.startswith(MEMBER_SORT_PREFIX), limit=limit,
                                     last_evaluated_key=start, scan_index_forward=not descending)
    items = list(results)
    trail.record_many(principal, (
        AuditEntry(item.member_id, AuditAction.ROSTER_VIEWED, scope.provider_id, f"roster={view}") for item in items
    ), now)
    return RosterPage(scope, items, int(counted.members), encode_page_token(results.last_evaluated_key), programs)


def entries_for(member: MemberModel) -> list[RosterEntryModel]:
    """The member's rows in every view it belongs to (none without a PCP)."""
    if not member.pcp_provider_id or not member.pcp_tax_id:
        return []
    program = current_program(coverage_spans(member))
    views = [provider_view(member.pcp_provider_id), group_view(member.pcp_tax_id)]
    if program:
        views += [provider_view(member.pcp_provider_id, program), group_view(member.pcp_tax_id, program)]
    return [
        RosterEntryModel(
            roster_key=view, sort_key=member_sort_key(member.last_name, member.first_name, member.member_id),
            member_id=member.member_id, medicaid_id=member.medicaid_id, first_name=member.first_name,
            last_name=member.last_name, gender=member.gender, birth_date=member.birth_date,
            language=member.language, phone=member.phone, program=program, pcp_provider_id=member.pcp_provider_id,
            pcp_name=member.pcp_name, alerts=list(member.alerts or []),
        )
        for view in views
    ]


def attribute(member: MemberModel) -> None:
    """Add a newly attributed member to its views and their counts, all or nothing."""
    entries = entries_for(member)
    program = entries[0].program if entries else None
    with transaction() as writes:
        save_in(writes, member)
        for entry in entries:
            writes.save(entry, condition=RosterEntryModel.sort_key.does_not_exist())
            actions = [RosterCountModel.members.add(1)]
            if program and "#PROGRAM#" not in entry.roster_key:
                actions.append(RosterCountModel.programs.add({program}))
            writes.update(RosterCountModel(roster_key=entry.roster_key, sort_key=COUNT_SORT_KEY), actions=actions)


def bulk_load(members: Iterable[MemberModel], on_member: Callable[[MemberModel], None] | None = None) -> int:
    """Write every member's rows and the views' counts, computed once (for loading a roster wholesale)."""
    counts: dict[str, int] = defaultdict(int)
    programs: dict[str, set[str]] = defaultdict(set)
    with RosterEntryModel.batch_write() as batch:
        for member in members:
            if on_member is not None:
                on_member(member)
            for entry in entries_for(member):
                batch.save(entry)
                counts[entry.roster_key] += 1
                if entry.program and "#PROGRAM#" not in entry.roster_key:
                    programs[entry.roster_key].add(entry.program)
    with RosterCountModel.batch_write() as batch:
        for view, members_in_view in counts.items():
            batch.save(RosterCountModel(roster_key=view, members=members_in_view, programs=programs.get(view) or None))
    return sum(counts.values())
