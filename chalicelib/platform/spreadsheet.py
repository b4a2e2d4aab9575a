"""CSV cells that a spreadsheet shows as text, never runs (OWASP: CSV injection).

Results files carry values from uploaded files (claim numbers, member names, NPIs): a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and
LibreOffice, so it is written with a leading apostrophe.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(value) for value in values]
