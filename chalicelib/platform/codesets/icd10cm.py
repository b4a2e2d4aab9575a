"""ICD-10-CM diagnosis codes: valid and billable on a date of service, and looked up by code or words.

The code set is the sorted table ``build.py`` generates at install time from ``simple-icd-10-cm``
(``code<TAB>billable<TAB>description``), mapped read-only on first use and kept for the life of the
process: a code is found by bisecting the mapped bytes (no line is parsed until it is read), a
prefix answers the lines from its first match on; for words, the query's rarest word (counted in the
first megabyte) is searched for in a lower-case copy made on the first such lookup, and each line it
is on is checked for every word, stopping at the ``limit``-th match. It holds one release (the
package's), applied to every date from the ICD-10 transition on; older releases are not kept.
"""

from __future__ import annotations

import mmap
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from chalicelib.platform.codesets.build import DATA_FILE

ICD10_START = date(2015, 10, 1)
_ICD9 = re.compile(r"^(\d{3}(\.?\d{1,2})?|V\d{2}(\.\d{1,2})?|E\d{3}(\.?\d)?)$")
_ICD10_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
_CODE_PREFIX = re.compile(r"^[A-Z][0-9][0-9A-Z]?\.?[0-9A-Z]{0,4}$")
_WORD = re.compile(r"[^\W_]+")
SAMPLE_BYTES = 1 << 20


class CodeSetMissing(RuntimeError):
    """The generated table is absent: the build step (``make``) did not run."""


@dataclass(frozen=True)
class Diagnosis:
    code: str
    """With its dot, as offices write it (``E11.9``)."""
    description: str
    billable: bool
    """A complete code (a leaf of the tabular list); a category is not billable."""


@dataclass(frozen=True)
class _Table:
    data: mmap.mmap
    start: int
    """Where the first code's line starts (after the release line)."""


@cache
def _table() -> _Table:
    if not DATA_FILE.exists():
        raise CodeSetMissing(f"{DATA_FILE} is missing: run `make venv` (python -m chalicelib.platform.codesets.build)")
    with DATA_FILE.open("rb") as file:
        data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    return _Table(data, data.find(b"\n") + 1)


def _first_at_or_after(table: _Table, key: bytes) -> int:
    """The start of the first line whose code sorts at or after ``key`` (the end of the table if none)."""
    data, low, high = table.data, table.start, len(table.data)
    while low < high:
        middle = (low + high) // 2
        line = max(low, data.rfind(b"\n", low, middle) + 1)
        end = data.find(b"\t", line)
        if data[line:end] < key:
            low = data.find(b"\n", end) + 1
        else:
            high = line
    return low


def _line(table: _Table, start: int) -> tuple[str, bool, str, int]:
    """The code, billable flag and description of the line at ``start``, and where the next line starts."""
    end = table.data.find(b"\n", start)
    code, billable, description = table.data[start:end].decode("utf-8").split("\t")
    return code, billable == "1", description, end + 1


def _find(plain: str) -> tuple[bool, str] | None:
    table = _table()
    start = _first_at_or_after(table, plain.encode("ascii"))
    if start >= len(table.data):
        return None
    code, billable, description, _ = _line(table, start)
    return (billable, description) if code == plain else None


def release() -> str:
    table = _table()
    return table.data[:table.start].decode("utf-8").lstrip("# ").strip()


def normalize(code: str) -> str:
    """Upper case, no dot, no spaces: how the table keys codes (``g47.33`` -> ``G4733``)."""
    return code.strip().upper().replace(".", "")


def with_dot(code: str) -> str:
    plain = normalize(code)
    return plain if len(plain) <= 3 else f"{plain[:3]}.{plain[3:]}"


def diagnosis_problem(code: str, date_of_service: date) -> str | None:
    """Why ``code`` cannot be billed on ``date_of_service``, or None when it can."""
    raw = code.strip().upper()
    if not raw:
        return "is required"
    plain = normalize(raw)
    found = _find(plain) if _ICD10_SHAPE.match(raw) else None
    billable = found[0] if found else None
    if billable is True:
        return None if date_of_service >= ICD10_START else "ICD-10-CM codes apply from 2015-10-01; use ICD-9"
    if billable is False:
        also_icd9 = " (ICD-9 codes are not accepted from 2015-10-01)" if _ICD9.match(raw) else ""
        return f"{with_dot(plain)} is a category, not billable: use a complete code under it{also_icd9}"
    if _ICD9.match(raw):
        return f"{raw} looks like an ICD-9 code; dates of service from 2015-10-01 need ICD-10-CM"
    return f"{raw} is not an ICD-10-CM code"


def is_billable(code: str) -> bool:
    found = _find(normalize(code))
    return found is not None and found[0]


def lookup(query: str, on: date, limit: int) -> list[Diagnosis]:
    """Codes starting with ``query`` when it reads as a code (``E11``, ``e11.9``), else codes whose description
    has a word starting with each of its words (``diab type 2``), in code order; billable means billable on ``on``.
    """
    raw = query.strip().upper()
    table = _table()
    found: list[Diagnosis] = []
    valid_on = on >= ICD10_START
    if _CODE_PREFIX.match(raw):
        prefix = normalize(raw)
        position = _first_at_or_after(table, prefix.encode("ascii"))
        while len(found) < limit and position < len(table.data):
            code, billable, description, position = _line(table, position)
            if not code.startswith(prefix):
                break
            found.append(Diagnosis(with_dot(code), description, billable and valid_on))
        return found
    words = list(dict.fromkeys(_WORD.findall(query.lower())))
    if not words:
        return found
    folded = _folded(table)
    needle = min((word.encode("utf-8") for word in words),
                 key=lambda word: (_sampled_count(folded, word), -len(word)))
    starts = [re.compile(rf"(?<!\w){re.escape(word)}") for word in words]
    position = table.start
    while len(found) < limit and (hit := folded.find(needle, position)) >= 0:
        line = folded.rfind(b"\n", 0, hit) + 1
        code, billable, description, position = _line(table, line)
        text = description.lower()
        if hit > line + len(code) + 2 and all(start.search(text) for start in starts):
            found.append(Diagnosis(with_dot(code), description, billable and valid_on))
    return found


def _sampled_count(folded: bytes, word: bytes) -> int:
    """How often ``word`` occurs in the table's first megabyte: which word of a query has the fewest lines to check."""
    return folded.count(word, 0, SAMPLE_BYTES)


@cache
def _folded(table: _Table) -> bytes:
    """The table in lower case, made on the first lookup by words (8 MB, once per process): a plain substring
    search of it is twenty times faster than a case-blind regular expression over the mapped file.
    """
    return table.data[:].lower()
