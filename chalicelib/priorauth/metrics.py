"""The figures CMS-0057-F asks payers to publish, per period, standard and expedited apart.

Each decided request counts once, in the period of its first decision: approved (AutoAuth or
reviewer) or denied; "approved after appeal" counts the denied ones later approved on appeal;
"approved after extension" the ones approved after a reviewer extended the review timeframe
(CMS-0057-F, 42 CFR 438.210(f)), and "extended" every decided one whose timeframe was extended.
Time to decision runs from receipt to that first decision. "No authorization required" answers
are not prior authorizations: they never reach these rows.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.priorauth.enums import AuthStatus, Urgency


@dataclass(frozen=True)
class DecisionRow:
    period: str
    urgency: str
    first_outcome: str
    decision_seconds: float
    approved_on_appeal: bool
    auto_approved: bool
    extended: bool = False


@dataclass(frozen=True)
class PeriodFigures:
    period: str
    urgency: str
    decided: int
    approved: int
    denied: int
    approved_after_appeal: int
    auto_approved: int
    approved_percent: float
    denied_percent: float
    approved_after_appeal_percent: float
    average_hours_to_decision: float | None
    median_hours_to_decision: float | None
    extended: int = 0
    approved_after_extension: int = 0
    approved_after_extension_percent: float = 0.0


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _hours(seconds: float) -> float:
    return round(seconds / 3600.0, 2)


def figures(rows: Iterable[DecisionRow], periods: Iterable[str]) -> list[PeriodFigures]:
    """One line per period and urgency, in period order, including periods with no decisions."""
    grouped: dict[tuple[str, str], list[DecisionRow]] = {}
    for row in rows:
        grouped.setdefault((row.period, row.urgency), []).append(row)
    result = []
    for period in periods:
        for urgency in (Urgency.STANDARD.value, Urgency.EXPEDITED.value):
            group = grouped.get((period, urgency), [])
            approved = sum(1 for row in group if row.first_outcome == AuthStatus.APPROVED.value)
            denied = sum(1 for row in group if row.first_outcome == AuthStatus.DENIED.value)
            after_appeal = sum(1 for row in group if row.approved_on_appeal)
            seconds = [row.decision_seconds for row in group]
            extended = sum(1 for row in group if row.extended)
            after_extension = sum(1 for row in group
                                  if row.extended and row.first_outcome == AuthStatus.APPROVED.value)
            result.append(PeriodFigures(
                period=period, urgency=urgency, decided=len(group), approved=approved, denied=denied,
                approved_after_appeal=after_appeal, auto_approved=sum(1 for row in group if row.auto_approved),
                approved_percent=_percent(approved, len(group)), denied_percent=_percent(denied, len(group)),
                approved_after_appeal_percent=_percent(after_appeal, len(group)),
                average_hours_to_decision=_hours(statistics.fmean(seconds)) if seconds else None,
                median_hours_to_decision=_hours(statistics.median(seconds)) if seconds else None,
                extended=extended, approved_after_extension=after_extension,
                approved_after_extension_percent=_percent(after_extension, len(group)),
            ))
    return result


CSV_COLUMNS = (
    ("period", "Period"), ("urgency", "Urgency"), ("decided", "Decided"), ("approved", "Approved"),
    ("denied", "Denied"), ("approved_after_appeal", "Approved after appeal"), ("auto_approved", "AutoAuth approved"),
    ("approved_percent", "Approved %"), ("denied_percent", "Denied %"),
    ("approved_after_appeal_percent", "Approved after appeal %"),
    ("average_hours_to_decision", "Average hours to decision"),
    ("median_hours_to_decision", "Median hours to decision"),
    ("extended", "Timeframe extended"), ("approved_after_extension", "Approved after extension"),
    ("approved_after_extension_percent", "Approved after extension %"),
)


def to_csv(lines: Iterable[PeriodFigures]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title for _, title in CSV_COLUMNS])
    for line in lines:
        writer.writerow(["" if getattr(line, name) is None else getattr(line, name) for name, _ in CSV_COLUMNS])
    return buffer.getvalue()
