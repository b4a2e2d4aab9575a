"""Claims, their payments, and the fee schedules that price them.

Claims table: one item per claim (``claim_number``) holding its lines, adjudication and
history. Every search is a Query on a GSI: by billing provider or Tax ID and received time,
by member and first date of service, by provider/Tax ID and status. Two sparse indexes
hold work to do: claims pended for a consent form (by member, so an arriving form finds
them) and adjudicated claims not yet in a payment (by Tax ID, for the payment run).

Payments table: one item per check/EFT (``payment_id``), by Tax ID and payment date.
Fee schedules table: ``schedule`` = ``<state>#<plan type>``, ``code`` = procedure, revenue
or dental code; amounts are whole cents.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.claims.enums import Frequency
from chalicelib.platform.dynamo.base import TableMeta, table_name
from chalicelib.platform.dynamo.office_search import office_indexes, office_indexes_of

PAYABLE = "PAYABLE"
_NUMBER_DIGITS = "0123456789"


def new_claim_number(received_at: datetime) -> str:
    """Year + day of year + 8 random digits (``26327`` + ...): the shape payers print on an EOP."""
    tail = "".join(secrets.choice(_NUMBER_DIGITS) for _ in range(8))
    return f"{received_at:%y%j}{tail}"


def new_payment_id(paid_on: date) -> str:
    tail = "".join(secrets.choice(_NUMBER_DIGITS) for _ in range(7))
    return f"P{paid_on:%y%m%d}{tail}"


def received_key(received_at: datetime, claim_number: str) -> str:
    return f"{received_at.isoformat()}#{claim_number}"


def service_key(first_service_date: str, claim_number: str) -> str:
    return f"{first_service_date}#{claim_number}"


def payable_key(tax_id: str, claim_number: str) -> str:
    return f"{tax_id}#{claim_number}"


def fee_schedule_key(state: str, plan_type: str) -> str:
    return f"{state}#{plan_type}"


class AdjustmentAttribute(MapAttribute[str, object]):
    group_code = UnicodeAttribute()
    reason_code = UnicodeAttribute()
    amount_cents = NumberAttribute()


class ClaimLineAttribute(MapAttribute[str, object]):
    line = NumberAttribute()
    procedure_code = UnicodeAttribute(null=True)
    revenue_code = UnicodeAttribute(null=True)
    modifiers = ListAttribute(of=UnicodeAttribute, default=list)
    units = NumberAttribute()
    charge_cents = NumberAttribute()
    service_date = UnicodeAttribute()
    service_date_to = UnicodeAttribute(null=True)
    place_of_service = UnicodeAttribute(null=True)
    tooth = UnicodeAttribute(null=True)
    surfaces = UnicodeAttribute(null=True)
    diagnosis_pointers = ListAttribute(of=NumberAttribute, default=list)
    allowed_cents = NumberAttribute(default=0)
    paid_cents = NumberAttribute(default=0)
    patient_responsibility_cents = NumberAttribute(default=0)
    adjustments = ListAttribute(of=AdjustmentAttribute, default=list)
    remark_codes = ListAttribute(of=UnicodeAttribute, default=list)


class HistoryAttribute(MapAttribute[str, object]):
    at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    actor = UnicodeAttribute()
    note = UnicodeAttribute(null=True)


class ClaimsByMember(GlobalSecondaryIndex["ClaimModel"]):
    class Meta:
        index_name = "member-index"
        projection = AllProjection()

    member_id = UnicodeAttribute(hash_key=True)
    service_key = UnicodeAttribute(range_key=True)


class ClaimsAwaitingConsent(GlobalSecondaryIndex["ClaimModel"]):
    """Sparse: only claims pended for a consent form carry ``consent_pending_member``."""

    class Meta:
        index_name = "consent-pending-index"
        projection = KeysOnlyProjection()

    consent_pending_member = UnicodeAttribute(hash_key=True)
    received_key = UnicodeAttribute(range_key=True)


class ClaimsPayable(GlobalSecondaryIndex["ClaimModel"]):
    """Sparse: approved, denied and money-reversing void claims not yet in a payment, grouped by Tax ID."""

    class Meta:
        index_name = "payable-index"
        projection = KeysOnlyProjection()

    payable = UnicodeAttribute(hash_key=True)
    payable_key = UnicodeAttribute(range_key=True)


class ClaimsByPayment(GlobalSecondaryIndex["ClaimModel"]):
    class Meta:
        index_name = "payment-index"
        projection = AllProjection()

    payment_id = UnicodeAttribute(hash_key=True)
    claim_number = UnicodeAttribute(range_key=True)


class ClaimModel(Model):
    class Meta(TableMeta):
        table_name = table_name("claims")

    claim_number = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(default=1)
    claim_type = UnicodeAttribute()
    status = UnicodeAttribute()
    frequency = UnicodeAttribute(default=Frequency.ORIGINAL.value)
    original_claim_number = UnicodeAttribute(null=True)
    replaced_by = UnicodeAttribute(null=True)
    source = UnicodeAttribute(default="PORTAL")
    batch_id = UnicodeAttribute(null=True)
    patient_control_number = UnicodeAttribute(null=True)
    member_id = UnicodeAttribute()
    member_first_name = UnicodeAttribute()
    member_last_name = UnicodeAttribute()
    member_birth_date = UnicodeAttribute()
    state = UnicodeAttribute()
    program = UnicodeAttribute()
    plan_type = UnicodeAttribute()
    billing_provider_id = UnicodeAttribute()
    billing_provider_name = UnicodeAttribute()
    billing_provider_npi = UnicodeAttribute(null=True)
    rendering_provider_id = UnicodeAttribute(null=True)
    tax_id = UnicodeAttribute()
    submitted_by = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    received_key = UnicodeAttribute()
    service_key = UnicodeAttribute()
    service_from = UnicodeAttribute()
    service_to = UnicodeAttribute()
    place_of_service = UnicodeAttribute(null=True)
    facility_type_code = UnicodeAttribute(null=True)
    admission_date = UnicodeAttribute(null=True)
    discharge_status = UnicodeAttribute(null=True)
    prior_authorization_number = UnicodeAttribute(null=True)
    diagnosis_codes = ListAttribute(of=UnicodeAttribute, default=list)
    lines = ListAttribute(of=ClaimLineAttribute, default=list)
    total_charge_cents = NumberAttribute()
    allowed_cents = NumberAttribute(default=0)
    paid_cents = NumberAttribute(default=0)
    patient_responsibility_cents = NumberAttribute(default=0)
    other_payer_paid_cents = NumberAttribute(null=True)
    reversal_cents = NumberAttribute(default=0)
    claim_adjustments = ListAttribute(of=AdjustmentAttribute, default=list)
    remark_codes = ListAttribute(of=UnicodeAttribute, default=list)
    pend_reason = UnicodeAttribute(null=True)
    consent_type = UnicodeAttribute(null=True)
    consent_document_id = UnicodeAttribute(null=True)
    document_ids = ListAttribute(of=UnicodeAttribute, default=list)
    adjudicated_at = UTCDateTimeAttribute(null=True)
    history = ListAttribute(of=HistoryAttribute, default=list)
    provider_status = UnicodeAttribute()
    tax_status = UnicodeAttribute()
    consent_pending_member = UnicodeAttribute(null=True)
    payable = UnicodeAttribute(null=True)
    payable_key = UnicodeAttribute(null=True)
    payment_id = UnicodeAttribute(null=True)
    paid_on = UnicodeAttribute(null=True)
    payment_method = UnicodeAttribute(null=True)
    payment_trace = UnicodeAttribute(null=True)
    """The payment's date, method and trace, copied when a cycle includes the claim."""

    by_provider, by_tax_id, by_provider_status, by_tax_status = office_indexes("billing_provider_id")
    by_member = ClaimsByMember()
    awaiting_consent = ClaimsAwaitingConsent()
    payable_claims = ClaimsPayable()
    by_payment = ClaimsByPayment()


