"""837 claim files: validate with pyx12, acknowledge with a 999, and submit every valid claim.

The upload handler validates the file, writes the 999 and fans the claims out over the claim-batches
queue, ``BATCH_CLAIMS`` a message; batch workers make them, each file claim once (known by the file and
its position), write their part of the results and add their count to the file's tally (the control
table, one conditional ADD per batch, so a batch delivered twice counts once). The write that brings the
tally to the file's total, a worker's or the upload handler's, writes the results and completes the file.

Each claim of an accepted transaction set goes through the same ``ClaimService.submit`` as
the online form (validation, eligibility on each date, adjudication), for the uploader's own
principal, which each worker rebuilds from the account (``DocumentService.uploader``): a
practitioner bills as itself, a group as its providers, never as the whole Tax ID. A claim that fails
is listed with its reasons in the results file; the others go through. The 999 and the
results are written to S3 beside the upload and named on the document record.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.claims.enums import CLAIM_BATCHES_QUEUE, ClaimType, Frequency
from chalicelib.claims.form import ClaimInput, ClaimLineInput
from chalicelib.claims.service import ClaimService
from chalicelib.documents.enums import DocumentStatus
from chalicelib.documents.service import DocumentService, claim_file_result_key
from chalicelib.members.service import MemberService
from chalicelib.platform import metrics
from chalicelib.platform.access import Principal
from chalicelib.platform.aws import queue, storage
from chalicelib.platform.dynamo.control import add_part, next_number, set_total, tally
from chalicelib.platform.errors import DocumentNotFound, PortalError, ProviderNotFound
from chalicelib.platform.logs import logger
from chalicelib.platform.spreadsheet import safe_row
from chalicelib.platform.x12.ack999 import build_999, outcomes
from chalicelib.platform.x12.read837 import ClaimFields, LineFields, NotAnInterchange, read_837
from chalicelib.providers import service as providers
from chalicelib.providers.service import Provider

if TYPE_CHECKING:
    from chalicelib.documents.store import DocumentModel

RESULT_COLUMNS = ("transactionSet", "patientControlNumber", "memberId", "billingNpi", "totalCharge", "outcome",
                  "claimNumber", "status", "reasons")
BATCH_CLAIMS = 25
"""Claims per batch message: a few seconds of a worker's time on DynamoDB, about 20 KB of SQS message."""
DATE_FIELDS = ("statement_from", "statement_to", "admission_date")

type BatchSender = Callable[[dict[str, Any]], object]


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
    """One batch of a file's claims, submitted for the uploader's own ``principal`` (None: the account that
    uploaded the file may no longer submit, and every claim is rejected saying so)."""

    def __init__(self, document: DocumentModel, claims: ClaimService, members: MemberService,
                 principal: Principal | None, uploader_gone: str) -> None:
        self.document = document
        self.claims = claims
        self.members = members
        self.principal = principal
        self.uploader_gone = uploader_gone
        self.billing_by_npi: dict[str | None, Provider | str] = {}

    def member_exists(self, member_id: str | None) -> bool:
        return bool(member_id) and self.members.on_file(str(member_id)) is not None

    def billing_provider(self, principal: Principal, npi: str | None) -> Provider | str:
        """The claim's billing provider (2010AA NM1*85) when the uploader may bill as it, else why not: the online
        form's check (``providers.acting_for``) for the uploader's own principal, its error code, the NPI in words."""
        if npi not in self.billing_by_npi:
            self.billing_by_npi[npi] = self._billing_provider(principal, npi)
        return self.billing_by_npi[npi]

    @staticmethod
    def _billing_provider(principal: Principal, npi: str | None) -> Provider | str:
        """An NPI outside the directory and another office's answer in the same words, as the online form's 404
        does: a file must not tell which NPIs the plan knows."""
        provider = providers.with_npi(npi) if npi else None
        try:
            if provider is None:
                raise ProviderNotFound()
            return providers.acting_for(principal, provider.provider_id)
        except ProviderNotFound as error:
            return f"{error.code}: billing provider NPI {npi or '(none)'} is not a provider this account may submit for"

    def submit(self, transaction_set: str, fields: ClaimFields, position: int) -> ClaimOutcome:
        """Submit the file's claim at ``position`` (its place in the file): once, however often the file is run."""
        if fields.problems:
            return ClaimOutcome(transaction_set, fields, None, None, tuple(fields.problems))
        if self.principal is None:
            return ClaimOutcome(transaction_set, fields, None, None, (self.uploader_gone,))
        reasons = []
        billing = self.billing_provider(self.principal, fields.billing_npi)
        provider = billing if isinstance(billing, Provider) else None
        if provider is None:
            reasons.append(str(billing))
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


