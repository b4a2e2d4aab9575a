"""Adjudication: a claim and the plan's data in, a status and the money out. No I/O.

The rules, in order:
1. A service that needs a consent form (per the fee schedule) pends the whole claim until
   one that applies is on file.
2. Per line: filed more than ``timely_filing_days`` after the service -> CO-29; an exact
   duplicate of a line already billed -> CO-18 / N522; a code not on the member's fee
   schedule -> CO-96 / N130; primary other insurance and no prior-payer payment -> CO-22 / MA04.
3. Priced lines: allowed = fee x units, at most the charge (CO-45 for the difference);
   emergency room cost share (PR-3) from the schedule; a prior payer's payment reduces
   what is paid (CO-23).
4. Every line denied -> DENIED; otherwise APPROVED (some lines may still be denied); the payment cycle makes it PAID.

Group codes and reason codes are the X12 CARC/RARC lists; amounts are whole cents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from chalicelib.claims.enums import ClaimStatus

TIMELY_FILING_DAYS = 365
EMERGENCY_PLACE_OF_SERVICE = "23"
EMERGENCY_REVENUE_PREFIX = "045"

CARC_DESCRIPTIONS: dict[str, str] = {
    "3": "Co-payment amount.",
    "18": "Exact duplicate claim/service.",
    "22": "This care may be covered by another payer per coordination of benefits.",
    "23": "The impact of prior payer(s) adjudication including payments and/or adjustments.",
    "29": "The time limit for filing has expired.",
    "45": "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement.",
    "96": "Non-covered charge(s).",
}
RARC_DESCRIPTIONS: dict[str, str] = {
    "MA04": "Secondary payment cannot be considered without the identity of or payment information from the "
            "primary payer.",
    "N130": "Consult plan benefit documents/guidelines for information about restrictions for this service.",
    "N522": "Duplicate of a claim processed, or to be processed, as a crossover claim.",
}


@dataclass(frozen=True)
class FeeRow:
    code: str
    allowed_cents: int
    copay_cents: int = 0
    consent_type: str | None = None


@dataclass(frozen=True)
class LineFacts:
    line: int
    fee_code: str
    units: int
    charge_cents: int
    service_date: date
    emergency: bool = False
    duplicate: bool = False


@dataclass(frozen=True)
class ClaimFacts:
    received_on: date
    lines: tuple[LineFacts, ...]
    primary_other_insurance: bool = False
    other_payer_paid_cents: int | None = None
    consent_on_file: bool = False


@dataclass(frozen=True)
class Adjustment:
    group_code: str
    reason_code: str
    amount_cents: int


@dataclass(frozen=True)
class LineResult:
    line: int
    allowed_cents: int = 0
    paid_cents: int = 0
    patient_responsibility_cents: int = 0
    adjustments: tuple[Adjustment, ...] = ()
    remark_codes: tuple[str, ...] = ()

    @property
    def denied(self) -> bool:
        return self.allowed_cents == 0


@dataclass(frozen=True)
class Adjudication:
    status: ClaimStatus
    lines: tuple[LineResult, ...] = ()
    pend_reason: str | None = None
    consent_type: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def allowed_cents(self) -> int:
        return sum(line.allowed_cents for line in self.lines)

    @property
    def paid_cents(self) -> int:
        return sum(line.paid_cents for line in self.lines)

    @property
    def patient_responsibility_cents(self) -> int:
        return sum(line.patient_responsibility_cents for line in self.lines)


def consent_needed(facts: ClaimFacts, fees: Mapping[str, FeeRow]) -> str | None:
    """The consent type one of the claim's services needs, if any."""
    for line in facts.lines:
        row = fees.get(line.fee_code)
        if row is not None and row.consent_type:
            return row.consent_type
    return None


def adjudicate(facts: ClaimFacts, fees: Mapping[str, FeeRow]) -> Adjudication:
    consent_type = consent_needed(facts, fees)
    if consent_type and not facts.consent_on_file:
        return Adjudication(ClaimStatus.PENDED, pend_reason="CONSENT_FORM_REQUIRED", consent_type=consent_type,
                            notes=(f"A {consent_type.lower()} consent form that applies to this claim is needed; "
                                   f"the claim is released when it is uploaded.",))
    prior_paid_left = facts.other_payer_paid_cents or 0
    results = []
    for line in facts.lines:
        result = _line(facts, line, fees.get(line.fee_code), prior_paid_left)
        prior_paid_left -= sum(a.amount_cents for a in result.adjustments if a.reason_code == "23")
        results.append(result)
    status = ClaimStatus.DENIED if all(result.denied for result in results) else ClaimStatus.APPROVED
    return Adjudication(status, tuple(results), consent_type=consent_type)


def _denied(line: LineFacts, reason_code: str, remark: str | None = None) -> LineResult:
    return LineResult(line.line, adjustments=(Adjustment("CO", reason_code, line.charge_cents),),
                      remark_codes=(remark,) if remark else ())


def _line(facts: ClaimFacts, line: LineFacts, fee: FeeRow | None, prior_paid_left: int) -> LineResult:
    if (facts.received_on - line.service_date).days > TIMELY_FILING_DAYS:
        return _denied(line, "29")
    if line.duplicate:
        return _denied(line, "18", "N522")
    if fee is None:
        return _denied(line, "96", "N130")
    if facts.primary_other_insurance and facts.other_payer_paid_cents is None:
        return _denied(line, "22", "MA04")
    allowed = min(fee.allowed_cents * line.units, line.charge_cents)
    adjustments = []
    if line.charge_cents > allowed:
        adjustments.append(Adjustment("CO", "45", line.charge_cents - allowed))
    copay = min(fee.copay_cents, allowed) if line.emergency else 0
    if copay:
        adjustments.append(Adjustment("PR", "3", copay))
    prior = min(max(prior_paid_left, 0), allowed - copay)
    if prior:
        adjustments.append(Adjustment("CO", "23", prior))
    return LineResult(line.line, allowed_cents=allowed, paid_cents=allowed - copay - prior,
                      patient_responsibility_cents=copay, adjustments=tuple(adjustments))
