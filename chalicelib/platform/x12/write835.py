"""The 835 health care claim payment/advice (005010X221A1) for one payment.

Plain data in (the payment and its claims as ``Remittance``), X12 text out. The amounts
balance as the guide requires: per service, charge - adjustments = paid; per claim, the
sum of its services; BPR02 = the sum of CLP04. A corrected or voided claim that takes back
an earlier payment appears as a reversal (CLP02 = 22) with every amount negated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from chalicelib.platform.money import money
from chalicelib.platform.x12.envelope import Parties, segment, transaction_set, wrap

VERSION = "005010X221A1"
PROCESSED_AS_PRIMARY = "1"
DENIED = "4"
REVERSAL = "22"
CAS_TRIPLES_PER_SEGMENT = 6


@dataclass(frozen=True)
class RemitAdjustment:
    group_code: str
    reason_code: str
    amount_cents: int


@dataclass(frozen=True)
class RemitService:
    procedure_code: str | None
    revenue_code: str | None
    modifiers: tuple[str, ...]
    charge_cents: int
    paid_cents: int
    allowed_cents: int
    units: int
    service_date: date
    adjustments: tuple[RemitAdjustment, ...]
    remark_codes: tuple[str, ...]


@dataclass(frozen=True)
class RemitClaim:
    patient_control_number: str
    payer_claim_number: str
    status_code: str
    charge_cents: int
    paid_cents: int
    patient_responsibility_cents: int
    filing_indicator: str
    facility_code: str
    frequency: str
    member_id: str
    member_last_name: str
    member_first_name: str
    service_from: date
    service_to: date
    services: tuple[RemitService, ...]

    def reversed(self) -> RemitClaim:
        """The same claim taken back: status 22 and every amount negated."""
        return replace(
            self, status_code=REVERSAL, charge_cents=-self.charge_cents, paid_cents=-self.paid_cents,
            patient_responsibility_cents=-self.patient_responsibility_cents,
            services=tuple(replace(
                service, charge_cents=-service.charge_cents, paid_cents=-service.paid_cents,
                allowed_cents=-service.allowed_cents,
                adjustments=tuple(replace(a, amount_cents=-a.amount_cents) for a in service.adjustments),
            ) for service in self.services),
        )


@dataclass(frozen=True)
class Payer:
    name: str
    tax_id: str
    edi_id: str
    address: str
    city: str
    state: str
    zip_code: str
    contact_phone: str


@dataclass(frozen=True)
class Remittance:
    payment_id: str
    trace_number: str
    method: str
    paid_on: date
    amount_cents: int
    payer: Payer
    payee_name: str
    payee_npi: str | None
    payee_tax_id: str
    claims: tuple[RemitClaim, ...]


def _payment_header(remit: Remittance) -> list[str]:
    amount = money(remit.amount_cents)
    paid_on = f"{remit.paid_on:%Y%m%d}"
    if remit.amount_cents == 0:
        bpr = segment("BPR", "H", "0", "C", "NON", *[""] * 11, paid_on)
    elif remit.method == "EFT":
        originator = ("1" + remit.payer.tax_id)[:10]
        bpr = segment("BPR", "I", amount, "C", "ACH", "CCP", "01", "999999992", "DA", "123456", originator, "",
                      "01", "999988880", "DA", "98765", paid_on)
    else:
        bpr = segment("BPR", "C", amount, "C", "CHK", *[""] * 11, paid_on)
    payer = remit.payer
    payee = (segment("N1", "PE", remit.payee_name, "XX", remit.payee_npi) if remit.payee_npi
             else segment("N1", "PE", remit.payee_name, "FI", remit.payee_tax_id))
    lines = [
        bpr,
        segment("TRN", "1", remit.trace_number, "1" + payer.tax_id),
        segment("DTM", "405", paid_on),
        segment("N1", "PR", payer.name),
        segment("N3", payer.address),
        segment("N4", payer.city, payer.state, payer.zip_code),
        segment("REF", "2U", payer.edi_id),
        segment("PER", "BL", "PROVIDER SERVICES", "TE", payer.contact_phone),
        payee,
    ]
    if remit.payee_npi:
        lines.append(segment("REF", "TJ", remit.payee_tax_id))
    return lines


def _adjustment_segments(adjustments: Iterable[RemitAdjustment]) -> list[str]:
    """CAS segments: one per group code, at most six reason/amount pairs each."""
    by_group: dict[str, list[RemitAdjustment]] = {}
    for adjustment in adjustments:
        if adjustment.amount_cents:
            by_group.setdefault(adjustment.group_code, []).append(adjustment)
    lines = []
    for group_code, items in by_group.items():
        for start in range(0, len(items), CAS_TRIPLES_PER_SEGMENT):
            chunk = items[start:start + CAS_TRIPLES_PER_SEGMENT]
            triples = [value for item in chunk for value in (item.reason_code, money(item.amount_cents), "")]
            lines.append(segment("CAS", group_code, *triples))
    return lines


def _service_segments(service: RemitService) -> list[str]:
    if service.procedure_code:
        composite: tuple[str, ...] = ("HC", service.procedure_code, *service.modifiers)
        revenue = service.revenue_code or ""
    else:
        composite, revenue = ("NU", str(service.revenue_code)), ""
    lines = [
        segment("SVC", composite, money(service.charge_cents), money(service.paid_cents), revenue, service.units),
        segment("DTM", "472", f"{service.service_date:%Y%m%d}"),
        *_adjustment_segments(service.adjustments),
    ]
    if service.allowed_cents:
        lines.append(segment("AMT", "B6", money(service.allowed_cents)))
    lines.extend(segment("LQ", "HE", code) for code in service.remark_codes)
    return lines


def _claim_segments(claim: RemitClaim) -> list[str]:
    lines = [
        segment("CLP", claim.patient_control_number, claim.status_code, money(claim.charge_cents),
                money(claim.paid_cents), money(claim.patient_responsibility_cents) if claim.patient_responsibility_cents
                else "", claim.filing_indicator, claim.payer_claim_number, claim.facility_code, claim.frequency),
        segment("NM1", "QC", "1", claim.member_last_name, claim.member_first_name, "", "", "", "MI", claim.member_id),
        segment("DTM", "232", f"{claim.service_from:%Y%m%d}"),
    ]
    if claim.service_to != claim.service_from:
        lines.append(segment("DTM", "233", f"{claim.service_to:%Y%m%d}"))
    for service in claim.services:
        lines.extend(_service_segments(service))
    return lines


def build_835(remit: Remittance, control_number: int, at: datetime, receiver_id: str) -> str:
    body = _payment_header(remit)
    if remit.claims:
        body.append(segment("LX", "1"))
        for claim in remit.claims:
            body.extend(_claim_segments(claim))
    parties = Parties("ZZ", remit.payer.edi_id, "ZZ", receiver_id)
    return wrap(parties, "HP", VERSION, control_number, at, [transaction_set("835", 1, None, body)])
