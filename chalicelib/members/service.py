"""Finding members and answering eligibility, with the audit record every answer writes.

Each lookup is one GetItem or one Query on an index, whatever the table's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry
from chalicelib.members.eligibility import (
    CoverageSpan,
    Eligibility,
    OtherCoverage,
    eligibility_on,
    service_date_problem,
)
from chalicelib.members.names import name_search_key
from chalicelib.members.store import MemberModel
from chalicelib.platform import metrics
from chalicelib.platform.access import Principal, scope_of
from chalicelib.platform.clock import Clock
from chalicelib.platform.config import Settings
from chalicelib.platform.dynamo.writes import Missing, Transaction
from chalicelib.platform.errors import MemberNotFound, MultipleMembersMatch, ValidationFailed
from chalicelib.platform.security import withheld
from chalicelib.providers import service as providers


@dataclass(frozen=True)
class MemberLookup:
    """Exactly one way to name a member: plan member ID, Medicaid ID, or name and birth date."""

    member_id: str | None = None
    medicaid_id: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    birth_date: date | None = None

    def describe(self) -> str:
        if self.member_id:
            return "member ID"
        if self.medicaid_id:
            return "Medicaid ID"
        return "name and birth date"


@dataclass(frozen=True)
class EligibilityAnswer:
    member: MemberModel
    date_of_service: date
    eligibility: Eligibility
    spans: tuple[CoverageSpan, ...]
    acting_for_provider_id: str | None


def coverage_spans(member: MemberModel) -> tuple[CoverageSpan, ...]:
    return tuple(
        CoverageSpan(date.fromisoformat(span.start), date.fromisoformat(span.end) if span.end else None,
                     span.program, span.plan_type)
        for span in member.coverage
    )


def other_coverage(member: MemberModel) -> tuple[OtherCoverage, ...]:
    return tuple(
        OtherCoverage(other.payer, other.policy_number, other.coverage_type, other.order,
                      date.fromisoformat(other.start), date.fromisoformat(other.end) if other.end else None)
        for other in member.other_insurance
    )


class MemberService:
    def __init__(self, settings: Settings, *, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        self._zone = settings.plan_zone

    def today(self) -> date:
        """Today where the plan's offices are, not in UTC (an evening check is not 'tomorrow')."""
        return self._clock().astimezone(self._zone).date()

    def check_service_date(self, day: date, field: str = "dateOfService") -> None:
        problem = service_date_problem(day, self.today(), self._settings.eligibility_lookback_months)
        if problem:
            raise ValidationFailed(fields={field: problem})

    def acting_provider(self, principal: Principal, provider_id: str | None) -> str | None:
        """The provider the user acts for in this request: its own unless it names another it may act for."""
        if provider_id is None or provider_id == principal.home_provider_id:
            return principal.home_provider_id
        if provider_id in principal.provider_ids:
            return provider_id
        return providers.acting_for(principal, provider_id).provider_id

    def find_by_id(self, principal: Principal, member_id: str) -> MemberModel:
        return self.find(principal, MemberLookup(member_id=member_id))

    def find(self, principal: Principal, lookup: MemberLookup) -> MemberModel:
        member = self._lookup(lookup)
        if member is None:
            raise MemberNotFound()
        if not principal.may_see_state(member.state):
            raise withheld(principal, MemberNotFound())
        return member

    @staticmethod
    def on_file(member_id: str) -> MemberModel | None:
        """The member's record, for the plan's own processes (files, releases), which act for no office."""
        try:
            return MemberModel.get(member_id)
        except Missing:
            return None

    def _lookup(self, lookup: MemberLookup) -> MemberModel | None:
        if lookup.member_id:
            return self.on_file(lookup.member_id)
        if lookup.medicaid_id:
            matches = list(MemberModel.by_medicaid_id.query(lookup.medicaid_id, limit=2))
        else:
            key = name_search_key(lookup.last_name or "", lookup.first_name or "",
                                  lookup.birth_date.isoformat() if lookup.birth_date else "")
            matches = list(MemberModel.by_name.query(key, limit=2))
        if len(matches) > 1:
            raise MultipleMembersMatch()
        return matches[0] if matches else None

    def eligibility(
        self,
        principal: Principal,
        lookup: MemberLookup,
        date_of_service: date,
        provider_id: str | None = None,
    ) -> EligibilityAnswer:
        self.check_service_date(date_of_service)
        acting_for = self.acting_provider(principal, provider_id)
        member = self.find(principal, lookup)
        answer = self.answer(member, date_of_service, acting_for)
        trail.record(
            principal,
            AuditEntry(member.member_id, AuditAction.ELIGIBILITY_CHECK, acting_for,
                       f"dateOfService={date_of_service.isoformat()} eligible={answer.eligibility.eligible} "
                       f"by={lookup.describe()}"),
            self._clock(),
        )
        metrics.count("EligibilityChecked")
        return answer

    def detail(self, principal: Principal, member_id: str) -> MemberModel:
        """The member detail view (with the clinical alerts): the member's attributed panel only, audited.

        The panel is the PCP's provider and, for a group account, the PCP's Tax ID; plan staff see every
        member. A member of the office's states outside its panel answers as absent (eligibility still
        answers for it, without the alerts).
        """
        member = self.find(principal, MemberLookup(member_id=member_id))
        if not in_panel(principal, member):
            raise withheld(principal, MemberNotFound())
        trail.record(principal, AuditEntry(member.member_id, AuditAction.MEMBER_VIEWED, principal.home_provider_id),
                     self._clock())
        return member

    @staticmethod
    def answer(member: MemberModel, date_of_service: date, acting_for: str | None) -> EligibilityAnswer:
        spans = coverage_spans(member)
        return EligibilityAnswer(
            member=member,
            date_of_service=date_of_service,
            eligibility=eligibility_on(spans, other_coverage(member), date_of_service),
            spans=spans,
            acting_for_provider_id=acting_for,
        )


def in_panel(principal: Principal, member: MemberModel) -> bool:
    """Is the member attributed to a provider the principal acts for (its PCP, or the PCP's Tax ID for a group)?"""
    if principal.is_plan_staff:
        return True
    if member.pcp_provider_id is None:
        return False
    return scope_of(principal).sees(member.pcp_provider_id, member.pcp_tax_id)


def save_in(writes: Transaction, member: MemberModel) -> None:
    """Write a member in another area's transaction (the roster's attribution: the member and its rows together)."""
    writes.save(member)
