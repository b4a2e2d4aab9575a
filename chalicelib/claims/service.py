"""Claims: submit (validated, adjudicated at once), follow, correct or void, attach, release pends.

A claim is one item. Submitting writes it in one transaction with, for a corrected or void
claim, the original's change to REPLACED / VOIDED (guarded by the original's version, so
two corrections of one claim cannot both land). Users see the claims of providers they act
for; any other claim number answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry
from chalicelib.claims import adjudicator
from chalicelib.claims.adjudicator import Adjudication, ClaimFacts, FeeRow, LineFacts
from chalicelib.claims.enums import FINAL_STATUSES, ClaimStatus, ClaimType, Frequency
from chalicelib.claims.form import ClaimInput, ClaimLineInput, claim_problems
from chalicelib.claims.store import (
    CLAIM_OFFICE_INDEXES,
    PAYABLE,
    AdjustmentAttribute,
    ClaimLineAttribute,
    ClaimModel,
    FeeScheduleModel,
    HistoryAttribute,
    fee_schedule_key,
    new_claim_number,
    payable_key,
    received_key,
    service_key,
)
from chalicelib.documents.consent import ClaimForConsent, ConsentType
from chalicelib.documents.enums import DocumentKind
from chalicelib.documents.service import DocumentService, UploadTicket
from chalicelib.members.eligibility import Eligibility
from chalicelib.members.service import MemberLookup, MemberService
from chalicelib.platform import metrics
from chalicelib.platform.access import OfficePartition, Principal, scope_of
from chalicelib.platform.clock import Clock
from chalicelib.platform.codesets.icd10cm import with_dot
from chalicelib.platform.config import Settings
from chalicelib.platform.dynamo.control import made_once, mark_made_once
from chalicelib.platform.dynamo.office_search import office_search, scoped_status
from chalicelib.platform.dynamo.paging import SearchPage, date_range, search_page, visible_to
from chalicelib.platform.dynamo.writes import Missing, TransactionCancelled, WriteFailed, condition_failed, transaction
from chalicelib.platform.errors import ClaimChanged, ClaimNotFound, NotEligible, ValidationFailed
from chalicelib.platform.logs import logger
from chalicelib.platform.security import withheld
from chalicelib.providers import service as providers

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition

    from chalicelib.documents.store import DocumentModel
    from chalicelib.members.store import MemberModel
    from chalicelib.providers.service import Provider

ADJUDICATOR = "Adjudication"
CLAIM_ATTACHMENT_LIMIT = 10


@dataclass(frozen=True)
class SearchCriteria:
    claim_number: str | None = None
    member_id: str | None = None
    provider_id: str | None = None
    status: ClaimStatus | None = None
    received_from: date | None = None
    received_to: date | None = None
    service_from: date | None = None
    service_to: date | None = None
    limit: int = 50
    next_token: str | None = None


@dataclass(frozen=True)
class ClaimView:
    claim: ClaimModel
    documents: list[DocumentModel]


def fee_code(claim_type: str, line: ClaimLineAttribute) -> str:
    """The code a line is priced by: the revenue code on a facility claim, else the procedure code."""
    if claim_type == ClaimType.INSTITUTIONAL:
        return str(line.revenue_code)
    return str(line.procedure_code)


def is_emergency(line: ClaimLineAttribute, claim_place_of_service: str | None) -> bool:
    place = line.place_of_service or claim_place_of_service
    revenue = line.revenue_code or ""
    return place == adjudicator.EMERGENCY_PLACE_OF_SERVICE or revenue.startswith(adjudicator.EMERGENCY_REVENUE_PREFIX)


class ClaimService:
    def __init__(self, settings: Settings, members: MemberService, documents: DocumentService, *,
                 clock: Clock) -> None:
        self._settings = settings
        self._members = members
        self._documents = documents
        self._clock = clock
        self._zone = settings.plan_zone

    def today(self) -> date:
        return self._clock().astimezone(self._zone).date()

    # Submission

    def submit(self, principal: Principal, claim: ClaimInput, *, source: str = "PORTAL",
               batch_id: str | None = None, identity: str | None = None) -> ClaimModel:
        """Validate, adjudicate and record one claim (with the original's change, for a corrected/void claim).

        ``identity`` (an 837 file's claim: its document and position) makes the submission happen once: the claim
        it already became is answered as it is, neither submitted again nor denied as its own duplicate, also when
        two runs race (the identity's marker is written in the claim's transaction).
        """
        if identity is not None and (made := made_once(identity)) is not None:
            logger.info("claim already made for this identity: skipped", extra={"claim_number": made})
            return ClaimModel.get(made)
        problems = claim_problems(claim, self.today())
        if problems:
            raise ValidationFailed(fields=problems)
        billing = self._billing_provider(principal, claim.billing_provider_id)
        rendering = self._rendering_provider(claim.rendering_provider_id)
        member = self._members.find(principal, MemberLookup(member_id=claim.member_id))
        coverage = self._coverage(member, claim)
        span = coverage.span
        assert span is not None
        original = self._original(billing, claim) if claim.original_claim_number else None

        now = self._clock()
        record = ClaimModel(
            claim_number=new_claim_number(now), claim_type=claim.claim_type.value, status=ClaimStatus.RECEIVED.value,
            frequency=claim.frequency.value, original_claim_number=claim.original_claim_number, source=source,
            batch_id=batch_id, patient_control_number=claim.patient_control_number, member_id=member.member_id,
            member_first_name=member.first_name, member_last_name=member.last_name,
            member_birth_date=member.birth_date, state=member.state, program=span.program, plan_type=span.plan_type,
            billing_provider_id=billing.provider_id, billing_provider_name=billing.display_name,
            billing_provider_npi=claim.billing_provider_npi or billing.npi,
            rendering_provider_id=rendering.provider_id if rendering else None, tax_id=billing.tax_id,
            submitted_by=principal.username, received_at=now,
            service_from=claim.service_from.isoformat(), service_to=claim.service_to.isoformat(),
            place_of_service=claim.place_of_service, facility_type_code=claim.facility_type_code,
            admission_date=claim.admission_date.isoformat() if claim.admission_date else None,
            discharge_status=claim.discharge_status, prior_authorization_number=claim.prior_authorization_number,
            diagnosis_codes=[with_dot(code) for code in claim.diagnosis_codes],
            lines=[self._line_record(index, line, claim) for index, line in enumerate(claim.lines)],
            total_charge_cents=claim.total_charge_cents, other_payer_paid_cents=claim.other_payer_paid_cents,
            provider_status="-", tax_status="-",
        )
        record.received_key = received_key(now, record.claim_number)
        record.service_key = service_key(record.service_from, record.claim_number)
        if claim.frequency == Frequency.VOID:
            assert original is not None
            self._record_void(record, original, now)
        else:
            self._adjudicate(record, coverage, original)
        made_first = self._write_new(record, original, identity)
        if made_first is not None:
            logger.info("claim made meanwhile by another run: skipped", extra={"claim_number": made_first})
            return ClaimModel.get(made_first)
        trail.record(principal, AuditEntry(member.member_id, AuditAction.CLAIM_SUBMITTED, billing.provider_id,
                                           f"claim={record.claim_number} status={record.status}"), now)
        logger.info("claim submitted", extra={"claim_number": record.claim_number, "status": record.status,
                                              "source": source})
        metrics.count(f"Claim{record.status.title()}")
        return record

    @staticmethod
    def _billing_provider(principal: Principal, provider_id: str) -> Provider:
        return providers.acting_for(principal, provider_id, field="billingProviderId")

    @staticmethod
    def _rendering_provider(provider_id: str | None) -> Provider | None:
        if provider_id is None:
            return None
        provider = providers.find(provider_id)
        if provider is None:
            raise ValidationFailed(fields={"renderingProviderId": "is not a provider in the plan's directory"})
        return provider

    def _coverage(self, member: MemberModel, claim: ClaimInput) -> Eligibility:
        """The member must be covered on every date of service; the first date's coverage prices the claim."""
        not_covered: dict[str, str] = {}
        first: Eligibility | None = None
        for index, line in enumerate(claim.lines):
            for name, day in (("serviceDate", line.service_date), ("serviceDateTo", line.service_date_to)):
                if day is None:
                    continue
                eligibility = self._members.answer(member, day, None).eligibility
                if not eligibility.eligible:
                    not_covered[f"serviceLines.{index}.{name}"] = f"the member is not eligible on {day.isoformat()}"
                elif day == claim.service_from and first is None:
                    first = eligibility
        if not_covered or first is None:
            raise NotEligible("The member is not eligible on every date of service on the claim.", not_covered)
        return first

    def _original(self, billing: Provider, claim: ClaimInput) -> ClaimModel:
        number = claim.original_claim_number
        assert number is not None
        try:
            original = ClaimModel.get(number)
        except Missing:
            original = None
        if original is None or original.billing_provider_id != billing.provider_id:
            raise ValidationFailed(fields={"originalClaimNumber": f"{number} is not a claim of this billing provider"})
        if original.status in (ClaimStatus.REPLACED, ClaimStatus.VOIDED):
            raise ValidationFailed(fields={"originalClaimNumber": f"{number} was already "
                                                                  f"{original.status.lower()}; correct the latest "
                                                                  f"claim ({original.replaced_by})"})
        if ClaimStatus(original.status) not in FINAL_STATUSES:
            raise ValidationFailed(fields={"originalClaimNumber": f"{number} is not final yet "
                                                                  f"({original.status.lower()}): wait for its outcome"})
        if original.member_id != claim.member_id:
            raise ValidationFailed(fields={"originalClaimNumber": f"{number} is for another member"})
        return original

    @staticmethod
    def _line_record(index: int, line: ClaimLineInput, claim: ClaimInput) -> ClaimLineAttribute:
        return ClaimLineAttribute(
            line=index + 1, procedure_code=line.procedure_code, revenue_code=line.revenue_code,
            modifiers=list(line.modifiers), units=line.units, charge_cents=line.charge_cents,
            service_date=line.service_date.isoformat(),
            service_date_to=line.service_date_to.isoformat() if line.service_date_to else None,
            place_of_service=line.place_of_service or claim.place_of_service, tooth=line.tooth,
            surfaces=line.surfaces, diagnosis_pointers=list(line.diagnosis_pointers),
        )

    # Adjudication

    def _adjudicate(self, record: ClaimModel, coverage: Eligibility, original: ClaimModel | None) -> None:
        assert coverage.span is not None
        schedule = fee_schedule_key(record.state, coverage.span.plan_type)
        codes = {fee_code(record.claim_type, line) for line in record.lines}
        fees = {row.code: FeeRow(row.code, int(row.allowed_cents), int(row.copay_cents), row.consent_type)
                for row in FeeScheduleModel.batch_get([(schedule, code) for code in codes])}
        duplicates = self._duplicate_lines(record, original)
        facts = ClaimFacts(
            received_on=record.received_at.astimezone(self._zone).date(),
            lines=tuple(LineFacts(int(line.line), fee_code(record.claim_type, line), int(line.units),
                                  int(line.charge_cents), date.fromisoformat(line.service_date),
                                  emergency=is_emergency(line, record.place_of_service),
                                  duplicate=int(line.line) in duplicates) for line in record.lines),
            primary_other_insurance=any(other.order == "primary" for other in coverage.other_insurance),
            other_payer_paid_cents=record.other_payer_paid_cents,
        )
        consent_type = adjudicator.consent_needed(facts, fees)
        if consent_type:
            record.consent_type = consent_type
            form = self._documents.applicable_consent_form(ClaimForConsent(
                record.claim_number, record.member_id, ConsentType(consent_type), facts.received_on))
            if form is not None:
                record.consent_document_id = form.document_id
                facts = ClaimFacts(facts.received_on, facts.lines, facts.primary_other_insurance,
                                   facts.other_payer_paid_cents, consent_on_file=True)
        self._apply(record, adjudicator.adjudicate(facts, fees), original)

    def _duplicate_lines(self, record: ClaimModel, original: ClaimModel | None) -> set[int]:
        """Lines that repeat a line (same provider, code, date, charge) of the member's other live claims."""
        earlier = ClaimModel.by_member.query(
            record.member_id, range_key_condition=ClaimModel.service_key.between(record.service_from,
                                                                                 record.service_to + "~"),
            filter_condition=(ClaimModel.billing_provider_id == record.billing_provider_id)
            & ClaimModel.status.is_in(ClaimStatus.RECEIVED.value, ClaimStatus.PENDED.value,
                                      ClaimStatus.APPROVED.value, ClaimStatus.PAID.value,
                                      ClaimStatus.DENIED.value),
        )
        billed = {
            (fee_code(claim.claim_type, line), line.service_date, int(line.charge_cents))
            for claim in earlier
            if claim.claim_number != record.claim_number
            and (original is None or claim.claim_number != original.claim_number)
            for line in claim.lines
        }
        return {int(line.line) for line in record.lines
                if (fee_code(record.claim_type, line), line.service_date, int(line.charge_cents)) in billed}

    def _apply(self, record: ClaimModel, outcome: Adjudication, original: ClaimModel | None) -> None:
        now = self._clock()
        record.status = outcome.status.value
        record.pend_reason = outcome.pend_reason
        record.consent_type = outcome.consent_type or record.consent_type
        record.consent_pending_member = record.member_id if outcome.status == ClaimStatus.PENDED else None
        by_line = {result.line: result for result in outcome.lines}
        for line in record.lines:
            result = by_line.get(int(line.line))
            line.allowed_cents = result.allowed_cents if result else 0
            line.paid_cents = result.paid_cents if result else 0
            line.patient_responsibility_cents = result.patient_responsibility_cents if result else 0
            line.adjustments = [AdjustmentAttribute(group_code=a.group_code, reason_code=a.reason_code,
                                                    amount_cents=a.amount_cents)
                                for a in (result.adjustments if result else ())]
            line.remark_codes = list(result.remark_codes) if result else []
        record.allowed_cents = outcome.allowed_cents
        record.paid_cents = outcome.paid_cents
        record.patient_responsibility_cents = outcome.patient_responsibility_cents
        if original is not None and original.payment_id:
            record.reversal_cents = int(original.paid_cents)
        if outcome.status != ClaimStatus.PENDED:
            record.adjudicated_at = now
        note = "; ".join(outcome.notes) or None
        self._stamp(record, now, ADJUDICATOR, note)

    def _record_void(self, record: ClaimModel, original: ClaimModel, now: datetime) -> None:
        record.status = ClaimStatus.VOID.value
        record.reversal_cents = int(original.paid_cents) if original.payment_id else 0
        record.adjudicated_at = now
        self._stamp(record, now, ADJUDICATOR, f"Voids claim {original.claim_number}")

    @staticmethod
    def _stamp(record: ClaimModel, now: datetime, actor: str, note: str | None) -> None:
        """Index keys and the next remittance follow the status; history grows.

        Approved and denied claims go on the next remittance; a void only when it takes money back.
        """
        record.provider_status = scoped_status(record.billing_provider_id, record.status)
        record.tax_status = scoped_status(record.tax_id, record.status)
        reported = record.status in (ClaimStatus.APPROVED, ClaimStatus.DENIED) or (
            record.status == ClaimStatus.VOID and int(record.reversal_cents) != 0)
        if reported and record.payment_id is None:
            record.payable, record.payable_key = PAYABLE, payable_key(record.tax_id, record.claim_number)
        else:
            record.payable, record.payable_key = None, None
        record.history = [*record.history, HistoryAttribute(at=now, status=record.status, actor=actor, note=note)]

    def _write_new(self, record: ClaimModel, original: ClaimModel | None, identity: str | None) -> str | None:
        """Write the claim; returns instead the claim another run made for ``identity`` when one did first."""
        try:
            with transaction() as writes:
                writes.save(record, condition=ClaimModel.claim_number.does_not_exist())
                if identity is not None:
                    mark_made_once(writes, identity, record.claim_number)
                if original is not None:
                    status = ClaimStatus.VOIDED if record.frequency == Frequency.VOID else ClaimStatus.REPLACED
                    writes.update(original, actions=[
                        ClaimModel.status.set(status.value),
                        ClaimModel.replaced_by.set(record.claim_number),
                        ClaimModel.provider_status.set(scoped_status(original.billing_provider_id, status.value)),
                        ClaimModel.tax_status.set(scoped_status(original.tax_id, status.value)),
                        ClaimModel.payable.remove(), ClaimModel.payable_key.remove(),
                        ClaimModel.version.add(1),
                        ClaimModel.history.set(ClaimModel.history.append([HistoryAttribute(
                            at=record.received_at, status=status.value, actor=record.submitted_by,
                            note=f"{status.title()} by claim {record.claim_number}")])),
                    ], condition=ClaimModel.version == original.version)
        except TransactionCancelled as error:
            if identity is not None and (made := made_once(identity)) is not None:
                return made
            raise ClaimChanged(fields={"originalClaimNumber": "changed while this claim was submitted; "
                                                              "look at it again"}) from error
        return None

    # Reading

    def get(self, principal: Principal, claim_number: str, *, audited: bool = True) -> ClaimModel:
        try:
            claim = ClaimModel.get(claim_number)
        except Missing:
            raise ClaimNotFound() from None
        if not scope_of(principal).sees(claim.billing_provider_id, claim.tax_id):
            raise withheld(principal, ClaimNotFound())
        if audited:
            trail.record(principal, AuditEntry(claim.member_id, AuditAction.CLAIM_VIEWED, claim.billing_provider_id,
                                               f"claim={claim.claim_number}"), self._clock())
        return claim

    def view(self, principal: Principal, claim_number: str) -> ClaimView:
        claim = self.get(principal, claim_number)
        documents = self._documents.records(claim.document_ids or [])
        return ClaimView(claim, sorted(documents, key=lambda document: document.created_key))

    def search(self, principal: Principal, criteria: SearchCriteria) -> SearchPage[ClaimModel]:
        """One page, newest first, without a total: each page reads at most its own items plus one."""
        if criteria.claim_number:
            claim = self.get(principal, criteria.claim_number)
            matches = criteria.status is None or claim.status == criteria.status.value
            return SearchPage([claim] if matches else [], None)
        if criteria.member_id:
            return self._search_member(principal, criteria)
        if criteria.service_from or criteria.service_to:
            raise ValidationFailed(fields={"memberId": "is required to search by date of service"})
        received = date_range(ClaimModel.received_key, criteria.received_from, criteria.received_to,
                              first_field="receivedFrom", last_field="receivedTo")
        return office_search(CLAIM_OFFICE_INDEXES, self._partition(principal, criteria.provider_id),
                             criteria.status.value if criteria.status else None, received, criteria.limit,
                             criteria.next_token)

    def _search_member(self, principal: Principal, criteria: SearchCriteria) -> SearchPage[ClaimModel]:
        member = self._members.find(principal, MemberLookup(member_id=criteria.member_id))
        served = date_range(ClaimModel.service_key, criteria.service_from, criteria.service_to,
                            first_field="serviceFrom", last_field="serviceTo")
        condition = self._visible(principal)
        if criteria.provider_id:
            provider = self._billing_provider(principal, criteria.provider_id)
            condition = _and(condition, ClaimModel.billing_provider_id == provider.provider_id)
        if criteria.status:
            condition = _and(condition, ClaimModel.status == criteria.status.value)
        trail.record(principal, AuditEntry(member.member_id, AuditAction.CLAIMS_SEARCHED, principal.home_provider_id),
                     self._clock())
        return search_page(ClaimModel, ClaimModel.by_member, "member_id", member.member_id, served, condition,
                           criteria.limit, criteria.next_token)

    def _partition(self, principal: Principal, provider_id: str | None) -> OfficePartition:
        """A named provider's partition, else the office's own (its Tax ID, else its provider)."""
        if provider_id:
            return OfficePartition(by_provider=True, key=self._billing_provider(principal, provider_id).provider_id)
        home = scope_of(principal).home()
        if home is not None:
            return home
        raise ValidationFailed("Plan staff search by claim number, member or provider.",
                               {"providerId": "is required unless claimNumber or memberId is given"})

    @staticmethod
    def _visible(principal: Principal) -> Condition | None:
        return visible_to(principal, ClaimModel.tax_id, ClaimModel.billing_provider_id)

    # Attachments and pends

    def attach_documents(self, principal: Principal, claim_number: str,
                         files: Iterable[tuple[str, str]]) -> tuple[UploadTicket, ...]:
        claim = self.get(principal, claim_number, audited=False)
        provider = self._billing_provider(principal, claim.billing_provider_id)
        documents = []
        for file_name, content_type in files:
            document = self._documents.new_document(principal, provider, DocumentKind.CLINICAL_DOCUMENT, file_name,
                                                    content_type, member_id=claim.member_id)
            document.claim_number = claim.claim_number
            documents.append(document)
        if len(claim.document_ids) + len(documents) > CLAIM_ATTACHMENT_LIMIT:
            raise ValidationFailed(fields={"files": f"a claim holds at most {CLAIM_ATTACHMENT_LIMIT} attachments"})
        try:
            with transaction() as writes:
                writes.update(claim, actions=[
                    ClaimModel.document_ids.set(ClaimModel.document_ids.append(
                        [document.document_id for document in documents])),
                    ClaimModel.version.add(1),
                ], condition=ClaimModel.version == claim.version)
                for document in documents:
                    self._documents.add_to(writes, document)
        except TransactionCancelled as error:
            raise ClaimChanged() from error
        return tuple(self._documents.presign(document, self._settings.upload_max_bytes) for document in documents)

    def release_for_consent(self, member_id: str) -> list[ClaimModel]:
        """Re-adjudicate the member's claims pended for a consent form (after a form arrives)."""
        released = []
        for key in ClaimModel.awaiting_consent.query(member_id):
            claim = ClaimModel.get(key.claim_number)
            if claim.status != ClaimStatus.PENDED.value:
                continue
            member = self._members.on_file(claim.member_id)
            if member is None:
                continue
            coverage = self._members.answer(member, date.fromisoformat(claim.service_from), None).eligibility
            previous_version = int(claim.version)
            self._adjudicate(claim, coverage, None)
            if claim.status == ClaimStatus.PENDED.value:
                continue
            claim.version = previous_version + 1
            try:
                claim.save(condition=ClaimModel.version == previous_version)
            except WriteFailed as error:
                if not condition_failed(error):
                    raise
                logger.info("claim changed during release", extra={"claim_number": claim.claim_number})
                continue
            logger.info("pended claim released", extra={"claim_number": claim.claim_number, "status": claim.status})
            metrics.count("ClaimReleased")
            released.append(claim)
        return released


def _and(left: Condition | None, right: Condition) -> Condition:
    return right if left is None else left & right



