"""Clinical Practice Registry: preventive-care measures per member, their colors, and the filters."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from itertools import islice
from typing import TYPE_CHECKING

from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry
from chalicelib.members.eligibility import current_program
from chalicelib.members.service import coverage_spans
from chalicelib.messages.service import portals
from chalicelib.platform.access import Principal
from chalicelib.platform.dynamo.paging import decode_page_token, encode_page_token
from chalicelib.platform.dynamo.writes import Missing
from chalicelib.platform.errors import ValidationFailed
from chalicelib.reports.roster import RosterScope, view_count
from chalicelib.reports.store import (
    FACET_SEPARATOR,
    SUMMARY_SORT_KEY,
    RegistryRowModel,
    RegistrySummaryModel,
    facet_partition,
    facets_of,
    group_view,
    member_sort_key,
    provider_view,
    registry_partition,
    summary_partition,
)

if TYPE_CHECKING:
    from chalicelib.members.store import MemberModel


class Color(StrEnum):
    GREEN = "GREEN"
    YELLOW = "YELLOW"
    RED = "RED"
    GRAY = "GRAY"


LEGEND: dict[Color, str] = {
    Color.GREEN: "Service Rendered",
    Color.YELLOW: "Service Needed",
    Color.RED: "Service Past Due",
    Color.GRAY: "Service N/A",
}


class PatientStatus(StrEnum):
    ESTABLISHED = "ESTABLISHED"
    NEW = "NEW"


class EnrollmentStatus(StrEnum):
    CONTINUOUS = "CONTINUOUS"
    RECENT = "RECENT"


@dataclass(frozen=True)
class Measure:
    """A preventive-care measure and whom it applies to; everyone else is Gray for it."""

    code: str
    name: str
    description: str
    min_age: int
    max_age: int
    gender: str | None = None
    condition: str | None = None

    def applies(self, age: int, gender: str, conditions: frozenset[str]) -> bool:
        if not self.min_age <= age <= self.max_age:
            return False
        if self.gender and gender != self.gender:
            return False
        return self.condition is None or self.condition in conditions


MEASURES: tuple[Measure, ...] = (
    Measure("AAP", "Adult Access", "Adults 20 and older with an ambulatory or preventive care visit this year.",
            20, 120),
    Measure("AMR", "Asthma Control", "Members 5 to 64 with persistent asthma whose controller-to-total medication "
            "ratio is 0.50 or more.", 5, 64, condition="asthma"),
    Measure("PBH", "Beta Blockers", "Adults hospitalized for a heart attack who received beta-blocker treatment "
            "for six months after discharge.", 18, 120, condition="heart_attack"),
    Measure("W30", "Well-Child Visits", "Children in their first 30 months with the recommended well-child "
            "visits.", 0, 2),
    Measure("BCS", "Breast Cancer Screening", "Women 50 to 74 with a mammogram in the last two years.", 50, 74,
            gender="F"),
    Measure("HBD", "Diabetes HbA1c", "Members 18 to 75 with diabetes whose most recent HbA1c is under control.",
            18, 75, condition="diabetes"),
)
MEASURE_CODES = frozenset(measure.code for measure in MEASURES)


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def statuses_for(member: MemberModel, as_of: date, conditions: frozenset[str],
                 applicable_colors: Mapping[str, Color]) -> dict[str, Color]:
    """Every measure's color: the feed's color where the measure applies, Gray where it does not."""
    age = age_on(date.fromisoformat(member.birth_date), as_of)
    return {
        measure.code: applicable_colors.get(measure.code, Color.YELLOW)
        if measure.applies(age, member.gender, conditions) else Color.GRAY
        for measure in MEASURES
    }


def patient_status(member: MemberModel, as_of: date) -> PatientStatus:
    """New when the member's coverage began in the last six months."""
    spans = coverage_spans(member)
    first = min((span.start for span in spans), default=as_of)
    return PatientStatus.NEW if (as_of - first).days < 183 else PatientStatus.ESTABLISHED


def enrollment_status(member: MemberModel, as_of: date) -> EnrollmentStatus:
    """Continuous when one span has covered the last twelve months without a gap."""
    for span in coverage_spans(member):
        if span.covers(as_of) and (as_of - span.start).days >= 365:
            return EnrollmentStatus.CONTINUOUS
    return EnrollmentStatus.RECENT


def rows_for(member: MemberModel, statuses: Mapping[str, Color], as_of: date) -> list[RegistryRowModel]:
    """The member's rows in every partition a filter can ask for, in the PCP's and the group's views."""
    if not member.pcp_provider_id or not member.pcp_tax_id:
        return []
    partitions: list[str] = []
    for view in (provider_view(member.pcp_provider_id), group_view(member.pcp_tax_id)):
        partitions.append(registry_partition(view))
        for code, color in statuses.items():
            if color != Color.GRAY:
                partitions += [registry_partition(view, code), registry_partition(view, code, color)]
        partitions += [registry_partition(view, color=color) for color in sorted(set(statuses.values()))]
    program = current_program(coverage_spans(member))
    patient, enrollment = patient_status(member, as_of).value, enrollment_status(member, as_of).value
    facets = facets_of(member.state, program, patient, enrollment)
    return [
        RegistryRowModel(
            registry_key=facet_partition(partition, facets),
            sort_key=member_sort_key(member.last_name, member.first_name, member.member_id),
            member_id=member.member_id, first_name=member.first_name, last_name=member.last_name,
            birth_date=member.birth_date, gender=member.gender, state=member.state, program=program,
            patient_status=patient, enrollment_status=enrollment,
            pcp_provider_id=member.pcp_provider_id, statuses={code: color.value for code, color in statuses.items()},
        )
        for partition in partitions
    ]


