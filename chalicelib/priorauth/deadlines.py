"""Decision deadlines (CMS-0057-F) and appeal deadlines (42 CFR 438.408), in UTC from receipt.

A standard request's timeframe may be extended once, by up to 14 calendar days (42 CFR
438.210(d)(1)(ii)), with the reason recorded; the new due time is the old one plus the days.

A request received at 2026-11-02T15:30Z, expedited, is due 2026-11-05T15:30Z; standard, at
2026-11-09T15:30Z: calendar time, no business days, no time zones.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.priorauth.enums import Urgency

DECISION_WINDOW: dict[Urgency, timedelta] = {
    Urgency.EXPEDITED: timedelta(hours=72),
    Urgency.STANDARD: timedelta(days=7),
}
APPEAL_WINDOW: dict[Urgency, timedelta] = {
    Urgency.EXPEDITED: timedelta(hours=72),
    Urgency.STANDARD: timedelta(days=30),
}


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("deadlines are computed from aware datetimes")
    return moment.astimezone(UTC)


MAX_EXTENSION_DAYS = 14


def extension_problem(urgency: Urgency, days: int) -> dict[str, str]:
    """Why this extension may not be granted (field -> problem), empty when it may (once is the caller's check)."""
    if urgency != Urgency.STANDARD:
        return {"urgency": "only a standard request's timeframe may be extended; expedited ones are due in 72 hours"}
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        return {"days": f"must be from 1 to {MAX_EXTENSION_DAYS}"}
    return {}


def extended_due(due_at: datetime, days: int) -> datetime:
    return _utc(due_at) + timedelta(days=days)


def decision_due(received_at: datetime, urgency: Urgency) -> datetime:
    return _utc(received_at) + DECISION_WINDOW[urgency]


def appeal_due(appealed_at: datetime, urgency: Urgency) -> datetime:
    return _utc(appealed_at) + APPEAL_WINDOW[urgency]


def is_overdue(due_at: datetime, now: datetime) -> bool:
    """Due at 15:30:00 means a decision at 15:30:00 is on time; one second later is late."""
    return _utc(now) > _utc(due_at)