class PaymentsByTaxId(GlobalSecondaryIndex["PaymentModel"]):
    class Meta:
        index_name = "tax-id-index"
        projection = AllProjection()

    tax_id = UnicodeAttribute(hash_key=True)
    paid_key = UnicodeAttribute(range_key=True)


class PaymentModel(Model):
    """One check or EFT to one Tax ID, for the claims it lists (found on the claims' payment index)."""

    class Meta(TableMeta):
        table_name = table_name("payments")

    payment_id = UnicodeAttribute(hash_key=True)
    tax_id = UnicodeAttribute()
    payee_name = UnicodeAttribute()
    payee_provider_id = UnicodeAttribute()
    payee_npi = UnicodeAttribute(null=True)
    method = UnicodeAttribute()
    trace_number = UnicodeAttribute()
    paid_on = UnicodeAttribute()
    paid_key = UnicodeAttribute()
    amount_cents = NumberAttribute()
    claim_count = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    remittance_key = UnicodeAttribute(null=True)

    by_tax_id = PaymentsByTaxId()


class FeeScheduleModel(Model):
    class Meta(TableMeta):
        table_name = table_name("fee-schedules")

    schedule = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)
    description = UnicodeAttribute()
    allowed_cents = NumberAttribute()
    copay_cents = NumberAttribute(default=0)
    consent_type = UnicodeAttribute(null=True)


CLAIM_OFFICE_INDEXES = office_indexes_of(ClaimModel, "billing_provider_id")
