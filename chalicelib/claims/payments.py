"""Payments: the payment cycle groups finished claims per Tax ID into a check or EFT.

The cycle reads the sparse payable index (never a scan), so its cost follows the claims
waiting, not the table. Each payment is written in one transaction with the change of
its claims (a claim can be in one payment only: the update requires it still payable);
a Tax ID with more than ``CLAIMS_PER_PAYMENT`` claims gets several payments. A Tax ID whose
reversals outweigh its payments is held until new payments cover them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import TYPE_CHECKING, Any

from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry
from chalicelib.claims.enums import ClaimStatus, ClaimType
from chalicelib.claims.store import PAYABLE, ClaimModel, HistoryAttribute, PaymentModel, new_payment_id
from chalicelib.platform import metrics
from chalicelib.platform.access import Principal, scope_of
from chalicelib.platform.clock import Clock
from chalicelib.platform.config import Settings
from chalicelib.platform.dynamo.control import count_in, maintained_count, release_lease, take_lease
from chalicelib.platform.dynamo.office_search import scoped_status
from chalicelib.platform.dynamo.paging import date_range, search_page
from chalicelib.platform.dynamo.writes import Missing, TransactionCancelled, transaction
from chalicelib.platform.errors import (
    PaymentCycleRunning,
    PaymentNotFound,
    PaymentsNotPermitted,
    PermissionRequired,
    ValidationFailed,
)
from chalicelib.platform.logs import logger
from chalicelib.platform.permissions import Permission
from chalicelib.platform.security import withheld
from chalicelib.platform.x12.write835 import (
    DENIED,
    PROCESSED_AS_PRIMARY,
    Payer,
    RemitAdjustment,
    RemitClaim,
    RemitService,
    Remittance,
)
from chalicelib.providers import service as providers

if TYPE_CHECKING:
    from chalicelib.providers.service import Provider

CLAIMS_PER_PAYMENT = 99
PAYMENT_CYCLE_LEASE = "payment-cycle"
PAYMENT_CYCLE_ACTOR = "Payment cycle"
PAYMENT_CYCLE_LEASE_TIME = timedelta(minutes=15)
"""Longer than a cycle can run (a Lambda's 15 minutes); a holder that died frees it by then."""
PAYER_ADDRESS = ("1 Health Plan Way", "Indianapolis", "IN", "462040000", "8002001058")


@dataclass(frozen=True)
class CycleResult:
    payments: list[PaymentModel]
    held_tax_ids: list[str]


@dataclass(frozen=True)
class WaitingClaims:
    """What the next cycle would take up, read from the payable index's keys alone (one Query of at most the limit
    plus one): claims per Tax ID, in Tax ID order; ``more`` when others wait past the limit (the last Tax ID's count
    may then be short). A GSI read, so a claim adjudicated a moment ago may not be in it yet."""

    by_tax_id: dict[str, int]
    more: bool

    @property
    def claims(self) -> int:
        return sum(self.by_tax_id.values())


@dataclass(frozen=True)
class PaymentPage:
    items: list[PaymentModel]
    count: int | None
    """The Tax ID's payments in all; None for a date range."""
    next_token: str | None


def payments_count(tax_id: str) -> str:
    return f"payments#{tax_id}"


@dataclass(frozen=True)
class PaymentView:
    payment: PaymentModel
    claims: list[ClaimModel]
    whole: bool = True
    """False for a practitioner account: only the lines of its own claims, not the Tax ID's whole payment."""


def filing_indicator(plan_type: str) -> str:
    return "HM" if plan_type == "Marketplace" else "MC"


def remit_claim(claim: ClaimModel) -> RemitClaim:
    institutional = claim.claim_type == ClaimType.INSTITUTIONAL
    return RemitClaim(
        patient_control_number=claim.patient_control_number or claim.claim_number,
        payer_claim_number=claim.claim_number,
        status_code=DENIED if claim.status == ClaimStatus.DENIED else PROCESSED_AS_PRIMARY,
        charge_cents=int(claim.total_charge_cents), paid_cents=int(claim.paid_cents),
        patient_responsibility_cents=int(claim.patient_responsibility_cents),
        filing_indicator=filing_indicator(claim.plan_type),
        facility_code=(claim.facility_type_code if institutional else claim.place_of_service) or "11",
        frequency=claim.frequency, member_id=claim.member_id, member_last_name=claim.member_last_name,
        member_first_name=claim.member_first_name, service_from=date.fromisoformat(claim.service_from),
        service_to=date.fromisoformat(claim.service_to),
        services=tuple(RemitService(
            procedure_code=line.procedure_code, revenue_code=line.revenue_code, modifiers=tuple(line.modifiers),
            charge_cents=int(line.charge_cents), paid_cents=int(line.paid_cents),
            allowed_cents=int(line.allowed_cents), units=int(line.units),
            service_date=date.fromisoformat(line.service_date),
            adjustments=tuple(RemitAdjustment(a.group_code, a.reason_code, int(a.amount_cents))
                              for a in line.adjustments),
            remark_codes=tuple(line.remark_codes),
        ) for line in claim.lines),
    )


def net_cents(claim: ClaimModel) -> int:
    return int(claim.paid_cents) - int(claim.reversal_cents)


class PaymentService:
    def __init__(self, settings: Settings, *, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        self._zone = settings.plan_zone

    def payer(self) -> Payer:
        address, city, state, zip_code, phone = PAYER_ADDRESS
        return Payer(self._settings.plan_name.upper(), self._settings.payer_tax_id, self._settings.payer_edi_id,
                     address, city, state, zip_code, phone)

    # The cycle

    def run_cycle(self) -> CycleResult:
        """One cycle at a time per stage (a lease): overlapping runs could pay a claim twice or not at all."""
        holder = str(uuid.uuid4())
        if not take_lease(PAYMENT_CYCLE_LEASE, holder, self._clock(), PAYMENT_CYCLE_LEASE_TIME):
            raise PaymentCycleRunning()
        try:
            return self._cycle()
        finally:
            release_lease(PAYMENT_CYCLE_LEASE, holder)

    def _cycle(self) -> CycleResult:
        keys = sorted(tax_id_and_number(key) for key in ClaimModel.payable_claims.query(PAYABLE))
        by_tax_id = {tax_id: [number for _, number in group]
                     for tax_id, group in groupby(keys, key=lambda pair: pair[0])}
        payments: list[PaymentModel] = []
        held: list[str] = []
        for tax_id, numbers in by_tax_id.items():
            claims = [claim for claim in ClaimModel.batch_get(numbers) if claim.payable == PAYABLE]
            if sum(net_cents(claim) for claim in claims) < 0:
                held.append(tax_id)
                continue
            payee = self._payee(tax_id, claims[0].billing_provider_id)
            for start in range(0, len(claims), CLAIMS_PER_PAYMENT):
                made = self._pay(tax_id, payee, sorted(claims[start:start + CLAIMS_PER_PAYMENT],
                                                       key=lambda claim: claim.claim_number))
                if made is not None:
                    payments.append(made)
        logger.info("payment cycle done", extra={"payments": len(payments), "held": len(held)})
        metrics.count("PaymentsIssued", len(payments))
        return CycleResult(payments, held)

    @staticmethod
    def _payee(tax_id: str, fallback_provider_id: str) -> Provider:
        """The group of the Tax ID when there is one, else the billing provider."""
        groups = [provider for provider in providers.of_tax_id(tax_id) if provider.is_group]
        payee = groups[0] if groups else providers.find(fallback_provider_id)
        if payee is None:
            raise LookupError(f"billing provider {fallback_provider_id} left the directory")
        return payee

    def _pay(self, tax_id: str, payee: Provider, claims: list[ClaimModel]) -> PaymentModel | None:
        now = self._clock()
        paid_on = now.astimezone(self._zone).date()
        payment_id = new_payment_id(paid_on)
        payment = PaymentModel(
            payment_id=payment_id, tax_id=tax_id, payee_name=payee.display_name, payee_provider_id=payee.provider_id,
            payee_npi=payee.npi, method=payee.payment_method, trace_number=payment_id[1:], paid_on=paid_on.isoformat(),
            paid_key=f"{paid_on.isoformat()}#{payment_id}", amount_cents=sum(net_cents(claim) for claim in claims),
            claim_count=len(claims), created_at=now,
        )
        try:
            with transaction() as writes:
                writes.save(payment, condition=PaymentModel.payment_id.does_not_exist())
                count_in(writes, payments_count(tax_id))
                for claim in claims:
                    writes.update(claim, actions=self._settled(claim, payment, now),
                                  condition=ClaimModel.payable.exists() & (ClaimModel.version == claim.version))
        except TransactionCancelled:
            logger.warning("claims changed during the payment cycle; they wait for the next one",
                           extra={"tax_id_suffix": tax_id[-4:], "claims": len(claims)})
            return None
        return payment

    @staticmethod
    def _settled(claim: ClaimModel, payment: PaymentModel, now: datetime) -> list[Any]:
        """The claim's change when a payment includes it: an approved claim becomes PAID, with the payment's trace."""
        actions: list[Any] = [
            ClaimModel.payment_id.set(payment.payment_id), ClaimModel.paid_on.set(payment.paid_on),
            ClaimModel.payment_method.set(payment.method), ClaimModel.payment_trace.set(payment.trace_number),
            ClaimModel.payable.remove(), ClaimModel.payable_key.remove(), ClaimModel.version.add(1),
        ]
        if claim.status == ClaimStatus.APPROVED:
            paid = ClaimStatus.PAID.value
            actions += [
                ClaimModel.status.set(paid),
                ClaimModel.provider_status.set(scoped_status(claim.billing_provider_id, paid)),
                ClaimModel.tax_status.set(scoped_status(claim.tax_id, paid)),
                ClaimModel.history.set(ClaimModel.history.append([HistoryAttribute(
                    at=now, status=paid, actor=PAYMENT_CYCLE_ACTOR,
                    note=f"Payment {payment.payment_id} of {payment.paid_on} ({payment.method} trace "
                         f"{payment.trace_number})")])),
            ]
        return actions

    def waiting(self, principal: Principal, limit: int) -> WaitingClaims:
        """The claims the next cycle would include (plan staff's claims operators): keys only, never the claims."""
        self._require_operator(principal)
        keys = list(ClaimModel.payable_claims.query(PAYABLE, limit=limit + 1, page_size=limit + 1))
        counts: dict[str, int] = {}
        for tax_id, _ in (tax_id_and_number(key) for key in keys[:limit]):
            counts[tax_id] = counts.get(tax_id, 0) + 1
        return WaitingClaims(counts, len(keys) > limit)

    def payments(self, principal: Principal, payment_ids: list[str]) -> list[PaymentModel]:
        """Payments by their numbers (a BatchGet), in that order: a cycle's, shown again to the operator who ran it."""
        self._require_operator(principal)
        found = {payment.payment_id: payment for payment in PaymentModel.batch_get(payment_ids)} if payment_ids else {}
        return [found[payment_id] for payment_id in payment_ids if payment_id in found]

    @staticmethod
    def _require_operator(principal: Principal) -> None:
        if not (principal.is_plan_staff and principal.has(Permission.CLAIMS_OPERATOR)):
            permission = Permission.CLAIMS_OPERATOR
            raise PermissionRequired(permission.value, permission.words)

    # Reading

    def list(self, principal: Principal, tax_id: str | None, paid_from: date | None, paid_to: date | None,
             limit: int, token: str | None) -> PaymentPage:
        """Payment history: a Tax ID's payments, for its group account (and plan staff).

        One Query reading at most the page's items plus one. The whole history's total is the Tax ID's
        maintained count; a date range answers without a total (counting it would read the range).
        """
        self._require_payments_permission(principal)
        scope = self._tax_id(principal, tax_id)
        paid = date_range(PaymentModel.paid_key, paid_from, paid_to, first_field="paidFrom", last_field="paidTo")
        found = search_page(PaymentModel, PaymentModel.by_tax_id, "tax_id", scope, paid, None, limit, token)
        total = maintained_count(payments_count(scope)) if paid is None else None
        return PaymentPage(found.items, total, found.next_token)

    @staticmethod
    def _require_payments_permission(principal: Principal) -> None:
        """Payments go to the Tax ID: the accounts acting for it that hold its payments permission see them (the
        routes ask for the permission first; this holds it for every caller of the service).

        Asked before the payment is read, so a practitioner learns nothing of which payment numbers exist.
        """
        if not (principal.is_plan_staff or (principal.tax_ids and principal.has(Permission.PAYMENTS))):
            raise PaymentsNotPermitted()

    @staticmethod
    def _tax_id(principal: Principal, tax_id: str | None) -> str:
        if tax_id:
            if scope_of(principal).sees_tax_id(tax_id):
                return tax_id
            raise PaymentNotFound(fields={"taxId": "is not a Tax ID you act for"})
        home = scope_of(principal).home()
        if home is not None and not home.by_provider:
            return home.key
        raise ValidationFailed(fields={"taxId": "is required"})

    @staticmethod
    def _payment(payment_id: str) -> PaymentModel:
        try:
            return PaymentModel.get(payment_id)
        except Missing:
            raise PaymentNotFound() from None

    def explanation(self, principal: Principal, payment_id: str) -> PaymentView:
        """The EOP: the payment and every claim it settles; for a practitioner, the lines of its own claims.

        A payment with none of the practitioner's claims answers as absent, like another Tax ID's.
        """
        scope = scope_of(principal)
        whole = principal.is_plan_staff or bool(principal.tax_ids)
        payment = self._payment(payment_id)
        claims = list(ClaimModel.by_payment.query(payment.payment_id))
        if whole:
            if not scope.sees_tax_id(payment.tax_id):
                raise withheld(principal, PaymentNotFound())
        else:
            claims = [claim for claim in claims if scope.sees(claim.billing_provider_id, None)]
            if not claims:
                raise withheld(principal, PaymentNotFound())
        trail.record_many(principal, [
            AuditEntry(member_id, AuditAction.PAYMENT_VIEWED, payment.payee_provider_id,
                       f"payment={payment.payment_id}")
            for member_id in sorted({claim.member_id for claim in claims})
        ], self._clock())
        return PaymentView(payment, claims, whole)

    def payment_of(self, claim: ClaimModel) -> PaymentModel | None:
        """The payment a claim was in, for a reader the claim service already let see the claim.

        The payment's number, date, method and trace say when the claim's money went; a practitioner reads them
        for its own claims (the payment's amount is the Tax ID's, and the page leaves it out for one).
        """
        return self._payment(claim.payment_id) if claim.payment_id else None

    def remittance_advice(self, principal: Principal, payment_id: str) -> str:
        """The 835 file: the whole payment, so the Tax ID's group account and plan staff only."""
        self._require_payments_permission(principal)
        return self.remittance_file(self.explanation(principal, payment_id))

    def remittance_file(self, view: PaymentView) -> str:
        """The 835 for the payment; the same payment always gives the same file."""
        from chalicelib.platform.x12.write835 import build_835

        payment = view.payment
        control_number = int(payment.payment_id[1:]) % 10**9
        return build_835(self.remittance(view), control_number, payment.created_at,
                         payment.payee_npi or payment.tax_id)

    def remittance(self, view: PaymentView) -> Remittance:
        payment = view.payment
        remit_claims: list[RemitClaim] = []
        originals = {claim.original_claim_number for claim in view.claims if int(claim.reversal_cents)}
        reversed_claims = {claim.claim_number: claim for claim in ClaimModel.batch_get(
            [number for number in originals if number])} if originals else {}
        for claim in view.claims:
            if int(claim.reversal_cents) and claim.original_claim_number in reversed_claims:
                remit_claims.append(remit_claim(reversed_claims[claim.original_claim_number]).reversed())
            if claim.status != ClaimStatus.VOID:
                remit_claims.append(remit_claim(claim))
        return Remittance(
            payment_id=payment.payment_id, trace_number=payment.trace_number, method=payment.method,
            paid_on=date.fromisoformat(payment.paid_on), amount_cents=int(payment.amount_cents), payer=self.payer(),
            payee_name=payment.payee_name, payee_npi=payment.payee_npi, payee_tax_id=payment.tax_id,
            claims=tuple(remit_claims),
        )


def tax_id_and_number(key: ClaimModel) -> tuple[str, str]:
    tax_id, claim_number = str(key.payable_key).split("#", 1)
    return tax_id, claim_number



