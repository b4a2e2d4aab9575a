"""Checks every request body and form goes through before a model or a view sees it.

JSON nesting is measured on the raw bytes, before any parser recurses into them (``json.loads``
raises RecursionError near 1,000 levels, and the FHIR models recurse further). Free text may
hold tab, CR and LF but no other control character (C0, DEL, C1) and no bidirectional override
or isolate (U+202A to U+202E, U+2066 to U+2069): they hide or reorder what a reviewer reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")
_OPENING = frozenset({b"[", b"{"})
DISALLOWED_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TEXT_PROBLEM = "must not contain control characters or text-direction overrides"
DEPTH_PROBLEM = f"must not nest arrays and objects more than {MAX_JSON_DEPTH} levels deep"

Location = tuple[str | int, ...]


def nests_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text opens more than ``limit`` arrays or objects inside each other (strings skipped)."""
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", raw)):
        depth += 1 if bracket.group() in _OPENING else -1
        if depth > limit:
            return True
    return False


def disallowed_text_at(document: Any) -> Location | None:
    """Where the first string of a parsed JSON document holding a disallowed character is (keys included), or
    None. Walked with a stack, not recursion; a bad key is named with ``printable``."""
    pending: list[tuple[Location, Any]] = [((), document)]
    while pending:
        location, value = pending.pop()
        if isinstance(value, str):
            if DISALLOWED_TEXT.search(value):
                return location
        elif isinstance(value, Mapping):
            for key, item in reversed(list(value.items())):
                if DISALLOWED_TEXT.search(key):
                    return (*location, printable(key))
                pending.append(((*location, key), item))
        elif isinstance(value, list):
            pending.extend(((*location, index), item) for index, item in reversed(list(enumerate(value))))
    return None


def disallowed_field(values: Iterable[tuple[str, Iterable[str]]]) -> str | None:
    """The first form field (name, its values) holding a disallowed character, by ``printable`` name."""
    for name, items in values:
        if DISALLOWED_TEXT.search(name) or any(DISALLOWED_TEXT.search(item) for item in items):
            return printable(name)
    return None


def printable(name: str) -> str:
    """A name fit to repeat in an answer: its disallowed characters as "?"."""
    return DISALLOWED_TEXT.sub("?", name)
