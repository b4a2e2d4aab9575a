"""Decision deadlines (CMS-0057-F) and appeal deadlines (42 CFR 438.408), in UTC from receipt.

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


def decision_due(received_at: datetime, urgency: Urgency) -> datetime:
    return _utc(received_at) + DECISION_WINDOW[urgency]


def appeal_due(appealed_at: datetime, urgency: Urgency) -> datetime:
    return _utc(appealed_at) + APPEAL_WINDOW[urgency]


def is_overdue(due_at: datetime, now: datetime) -> bool:
    """Due at 15:30:00 means a decision at 15:30:00 is on time; one second later is late."""
    return _utc(now) > _utc(due_at)
