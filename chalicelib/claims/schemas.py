"""Bodies and query strings of the claims and payments routes. Amounts are dollars with cents."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from chalicelib.documents.schemas import DocumentOut, PresignedPost
from chalicelib.platform.web.schemas import MEMBER_ID, PROVIDER_ID, QueryParameters, RequestBody, ResponseBody

CLAIM_NUMBER = r"^[0-9]{13}$"
ClaimTypeName = Literal["PROFESSIONAL", "INSTITUTIONAL", "DENTAL"]
ClaimStatusName = Literal["RECEIVED", "PENDED", "APPROVED", "DENIED", "PAID", "REPLACED", "VOIDED", "VOID"]


class ClaimLineIn(RequestBody):
    procedure_code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{5}$",
                                       description="CPT/HCPCS (professional, optional on institutional); CDT (dental)")
    revenue_code: str | None = Field(default=None, pattern=r"^[0-9]{4}$", description="Institutional claims")
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: int = Field(default=1, ge=1, le=9999)
    charge: Decimal = Field(gt=0, max_digits=9, decimal_places=2, description="Line charge, e.g. 125.00")
    service_date: date
    service_date_to: date | None = None
    place_of_service: str | None = Field(default=None, pattern=r"^[0-9]{2}$",
                                         description="CMS place of service; defaults to the claim's")
    diagnosis_pointers: list[int] = Field(default_factory=list, max_length=4,
                                          description="1-based positions in diagnosisCodes")
    tooth: str | None = Field(default=None, max_length=2, description="Dental: 1-32 or A-T")
    surfaces: str | None = Field(default=None, max_length=5, description="Dental: M, O, D, B, L, F, I")


class ClaimIn(RequestBody):
    claim_type: ClaimTypeName
    frequency: Literal["1", "7", "8"] = Field(default="1", description="1 original, 7 corrected, 8 void")
    original_claim_number: str | None = Field(default=None, pattern=CLAIM_NUMBER,
                                              description="Required with frequency 7 or 8")
    billing_provider_id: str = Field(pattern=PROVIDER_ID)
    rendering_provider_id: str | None = Field(default=None, pattern=PROVIDER_ID)
    member_id: str = Field(pattern=MEMBER_ID)
    patient_control_number: str | None = Field(default=None, max_length=38, pattern=r"^[A-Za-z0-9-]+$",
                                               description="The office's own account number for the claim")
    place_of_service: str | None = Field(default=None, pattern=r"^[0-9]{2}$")
    facility_type_code: str | None = Field(default=None, pattern=r"^[0-9]{2}$",
                                           description="Institutional: type of bill, first two digits (e.g. 13)")
    admission_date: date | None = None
    discharge_status: str | None = Field(default=None, pattern=r"^[0-9]{2}$")
    prior_authorization_number: str | None = Field(default=None, max_length=30, pattern=r"^[A-Za-z0-9]+$")
    diagnosis_codes: list[str] = Field(default_factory=list, max_length=12, description="ICD-10-CM, principal first")
    service_lines: list[ClaimLineIn] = Field(min_length=1, max_length=50)
    total_charge: Decimal = Field(gt=0, max_digits=9, decimal_places=2,
                                  description="Must equal the sum of the line charges")
    other_payer_paid: Decimal | None = Field(default=None, ge=0, max_digits=9, decimal_places=2,
                                             description="Paid by the primary payer (coordination of benefits)")


class AdjustmentOut(ResponseBody):
    group_code: str = Field(description="CO contractual, PR patient responsibility, OA other")
    reason_code: str = Field(description="Claim adjustment reason code (CARC)")
    description: str
    amount: str


class RemarkOut(ResponseBody):
    code: str = Field(description="Remittance advice remark code (RARC)")
    description: str


class ClaimLineOut(ResponseBody):
    line: int
    procedure_code: str | None = None
    revenue_code: str | None = None
    modifiers: list[str]
    units: int
    charge: str
    service_date: date
    service_date_to: date | None = None
    place_of_service: str | None = None
    tooth: str | None = None
    surfaces: str | None = None
    diagnosis_pointers: list[int]
    allowed: str
    paid: str
    patient_responsibility: str
    adjustments: list[AdjustmentOut]
    remarks: list[RemarkOut]


class HistoryOut(ResponseBody):
    at: datetime
    status: str
    actor: str
    note: str | None = None


class ClaimSummaryOut(ResponseBody):
    claim_number: str
    claim_type: str
    status: str
    status_label: str
    frequency: str
    member_id: str
    member_name: str
    billing_provider_id: str
    billing_provider_name: str
    patient_control_number: str | None = None
    received_at: datetime
    service_from: date
    service_to: date
    total_charge: str
    paid: str = Field(description="Approved to pay; paid once status is PAID")
    payment_id: str | None = Field(default=None, description="The payment that included the claim (PAID, DENIED, VOID)")
    paid_on: date | None = Field(default=None, description="The payment's date")
    payment_method: str | None = Field(default=None, description="EFT or CHK")
    payment_trace: str | None = Field(default=None, description="EFT trace or check number")


class ClaimOut(ClaimSummaryOut):
    source: str
    batch_id: str | None = None
    original_claim_number: str | None = None
    replaced_by: str | None = None
    member_birth_date: date
    state: str
    program: str
    tax_id: str
    rendering_provider_id: str | None = None
    place_of_service: str | None = None
    facility_type_code: str | None = None
    admission_date: date | None = None
    discharge_status: str | None = None
    prior_authorization_number: str | None = None
    diagnosis_codes: list[str]
    allowed: str
    patient_responsibility: str
    other_payer_paid: str | None = None
    reversal: str = Field(description="An earlier payment this claim takes back (corrected or void claims)")
    pend_reason: str | None = None
    consent_type: str | None = None
    consent_document_id: str | None = None
    adjudicated_at: datetime | None = None
    service_lines: list[ClaimLineOut]
    history: list[HistoryOut]
    documents: list[DocumentOut]


class ClaimList(ResponseBody):
    """A search page: no total (counting would read the whole partition); nextToken says more results exist."""

    items: list[ClaimSummaryOut]
    next_token: str | None = Field(default=None, description="Present when more results exist: the next page")


class ClaimSearchQuery(QueryParameters):
    claim_number: str | None = Field(default=None, pattern=CLAIM_NUMBER)
    member_id: str | None = Field(default=None, pattern=MEMBER_ID)
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID, description="Billing provider")
    status: ClaimStatusName | None = None
    received_from: date | None = None
    received_to: date | None = None
    service_from: date | None = Field(default=None, description="With memberId: first date of service from")
    service_to: date | None = None
    limit: int = Field(default=50, ge=1, le=500)
    next_token: str | None = Field(default=None, max_length=2048)


class ClaimFileIn(RequestBody):
    file_name: str = Field(min_length=1, max_length=200)
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID, description="Office the file is sent for")


class ClaimFileOut(ResponseBody):
    document_id: str
    file_name: str
    status: str = Field(description="AWAITING_UPLOAD, PROCESSING, COMPLETED, REJECTED, or FAILED (processing failed "
                        "on every attempt; the reason names a reference)")
    reason: str | None = None
    acknowledgment: str | None = Field(default=None, description="999 outcome: A accepted, E accepted with errors, "
                                                                 "R rejected")
    claims_total: int
    claims_accepted: int
    claims_rejected: int
    created_at: datetime
    completed_at: datetime | None = None
    acknowledgment_url: str | None = Field(default=None, description="The 999 (presigned, short-lived)")
    results_url: str | None = Field(default=None, description="Claim-by-claim results CSV (presigned)")


class ClaimFileTicketOut(ResponseBody):
    file: ClaimFileOut
    upload: PresignedPost


class PaymentOut(ResponseBody):
    payment_id: str
    tax_id: str
    payee_name: str
    payee_provider_id: str
    method: str = Field(description="EFT or CHK")
    trace_number: str = Field(description="EFT trace or check number")
    paid_on: date
    amount: str | None = Field(description="null on a practitioner's EOP: the whole payment is the Tax ID's")
    claim_count: int | None = Field(description="null on a practitioner's EOP")


class PaymentList(ResponseBody):
    items: list[PaymentOut]
    count: int | None = Field(description="The Tax ID's payments in all (a maintained count); null with paidFrom or "
                              "paidTo, where nextToken says whether more follow")
    next_token: str | None = None


class PaymentListQuery(QueryParameters):
    tax_id: str | None = Field(default=None, pattern=r"^[0-9]{9}$")
    paid_from: date | None = None
    paid_to: date | None = None
    limit: int = Field(default=50, ge=1, le=500)
    next_token: str | None = Field(default=None, max_length=2048)


class ExplanationOfPaymentOut(ResponseBody):
    whole_payment: bool = Field(description="false: a practitioner's view, the lines of its own claims only")
    payment: PaymentOut
    claims: list[ClaimOut]
    total_charge: str
    total_allowed: str
    total_paid: str
    total_patient_responsibility: str
    total_reversed: str


class PaymentCycleOut(ResponseBody):
    payments: list[PaymentOut]
    held_tax_ids: list[str] = Field(description="Tax IDs whose take-backs exceed their payments this cycle")


class ClaimFileList(ResponseBody):
    items: list[ClaimFileOut]
    count: int
    next_token: str | None = None
