"""The five state portals and their messages, read from ``data/<state>.json``, newest first.

A message's text may name ``{plan}``, filled with the plan's name. Plan staff will edit messages
in a later issue (a store then replaces the files); callers only see ``portals`` and ``messages_for``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class StatePortal:
    slug: str
    name: str


PORTALS = (
    StatePortal("ohio", "Ohio"),
    StatePortal("indiana", "Indiana"),
    StatePortal("kentucky", "Kentucky"),
    StatePortal("west-virginia", "West Virginia"),
    StatePortal("georgia", "Georgia"),
)


@dataclass(frozen=True)
class Message:
    title: str
    posted: date
    paragraphs: tuple[str, ...]


def portals() -> tuple[StatePortal, ...]:
    return PORTALS


def portal(slug_or_name: str | None) -> StatePortal | None:
    wanted = (slug_or_name or "").strip().lower()
    return next((p for p in PORTALS if wanted in (p.slug, p.name.lower())), None)


@cache
def _messages(slug: str) -> tuple[Message, ...]:
    raw = json.loads((DATA_DIR / f"{slug}.json").read_text(encoding="utf-8"))
    items = [Message(item["title"], date.fromisoformat(item["posted"]), tuple(item["paragraphs"])) for item in raw]
    return tuple(sorted(items, key=lambda message: message.posted, reverse=True))


def messages_for(state: StatePortal, plan_name: str) -> list[Message]:
    """The state's messages, newest first, with the plan's name filled in."""
    return [
        Message(m.title.replace("{plan}", plan_name), m.posted,
                tuple(p.replace("{plan}", plan_name) for p in m.paragraphs))
        for m in _messages(state.slug)
    ]
