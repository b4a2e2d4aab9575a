"""Training modules (data in ``data/modules.json``) and the yearly rule that says where a user stands.

A module is required of a user acting for a provider in one of its ``states`` and, when it names
``programs``, contracted for one of them. Each module is owed once per training year, the year that
ends on its ``due`` day (month-day). For a required module, on a given day:

- ``COMPLETE``: the current version was attested in the current training year;
- ``DUE``: not yet this year, but nothing was missed: the previous year's was attested (any
  version), or the account did not exist when the previous year ended;
- ``OVERDUE``: the previous training year ended without an attestation. The portal shows a banner
  on every page until it is done; it never blocks work.

A module no rule requires is ``OPTIONAL`` until attested, then ``COMPLETE`` for the year.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "modules.json"


class TrainingStatus(StrEnum):
    COMPLETE = "COMPLETE"
    DUE = "DUE"
    OVERDUE = "OVERDUE"
    OPTIONAL = "OPTIONAL"


@dataclass(frozen=True)
class TrainingModule:
    module_id: str
    title: str
    description: str
    link: str
    states: tuple[str, ...]
    programs: tuple[str, ...]
    due_month: int
    due_day: int
    version: str

    def required_for(self, state: str | None, programs: Iterable[str]) -> bool:
        if state not in self.states:
            return False
        return not self.programs or bool(set(self.programs) & set(programs))

    def year_ending(self, on_or_after: date) -> date:
        """The due day that ends the training year ``on_or_after`` falls in."""
        this_year = _due_in(on_or_after.year, self.due_month, self.due_day)
        return this_year if on_or_after <= this_year else _due_in(on_or_after.year + 1, self.due_month, self.due_day)

    def year_start(self, on: date) -> date:
        """The first day of the training year ``on`` falls in (the day after the previous due day)."""
        ends = self.year_ending(on)
        return _due_in(ends.year - 1, self.due_month, self.due_day) + timedelta(days=1)


def _due_in(year: int, month: int, day: int) -> date:
    return date(year, month, 28) if (month, day) == (2, 29) else date(year, month, day)


@dataclass(frozen=True)
class Attested:
    """A user's latest attestation of one module."""

    version: str
    completed_at: datetime


@dataclass(frozen=True)
class Standing:
    module: TrainingModule
    required: bool
    status: TrainingStatus
    due_on: date
    """The end of the current training year: when this year's attestation is owed."""
    latest: Attested | None


def standing(module: TrainingModule, required: bool, latest: Attested | None, today: date,
             account_since: date | None) -> Standing:
    due_on = module.year_ending(today)
    this_year_from = module.year_start(today)
    done_this_year = latest is not None and latest.version == module.version \
        and latest.completed_at.date() >= this_year_from
    if done_this_year:
        status = TrainingStatus.COMPLETE
    elif not required:
        status = TrainingStatus.OPTIONAL
    else:
        last_year_from = module.year_start(this_year_from - timedelta(days=1))
        kept_up = latest is not None and latest.completed_at.date() >= last_year_from
        too_new = account_since is None or account_since >= this_year_from
        status = TrainingStatus.DUE if kept_up or too_new else TrainingStatus.OVERDUE
    return Standing(module, required, status, due_on, latest)


def standings(state: str | None, programs: Iterable[str], latest: Mapping[str, Attested], today: date,
              account_since: date | None) -> list[Standing]:
    """Every module, the required ones first (overdue, due, complete), then the optional ones."""
    programs = tuple(programs)
    found = [standing(m, m.required_for(state, programs), latest.get(m.module_id), today, account_since)
             for m in modules()]
    order = {TrainingStatus.OVERDUE: 0, TrainingStatus.DUE: 1, TrainingStatus.COMPLETE: 2, TrainingStatus.OPTIONAL: 3}
    return sorted(found, key=lambda s: (not s.required, order[s.status], s.module.title))


@cache
def modules() -> tuple[TrainingModule, ...]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(
        TrainingModule(item["id"], item["title"], item["description"], item["link"], tuple(item["states"]),
                       tuple(item["programs"]), *map(int, item["due"].split("-")), item["version"])
        for item in raw
    )


def module_named(module_id: str) -> TrainingModule | None:
    return next((m for m in modules() if m.module_id == module_id), None)
