"""ICD-10-CM diagnosis codes: valid and billable on a date of service.

The code set is the table ``build.py`` generates at install time from ``simple-icd-10-cm``,
read on the first check and kept for the life of the process. It holds one release (the
package's), applied to every date from the ICD-10 transition on; older releases are not kept.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from chalicelib.platform.codesets.build import DATA_FILE

ICD10_START = date(2015, 10, 1)
_ICD9 = re.compile(r"^(\d{3}(\.?\d{1,2})?|V\d{2}(\.\d{1,2})?|E\d{3}(\.?\d)?)$")
_ICD10_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


class CodeSetMissing(RuntimeError):
    """The generated table is absent: the build step (``make``) did not run."""


@cache
def _code_set() -> dict[str, bool]:
    if not DATA_FILE.exists():
        raise CodeSetMissing(f"{DATA_FILE} is missing: run `make venv` (python -m chalicelib.platform.codesets.build)")
    codes: dict[str, bool] = {}
    with DATA_FILE.open(encoding="ascii") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            code, billable = line.rstrip("\n").split("\t")
            codes[code] = billable == "1"
    return codes


def release() -> str:
    with DATA_FILE.open(encoding="ascii") as lines:
        return lines.readline().lstrip("# ").strip()


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
    billable = _code_set().get(plain) if _ICD10_SHAPE.match(raw) else None
    if billable is True:
        return None if date_of_service >= ICD10_START else "ICD-10-CM codes apply from 2015-10-01; use ICD-9"
    if billable is False:
        also_icd9 = " (ICD-9 codes are not accepted from 2015-10-01)" if _ICD9.match(raw) else ""
        return f"{with_dot(plain)} is a category, not billable: use a complete code under it{also_icd9}"
    if _ICD9.match(raw):
        return f"{raw} looks like an ICD-9 code; dates of service from 2015-10-01 need ICD-10-CM"
    return f"{raw} is not an ICD-10-CM code"


def is_billable(code: str) -> bool:
    return _code_set().get(normalize(code)) is True
