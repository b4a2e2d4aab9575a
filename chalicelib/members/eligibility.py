"""Eligibility on a date of service: pure rules over a member's coverage spans and other insurance."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CoverageSpan:
    start: date
    end: date | None
    program: str
    plan_type: str

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class OtherCoverage:
    """Coordination of benefits: insurance the member has besides this plan."""

    payer: str
    policy_number: str
    coverage_type: str
    order: str
    start: date
    end: date | None

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    span: CoverageSpan | None
    program: str | None
    other_insurance: tuple[OtherCoverage, ...]


def eligibility_on(spans: Sequence[CoverageSpan], others: Sequence[OtherCoverage], day: date) -> Eligibility:
    """Eligible when a span holds the day; a day in a gap between spans is not covered."""
    span = next((candidate for candidate in spans if candidate.covers(day)), None)
    latest = max(spans, key=lambda candidate: candidate.start, default=None)
    program = span.program if span else (latest.program if latest else None)
    active_others = tuple(other for other in others if other.active_on(day))
    return Eligibility(eligible=span is not None, span=span, program=program, other_insurance=active_others)


def months_before(day: date, months: int) -> date:
    """The same calendar day ``months`` earlier, or the month's last day when it has no such day."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def service_date_problem(day: date, today: date, lookback_months: int) -> str | None:
    """Why a date of service cannot be checked, or None when it can (today back to ``lookback_months``)."""
    if day > today:
        return "must not be in the future"
    earliest = months_before(today, lookback_months)
    if day < earliest:
        return f"must be within the last {lookback_months} months (on or after {earliest.isoformat()})"
    return None


def current_program(spans: Iterable[CoverageSpan]) -> str | None:
    """The program of the member's latest coverage span (what the roster and member detail show)."""
    latest = max(spans, key=lambda span: span.start, default=None)
    return latest.program if latest else None


def nearest_spans(spans: Iterable[CoverageSpan], day: date) -> tuple[CoverageSpan | None, CoverageSpan | None]:
    """For a day no span holds: the span that ended last before it and the one that starts first after it."""
    spans = tuple(spans)
    before = [span for span in spans if span.end is not None and span.end < day]
    after = [span for span in spans if span.start > day]
    return (max(before, key=lambda span: span.end or span.start, default=None),
            min(after, key=lambda span: span.start, default=None))
