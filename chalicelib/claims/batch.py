"""837 claim files: validate with pyx12, acknowledge with a 999, and submit every valid claim.

Each claim of an accepted transaction set goes through the same ``ClaimService.submit`` as
the online form (validation, eligibility on each date, adjudication). A claim that fails
is listed with its reasons in the results file; the others go through. The 999 and the
results are written to S3 beside the upload and named on the document record.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.claims.enums import ClaimType, Frequency
from chalicelib.claims.form import ClaimInput, ClaimLineInput
from chalicelib.claims.service import ClaimService
from chalicelib.documents.enums import DocumentStatus
from chalicelib.documents.service import DocumentService, claim_file_result_key, uploader_principal
from chalicelib.members.service import MemberService
from chalicelib.platform import metrics
from chalicelib.platform.access import Principal
from chalicelib.platform.aws import storage
from chalicelib.platform.dynamo.control import next_number
from chalicelib.platform.errors import PortalError
from chalicelib.platform.logs import logger
from chalicelib.platform.spreadsheet import safe_row
from chalicelib.platform.x12.ack999 import build_999, outcomes
from chalicelib.platform.x12.read837 import ClaimFields, NotAnInterchange, read_837
from chalicelib.providers import service as providers
from chalicelib.providers.service import Provider

if TYPE_CHECKING:
    from chalicelib.documents.store import DocumentModel

RESULT_COLUMNS = ("transactionSet", "patientControlNumber", "memberId", "billingNpi", "totalCharge", "outcome",
                  "claimNumber", "status", "reasons")
PROGRESS_EVERY_CLAIMS = 100


@dataclass(frozen=True)
class ClaimOutcome:
    transaction_set: str
    fields: ClaimFields
    claim_number: str | None
    status: str | None
    reasons: tuple[str, ...]

    @property
    def accepted(self) -> bool:
        return self.claim_number is not None


def claim_input(fields: ClaimFields, billing_provider_id: str) -> ClaimInput:
    """The online form's input from an 837 claim (a line with no date takes the statement's first day)."""
    default_date = fields.statement_from
    lines = []
    for line in fields.lines:
        service_date = line.service_date or default_date
        if service_date is None:
            raise ValueError("a service line has no date of service (DTP*472) and the claim no statement dates")
        lines.append(ClaimLineInput(
            charge_cents=line.charge_cents, units=line.units, service_date=service_date,
            procedure_code=line.procedure_code, revenue_code=line.revenue_code, modifiers=line.modifiers,
            service_date_to=line.service_date_to if line.service_date_to != service_date else None,
            place_of_service=line.place_of_service, diagnosis_pointers=line.diagnosis_pointers,
        ))
    try:
        frequency = Frequency(fields.frequency)
    except ValueError:
        raise ValueError(f"claim frequency code {fields.frequency} is not 1, 7 or 8") from None
    return ClaimInput(
        claim_type=ClaimType(fields.claim_type), billing_provider_id=billing_provider_id,
        member_id=fields.member_id or "",
        diagnosis_codes=tuple(fields.diagnosis_codes), lines=tuple(lines), total_charge_cents=fields.total_charge_cents,
        frequency=frequency, original_claim_number=fields.original_claim_number,
        patient_control_number=fields.patient_control_number,
        place_of_service=fields.place_of_service if fields.claim_type != ClaimType.INSTITUTIONAL else None,
        facility_type_code=fields.facility_type_code, admission_date=fields.admission_date,
        discharge_status=fields.discharge_status, prior_authorization_number=fields.prior_authorization_number,
        other_payer_paid_cents=fields.other_payer_paid_cents, billing_provider_npi=fields.billing_npi,
    )


def file_claim_identity(document_id: str, position: int) -> str:
    """A file's claim is the same claim on every run of the file: its document and its place in it."""
    return f"claim-file#{document_id}#{position}"


def error_reasons(error: PortalError) -> tuple[str, ...]:
    details = tuple(f"{name}: {problem}" for name, problem in error.fields.items())
    return (f"{error.code}: {error.message}", *details)


