"""The delivery rule (DOMAIN.md, Claims): a delivery claim carries gestational age and obstetric diagnoses.

A claim is a delivery claim when it bills a delivery procedure (CPT 59400-59622 global,
delivery-only and cesarean codes), a labor and delivery revenue code (072x), or reports
the outcome of delivery (Z37.x).
"""

from __future__ import annotations

from collections.abc import Collection

from chalicelib.platform.codesets.icd10cm import normalize

DELIVERY_PROCEDURES = frozenset({
    "59400", "59409", "59410", "59510", "59514", "59515",
    "59610", "59612", "59614", "59618", "59620", "59622",
})
DELIVERY_REVENUE_PREFIX = "072"
OUTCOME_OF_DELIVERY_PREFIX = "Z37"
GESTATIONAL_AGE_PREFIX = "Z3A"
OBSTETRIC_CHAPTER_PREFIX = "O"


def is_delivery(procedure_codes: Collection[str], revenue_codes: Collection[str],
                diagnosis_codes: Collection[str]) -> bool:
    return (
        any(code in DELIVERY_PROCEDURES for code in procedure_codes)
        or any(code.startswith(DELIVERY_REVENUE_PREFIX) for code in revenue_codes)
        or any(normalize(code).startswith(OUTCOME_OF_DELIVERY_PREFIX) for code in diagnosis_codes)
    )


def missing_delivery_diagnoses(diagnosis_codes: Collection[str]) -> str | None:
    """What a delivery claim lacks, in words, or None."""
    plain = [normalize(code) for code in diagnosis_codes]
    missing = []
    if not any(code.startswith(GESTATIONAL_AGE_PREFIX) for code in plain):
        missing.append("a gestational-age code (Z3A.xx, weeks of gestation)")
    if not any(code.startswith(OBSTETRIC_CHAPTER_PREFIX) for code in plain):
        missing.append("an obstetric diagnosis (chapter 15, O00-O9A)")
    return " and ".join(missing) if missing else None