def bulk_load(scored: Iterable[tuple[MemberModel, Mapping[str, Color]]], as_of: date) -> int:
    """Load one registry version: every row, and each view's summary of counts per measure and color."""
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    facets: dict[str, set[str]] = defaultdict(set)
    written = 0
    with RegistryRowModel.batch_write() as batch:
        for member, statuses in scored:
            rows = rows_for(member, statuses, as_of)
            for row in rows:
                batch.save(row)
                written += 1
            if rows:
                held = facets_of(rows[0].state, rows[0].program, rows[0].patient_status, rows[0].enrollment_status)
                for view in (provider_view(member.pcp_provider_id), group_view(member.pcp_tax_id)):
                    facets[view].add(held)
                    for code, color in statuses.items():
                        counts[view][code][color.value] += 1
    with RegistrySummaryModel.batch_write() as batch:
        for view, by_measure in counts.items():
            batch.save(RegistrySummaryModel(registry_key=summary_partition(view), as_of=as_of.isoformat(),
                                            counts={code: dict(colors) for code, colors in by_measure.items()},
                                            facets=sorted(facets[view])))
    return written


@dataclass(frozen=True)
class RegistryFilters:
    measure: str | None = None
    criteria: Color | None = None
    states: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    patient_status: PatientStatus | None = None
    enrollment_status: EnrollmentStatus | None = None

    def allows(self, facets: str) -> bool:
        """Whether a facet combination (``facets_of``) is one this filter asks for."""
        state, program, patient, enrollment = facets.split(FACET_SEPARATOR)[:4]
        return ((not self.states or state in self.states)
                and (not self.plans or program in {plan.replace(FACET_SEPARATOR, "/") for plan in self.plans})
                and (not self.patient_status or patient == self.patient_status.value)
                and (not self.enrollment_status or enrollment == self.enrollment_status.value))

    def check(self, scope: RosterScope) -> None:
        """Every enumerated filter names a known value, or a 400 naming each field that does not.

        Checked before any Query, so a value nothing can match answers at once instead of reading the
        partition for nothing. A plan is checked against the roster's programs (the view's count row:
        one GetItem, only when plans are asked for).
        """
        problems: dict[str, str] = {}
        if self.measure is not None and self.measure not in MEASURE_CODES:
            problems["measure"] = "is not a measure; see /reports/registry/measures"
        if any(state not in STATE_NAMES for state in self.states):
            problems["state"] = "is not a state of the plan: one of " + ", ".join(sorted(STATE_NAMES))
        if self.plans:
            programs = set(view_count(scope.view()).programs or ())
            if any(plan not in programs for plan in self.plans):
                problems["plans"] = "is not a plan on this roster; see the Provider Membership List's programs"
        if problems:
            raise ValidationFailed(fields=problems)


STATE_NAMES = frozenset(portal.name for portal in portals())
"""The plan's states: the only values the state filter can match."""


@dataclass(frozen=True)
class RegistryPage:
    items: list[RegistryRowModel]
    next_token: str | None


def page(principal: Principal, scope: RosterScope, filters: RegistryFilters, limit: int, token: str | None,
         *, now: datetime) -> RegistryPage:
    """A page of the partition the measure and criteria pick, in name order, every filter served by a key.

    The partition is split by facets (state, plan, patient and enrollment status): the page merges, in name order,
    the split partitions of the combinations the view holds (its summary row lists them) and the filter allows
    (none: no Query at all), each read from where the last page stopped, a few rows at a time, until ``limit`` + 1
    rows (the one more says whether more exist). What it reads is bounded by the page and the number of
    combinations, never by the partition, and every row read is one the filter asked for.
    """
    filters.check(scope)
    partition = registry_partition(scope.view(), filters.measure, filters.criteria.value if filters.criteria else None)
    start = decode_page_token(token, {"registry_key": partition})
    after = (start or {}).get("sort_key", {}).get("S")
    held = summary(scope)
    combinations = [facets for facets in (held.facets if held is not None else []) if filters.allows(facets)]
    chunk = max(2, (limit + 1) // max(1, len(combinations)) + 1)
    streams = [_rows(facet_partition(partition, facets), after if isinstance(after, str) else None, chunk)
               for facets in combinations]
    found = list(islice(heapq.merge(*streams, key=lambda row: row.sort_key), limit + 1))
    items, more = found[:limit], len(found) > limit
    trail.record_many(principal, (
        AuditEntry(item.member_id, AuditAction.REGISTRY_VIEWED, scope.provider_id, f"registry={partition}")
        for item in items
    ), now)
    last = {"registry_key": {"S": partition}, "sort_key": {"S": items[-1].sort_key}} if more else None
    return RegistryPage(items, encode_page_token(last))


def _rows(partition: str, after: str | None, chunk: int) -> Iterator[RegistryRowModel]:
    """The partition's rows after ``after`` in name order, fetched ``chunk`` at a time as the merge asks for them."""
    condition = RegistryRowModel.sort_key > after if after is not None else None
    return iter(RegistryRowModel.query(partition, range_key_condition=condition, page_size=chunk))


def summary(scope: RosterScope) -> RegistrySummaryModel | None:
    try:
        return RegistrySummaryModel.get(summary_partition(scope.view()), SUMMARY_SORT_KEY)
    except Missing:
        return None
