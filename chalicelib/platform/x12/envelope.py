"""The X12 envelope (ISA/GS ... GE/IEA) around the transaction sets this portal writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
TERMINATOR = "~"
_RESERVED = str.maketrans({ELEMENT: " ", COMPONENT: " ", REPETITION: " ", TERMINATOR: " "})


def clean(value: object) -> str:
    """A value with no separator in it (data from files and people can carry any character)."""
    return str(value).translate(_RESERVED).strip()


def segment(*elements: object) -> str:
    """Elements joined by ``*``; a tuple element is a composite, its parts joined by ``:``."""
    values = [
        "" if element is None
        else COMPONENT.join(clean(part) for part in element).rstrip(COMPONENT) if isinstance(element, tuple)
        else clean(element)
        for element in elements
    ]
    while len(values) > 1 and values[-1] == "":
        values.pop()
    return ELEMENT.join(values) + TERMINATOR


@dataclass(frozen=True)
class Parties:
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str


def wrap(parties: Parties, functional_id: str, version: str, control_number: int, at: datetime,
         transaction_sets: Iterable[list[str]], usage: str = "P", *, group_sender: str | None = None,
         group_receiver: str | None = None, before_group: Iterable[str] = ()) -> str:
    """One interchange, one functional group; ``transaction_sets`` are ST..SE segment lists.

    GS02/GS03 are the application codes (an answer to a file names the file's GS03 and GS02 back);
    they default to the interchange IDs. ``before_group`` holds segments between ISA and GS (a TA1).
    """
    sets = list(transaction_sets)
    isa = ELEMENT.join([
        "ISA", "00", " " * 10, "00", " " * 10, parties.sender_qualifier.ljust(2)[:2], parties.sender_id.ljust(15)[:15],
        parties.receiver_qualifier.ljust(2)[:2], parties.receiver_id.ljust(15)[:15], f"{at:%y%m%d}", f"{at:%H%M}",
        REPETITION, "00501", f"{control_number % 10**9:09d}", "0", usage if usage in ("P", "T") else "P", COMPONENT,
    ]) + TERMINATOR
    group = control_number % 10**9
    lines = [
        isa,
        *before_group,
        segment("GS", functional_id, group_sender or parties.sender_id.strip(),
                group_receiver or parties.receiver_id.strip(), f"{at:%Y%m%d}", f"{at:%H%M}", group, "X", version),
        *(line for transaction in sets for line in transaction),
        segment("GE", len(sets), group),
        segment("IEA", 1, f"{control_number % 10**9:09d}"),
    ]
    return "\n".join(lines) + "\n"


def transaction_set(code: str, control_number: int, version: str | None, body: list[str]) -> list[str]:
    """ST + body + SE with the segment count (ST and SE included); ST03 only where the guide uses it."""
    control = f"{control_number:04d}"
    return [segment("ST", code, control, version), *body, segment("SE", len(body) + 2, control)]
