"""Demo dates move with the calendar.

The demo data set is written as of ``AUTHORED_ON``. Loaded on a later day, every date in it moves
forward by the whole months since then, so "recent" stays recent: coverage gaps inside the
24-month eligibility window, alerts of the last weeks, open spans that began in the past. Birth
dates and rules about fixed dates (code set releases) do not move.
"""

from __future__ import annotations

import calendar
from datetime import date

AUTHORED_ON = date(2026, 11, 23)


def months_since_authored(today: date) -> int:
    months = (today.year - AUTHORED_ON.year) * 12 + today.month - AUTHORED_ON.month
    return months - (1 if today.day < AUTHORED_ON.day else 0)


def moved(day: date, months: int) -> date:
    """``day`` ``months`` later; a month's last day stays its month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    was_last = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month + 1, last if was_last else min(day.day, last))


class DemoCalendar:
    """Dates of the authored data set as they fall when loaded on ``today``."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.months = max(0, months_since_authored(today))

    def on(self, authored: str | date) -> date:
        day = date.fromisoformat(authored) if isinstance(authored, str) else authored
        return moved(day, self.months)

    def iso(self, authored: str | None) -> str | None:
        return None if authored is None else self.on(authored).isoformat()