class ClaimFileRun:
    def __init__(self, document: DocumentModel, claims: ClaimService, members: MemberService,
                 principal: Principal) -> None:
        self.document = document
        self.claims = claims
        self.members = members
        self.principal = principal
        self.providers_by_npi: dict[str, Provider | None] = {}

    def member_exists(self, member_id: str | None) -> bool:
        return bool(member_id) and self.members.on_file(str(member_id)) is not None

    def provider_for(self, npi: str | None) -> Provider | None:
        if not npi:
            return None
        if npi not in self.providers_by_npi:
            self.providers_by_npi[npi] = providers.with_npi(npi)
        return self.providers_by_npi[npi]

    def submit(self, transaction_set: str, fields: ClaimFields, position: int) -> ClaimOutcome:
        """Submit the file's claim at ``position`` (its place in the file): once, however often the file is run."""
        if fields.problems:
            return ClaimOutcome(transaction_set, fields, None, None, tuple(fields.problems))
        reasons = []
        provider = self.provider_for(fields.billing_npi)
        if provider is None:
            reasons.append(f"PROVIDER_NOT_FOUND: billing provider NPI {fields.billing_npi or '(none)'} is not in "
                           f"the plan's directory")
        if fields.icd9_codes:
            reasons.append(f"ICD-9 diagnosis codes ({', '.join(fields.icd9_codes)}) are not accepted: dates of "
                           f"service from 2015-10-01 need ICD-10-CM (HI qualifiers ABK/ABF)")
        if reasons or provider is None:
            if not self.member_exists(fields.member_id):  # say so too, so one answer lists every reason
                reasons.insert(0, f"MEMBER_NOT_FOUND: subscriber ID {fields.member_id or '(none)'} is not a "
                                  f"member of the plan")
            return ClaimOutcome(transaction_set, fields, None, None, tuple(reasons))
        try:
            claim = self.claims.submit(self.principal, claim_input(fields, provider.provider_id), source="X12",
                                       batch_id=self.document.document_id,
                                       identity=file_claim_identity(self.document.document_id, position))
        except PortalError as error:
            return ClaimOutcome(transaction_set, fields, None, None, error_reasons(error))
        except ValueError as error:
            return ClaimOutcome(transaction_set, fields, None, None, (str(error),))
        return ClaimOutcome(transaction_set, fields, claim.claim_number, claim.status, ())


def _results_csv(results: list[ClaimOutcome]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RESULT_COLUMNS)
    for result in results:
        fields = result.fields
        writer.writerow(safe_row((result.transaction_set, fields.patient_control_number, fields.member_id or "",
                                  fields.billing_npi or "", f"{fields.total_charge_cents / 100:.2f}",
                                  "ACCEPTED" if result.accepted else "REJECTED", result.claim_number or "",
                                  result.status or "", " | ".join(result.reasons))))
    return out.getvalue().encode("utf-8")


def _store(key: str, body: bytes, content_type: str) -> None:
    storage.upload_file(io.BytesIO(body), key, content_type)


def process_claim_file(document: DocumentModel, event_time: datetime, documents: DocumentService,
                       claims: ClaimService, members: MemberService) -> str:
    now = documents.now()
    if not documents.take_for_processing(document):
        return documents.status_of(document.document_id)
    stored = documents.arrived_batch_file(document)
    if stored is None:
        return DocumentStatus.REJECTED.value
    text = storage.read_head(document.s3_key, stored.size).decode("utf-8", errors="replace")
    try:
        interchange = read_837(text)
    except NotAnInterchange as error:
        return documents.reject(document, f"not an 837 this portal accepts: {error}",
                                from_status=DocumentStatus.PROCESSING)
    decided = outcomes(interchange)
    run = ClaimFileRun(document, claims, members, uploader_principal(document, now))
    results: list[ClaimOutcome] = []
    for transaction, fields in interchange.claims():
        if decided[transaction.control_number].code.value == "R":
            reasons = tuple(transaction.set_problems) or tuple(fields.problems) or (
                "the transaction set was rejected (see the 999)",)
            results.append(ClaimOutcome(transaction.control_number, fields, None, None, reasons))
        else:
            results.append(run.submit(transaction.control_number, fields, len(results)))
        if len(results) % PROGRESS_EVERY_CLAIMS == 0:
            documents.note_progress(document, {"claims_total": len(results)})
    acknowledgment = build_999(interchange, next_number(f"x12-interchange#{interchange.sender_id.strip()}"), now)
    ack_key = claim_file_result_key(document.document_id, "acknowledgment.999")
    _store(ack_key, acknowledgment.encode("ascii", errors="replace"), "application/edi-x12")
    results_key = claim_file_result_key(document.document_id, "results.csv")
    _store(results_key, _results_csv(results), "text/csv; charset=utf-8")
    accepted = sum(1 for result in results if result.accepted)
    codes = {outcome.code.value for outcome in decided.values()}
    overall = "A" if codes == {"A"} else "R" if codes <= {"R"} else "E"
    documents.complete(document, results_key, {
        "claims_total": len(results), "claims_accepted": accepted, "claims_rejected": len(results) - accepted,
    }, received_at=event_time, acknowledgment=(ack_key, overall), only_while_processing=True)
    logger.info("claim file processed", extra={"document_id": document.document_id, "claims": len(results),
                                               "accepted": accepted, "acknowledgment": overall})
    metrics.count("ClaimFileClaims", len(results))
    return DocumentStatus.COMPLETED.value
