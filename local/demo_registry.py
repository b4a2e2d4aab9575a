"""A deterministic registry feed for the demo: conditions and measure colors per attributed member.

In production the registry comes from the plan's quality (HEDIS) engine; here each member's
conditions and colors derive from a seeded generator, so every run shows the same registry.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import date

from chalicelib.members.store import MemberModel
from chalicelib.reports import registry
from chalicelib.reports.registry import Color
from local.demo_calendar import DemoCalendar

AUTHORED_AS_OF = date(2026, 11, 1)
CONDITION_RATES = {"asthma": 0.09, "diabetes": 0.11, "heart_attack": 0.03}
COLOR_WEIGHTS = ((Color.GREEN, 0.5), (Color.YELLOW, 0.3), (Color.RED, 0.2))


def scored(members: Iterable[MemberModel], as_of: date) -> Iterator[tuple[MemberModel, dict[str, Color]]]:
    for member in members:
        if not member.pcp_provider_id:
            continue
        rng = random.Random(f"registry:{member.member_id}")
        conditions = frozenset(name for name, rate in CONDITION_RATES.items() if rng.random() < rate)
        colors = {measure.code: rng.choices([c for c, _ in COLOR_WEIGHTS], [w for _, w in COLOR_WEIGHTS])[0]
                  for measure in registry.MEASURES}
        yield member, registry.statuses_for(member, as_of, conditions, colors)


def load_registry(members: Iterable[MemberModel], today: date) -> int:
    """The feed as the quality engine last ran it: the first of this month (as authored, moved to ``today``)."""
    as_of = DemoCalendar(today).on(AUTHORED_AS_OF)
    return registry.bulk_load(scored(members, as_of), as_of)