def _result_row(result: ClaimOutcome) -> tuple[str, ...]:
    fields = result.fields
    return safe_row((result.transaction_set, fields.patient_control_number, fields.member_id or "",
                     fields.billing_npi or "", f"{fields.total_charge_cents / 100:.2f}",
                     "ACCEPTED" if result.accepted else "REJECTED", result.claim_number or "",
                     result.status or "", " | ".join(result.reasons)))


def _csv_bytes(rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _store(key: str, body: bytes, content_type: str) -> None:
    storage.upload_file(io.BytesIO(body), key, content_type)


# The fan-out: the upload handler validates, acknowledges and splits; batch workers make the claims


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def fields_message(fields: ClaimFields) -> dict[str, Any]:
    """A claim's fields as JSON for its batch's message (dates ISO), read back by ``fields_from_message``."""
    body = asdict(fields)
    for name in DATE_FIELDS:
        body[name] = _iso(getattr(fields, name))
    body["lines"] = [{**asdict(line), "service_date": _iso(line.service_date),
                      "service_date_to": _iso(line.service_date_to)} for line in fields.lines]
    return body


def fields_from_message(body: dict[str, Any]) -> ClaimFields:
    lines = [LineFields(**{**line, "modifiers": tuple(line["modifiers"]),
                           "diagnosis_pointers": tuple(line["diagnosis_pointers"]),
                           "service_date": _day(line["service_date"]),
                           "service_date_to": _day(line["service_date_to"])}) for line in body["lines"]]
    return ClaimFields(**{**body, **{name: _day(body[name]) for name in DATE_FIELDS}, "lines": lines,
                          "owners": tuple(body["owners"])})


def _part_key(document_id: str, batch: int) -> str:
    return claim_file_result_key(document_id, f"parts/{batch:06d}.csv")


def tally_job(document_id: str) -> str:
    return f"claim-file#{document_id}"


class ClaimBatches:
    """Sends a file's claims as batches of ``BATCH_CLAIMS``, each message as soon as it is full."""

    def __init__(self, document_id: str, send: BatchSender) -> None:
        self.document_id = document_id
        self.send = send
        self.pending: list[dict[str, Any]] = []
        self.claims = 0
        self.batches = 0

    def add(self, transaction_set: str, fields: ClaimFields, rejected: tuple[str, ...] | None) -> None:
        self.pending.append({"position": self.claims, "transactionSet": transaction_set,
                             "rejected": list(rejected) if rejected is not None else None,
                             "fields": fields_message(fields)})
        self.claims += 1
        if len(self.pending) >= BATCH_CLAIMS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.send({"documentId": self.document_id, "batch": self.batches, "claims": self.pending})
        self.batches += 1
        self.pending = []


def _status(document_id: str, documents: DocumentService) -> str:
    try:
        return documents.status_of(document_id)
    except DocumentNotFound:
        logger.warning("claim batch for a document that does not exist", extra={"document_id": document_id})
        return "NOT_FOUND"


def process_claim_file(document: DocumentModel, event_time: datetime, documents: DocumentService,
                       claims: ClaimService, members: MemberService, send: BatchSender | None = None) -> str:
    """The upload handler's part: check, validate with pyx12, write the 999, then fan the claims out to the
    claim-batches queue (each batch sent when full; the claims are let go as they are sent). The batch that
    brings the file's tally to its total writes the results and completes the file."""
    now = documents.now()
    if not documents.take_for_processing(document):
        return documents.status_of(document.document_id)
    stored = documents.arrived_batch_file(document)
    if stored is None:
        return DocumentStatus.REJECTED.value
    if documents.uploader(document) is None:
        return documents.reject(document, documents.uploader_gone_reason(document),
                                from_status=DocumentStatus.PROCESSING)
    text = storage.read_head(document.s3_key, stored.size).decode("utf-8", errors="replace")
    try:
        interchange = read_837(text)
    except NotAnInterchange as error:
        return documents.reject(document, f"not an 837 this portal accepts: {error}",
                                from_status=DocumentStatus.PROCESSING)
    del text
    decided = outcomes(interchange)
    acknowledgment = build_999(interchange, next_number(f"x12-interchange#{interchange.sender_id.strip()}"), now)
    ack_key = claim_file_result_key(document.document_id, "acknowledgment.999")
    _store(ack_key, acknowledgment.encode("ascii", errors="replace"), "application/edi-x12")
    codes = {outcome.code.value for outcome in decided.values()}
    overall = "A" if codes == {"A"} else "R" if codes <= {"R"} else "E"
    job = tally_job(document.document_id)
    already = tally(job)
    if already is not None and already.total is not None:  # a rerun after every batch was sent: none is resent
        documents.note_acknowledged(document, event_time, (ack_key, overall), {})
        if already.complete:
            finish_claim_file(document.document_id, documents)
        return documents.status_of(document.document_id)
    total = sum(len(transaction.claims) for group in interchange.groups for transaction in group.transactions)
    documents.note_acknowledged(document, event_time, (ack_key, overall), {"claims_total": total})
    batches = ClaimBatches(document.document_id, send or (lambda body: queue.send_json(CLAIM_BATCHES_QUEUE, body)))
    for group in interchange.groups:
        for transaction in group.transactions:
            rejected_set = decided[transaction.control_number].code.value == "R"
            waiting, transaction.claims = transaction.claims[::-1], []
            while waiting:  # each claim is let go once it is in a sent batch: memory does not pile up twice
                fields = waiting.pop()
                rejected = None
                if rejected_set:
                    rejected = tuple(transaction.set_problems) or tuple(fields.problems) or (
                        "the transaction set was rejected (see the 999)",)
                batches.add(transaction.control_number, fields, rejected)
    batches.flush()
    logger.info("claim file fanned out", extra={"document_id": document.document_id, "claims": batches.claims,
                                                "batches": batches.batches, "acknowledgment": overall})
    if set_total(job, batches.claims, batches.batches).complete:  # every batch was done already (or none)
        return finish_claim_file(document.document_id, documents)
    return DocumentStatus.PROCESSING.value


def process_claim_batch(batch: dict[str, Any], documents: DocumentService, claims: ClaimService,
                        members: MemberService) -> str:
    """A batch worker's part: make the batch's claims (each once, known by document and position), write
    its part of the results, then add its count to the file's tally, once however often it is delivered."""
    document_id, index = str(batch["documentId"]), int(batch["batch"])
    document = documents.processing(document_id)
    if document is None:  # finished (or failed) already: a late or repeated delivery changes nothing
        return _status(document_id, documents)
    principal = documents.uploader(document)  # rebuilt from the account by each worker: no batch carries one
    run = ClaimFileRun(document, claims, members, principal, documents.uploader_gone_reason(document))
    rows = []
    for item in batch["claims"]:
        fields = fields_from_message(item["fields"])
        if item["rejected"] is not None:
            outcome = ClaimOutcome(item["transactionSet"], fields, None, None, tuple(item["rejected"]))
        else:
            outcome = run.submit(item["transactionSet"], fields, int(item["position"]))
        rows.append(_result_row(outcome))
    _store(_part_key(document_id, index), _csv_bytes(rows), "text/csv; charset=utf-8")
    counted = add_part(tally_job(document_id), index, len(rows))
    if counted is None:  # this batch was counted by an earlier delivery, which may have died before finishing
        counted = tally(tally_job(document_id))
    if counted is not None and counted.complete:
        return finish_claim_file(document_id, documents)
    return DocumentStatus.PROCESSING.value


def finish_claim_file(document_id: str, documents: DocumentService) -> str:
    """Write the results (every batch's part, in the file's order, streamed) and complete the file."""
    document = documents.processing(document_id)
    if document is None:
        return _status(document_id, documents)
    counted = tally(tally_job(document_id))
    part_count = counted.part_count if counted is not None and counted.part_count is not None else 0
    totals = {"claims_total": 0, "claims_accepted": 0}
    outcome_column = RESULT_COLUMNS.index("outcome")

    def chunks() -> Iterator[bytes]:
        yield _csv_bytes([RESULT_COLUMNS])
        for index in range(part_count):
            part = b"".join(storage.iter_lines(_part_key(document_id, index)))
            for row in csv.reader(io.StringIO(part.decode("utf-8"))):
                totals["claims_total"] += 1
                totals["claims_accepted"] += row[outcome_column] == "ACCEPTED"
            yield part

    results_key = claim_file_result_key(document_id, "results.csv")
    storage.upload_chunks(chunks(), results_key, "text/csv; charset=utf-8")
    total, accepted = totals["claims_total"], totals["claims_accepted"]
    documents.complete(document, results_key, {
        "claims_total": total, "claims_accepted": accepted, "claims_rejected": total - accepted,
    }, only_while_processing=True)
    logger.info("claim file processed", extra={"document_id": document_id, "claims": total, "accepted": accepted,
                                               "acknowledgment": document.acknowledgment})
    metrics.count("ClaimFileClaims", total)
    return DocumentStatus.COMPLETED.value
