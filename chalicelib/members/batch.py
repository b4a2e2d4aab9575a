"""Member File Upload: eligibility for every row of an uploaded CSV.

The file is read as a stream and the results are written to a temporary file on disk,
then uploaded (in parts when large): memory stays flat whatever the row count. Rows are
looked up a hundred at a time (BatchGetItem for member IDs, a Query each otherwise). A bad
row gets its reason in the results; it never stops the file.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Any

from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry
from chalicelib.documents.enums import DocumentStatus
from chalicelib.documents.files import HEAD_BYTES, looks_like_csv
from chalicelib.documents.service import result_key
from chalicelib.members.eligibility import service_date_problem
from chalicelib.members.service import MemberLookup, MemberService
from chalicelib.members.store import MemberModel
from chalicelib.platform import metrics
from chalicelib.platform.aws import storage
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import MemberNotFound, MultipleMembersMatch
from chalicelib.platform.logs import logger
from chalicelib.platform.spreadsheet import safe_row

if TYPE_CHECKING:
    from chalicelib.documents.service import DocumentService
    from chalicelib.documents.store import DocumentModel
    from chalicelib.platform.access import Principal

CHUNK_ROWS = 100
PROGRESS_EVERY_ROWS = 1000
_HEADER_ALIASES = {
    "memberid": "member_id", "planmemberid": "member_id", "medicaidid": "medicaid_id",
    "lastname": "last_name", "firstname": "first_name", "birthdate": "birth_date", "dateofbirth": "birth_date",
    "dob": "birth_date", "dateofservice": "date_of_service", "dos": "date_of_service",
}
TEMPLATE_HEADER = ("dateOfService", "memberId", "medicaidId", "lastName", "firstName", "birthDate")
"""The template file's header row (Member File Upload): every column this parser reads, as the API names them."""
RESULT_COLUMNS = (
    "row", "memberId", "medicaidId", "lastName", "firstName", "birthDate", "dateOfService", "status", "program",
    "state", "coverageStart", "coverageEnd", "pcpProviderId", "pcpName", "otherInsurance", "reason",
)


class RowStatus(StrEnum):
    ELIGIBLE = "ELIGIBLE"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    NOT_FOUND = "NOT_FOUND"
    ERROR = "ERROR"


@dataclass
class BatchRow:
    number: int
    values: dict[str, str]
    lookup: MemberLookup | None = None
    date_of_service: date | None = None
    error: str | None = None


@dataclass
class Counts:
    total: int = 0
    by_status: dict[RowStatus, int] = field(default_factory=lambda: dict.fromkeys(RowStatus, 0))

    def add(self, status: RowStatus) -> None:
        self.total += 1
        self.by_status[status] += 1


def canonical_header(name: str) -> str | None:
    return _HEADER_ALIASES.get("".join(ch for ch in name.casefold() if ch.isalnum()))


def header_problem(columns: Iterable[str | None]) -> str | None:
    present = {column for column in columns if column}
    if "date_of_service" not in present:
        return "the header row must have a dateOfService column"
    if not ({"member_id", "medicaid_id"} & present or {"last_name", "first_name", "birth_date"} <= present):
        return "the header row must have memberId, medicaidId, or lastName, firstName and birthDate"
    return None


def parse_row(number: int, values: dict[str, str], today: date, lookback_months: int) -> BatchRow:
    """Validate one row: a date of service in the window and exactly one way to name the member."""
    row = BatchRow(number, values)
    if any("\ufffd" in value for value in values.values()):
        row.error = "the row is not UTF-8 text"
        return row
    raw_date = values.get("date_of_service", "").strip()
    try:
        row.date_of_service = date.fromisoformat(raw_date)
    except ValueError:
        row.error = "dateOfService must be a date as YYYY-MM-DD"
        return row
    problem = service_date_problem(row.date_of_service, today, lookback_months)
    if problem:
        row.error = f"dateOfService {problem}"
        return row
    member_id, medicaid_id = values.get("member_id", "").strip(), values.get("medicaid_id", "").strip()
    last, first, birth = (values.get(name, "").strip() for name in ("last_name", "first_name", "birth_date"))
    if member_id or medicaid_id:
        if any(len(value) > 20 or not value.isalnum() for value in (member_id, medicaid_id) if value):
            row.error = "memberId and medicaidId are letters and digits, at most 20"
            return row
        row.lookup = MemberLookup(member_id=member_id or None, medicaid_id=None if member_id else medicaid_id)
        return row
    if last and first and birth:
        try:
            birth_date = date.fromisoformat(birth)
        except ValueError:
            row.error = "birthDate must be a date as YYYY-MM-DD"
            return row
        if len(last) > 60 or len(first) > 60:
            row.error = "names are at most 60 characters"
            return row
        row.lookup = MemberLookup(last_name=last, first_name=first, birth_date=birth_date)
        return row
    row.error = "give memberId, medicaidId, or lastName, firstName and birthDate"
    return row


def _decoded_lines(lines: Iterable[bytes]) -> Iterator[str]:
    first = True
    for line in lines:
        text = line.decode("utf-8", errors="replace")
        if first:
            text = text.removeprefix("\ufeff")
            first = False
        yield text


class EligibilityFileRun:
    """One file's processing for its uploader's own principal (rows answer as the online eligibility check does:
    a member outside the states its providers practise in is not found): read, look up in chunks, audit, write."""

    def __init__(self, document: DocumentModel, members: MemberService, documents: DocumentService,
                 principal: Principal, now: datetime) -> None:
        self.document = document
        self.members = members
        self.documents = documents
        self.now = now
        self.today = members.today()
        self.settings = get_settings()
        self.principal = principal
        self.counts = Counts()

    def run(self, lines: Iterable[bytes], out: IO[str]) -> str | None:
        """Write the results; returns a file-level problem instead when the file cannot be read as asked."""
        reader = csv.reader(_decoded_lines(lines))
        header = next(reader, None)
        if header is None:
            return "the file is empty"
        columns = [canonical_header(name) for name in header]
        problem = header_problem(columns)
        if problem:
            return problem
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(RESULT_COLUMNS)
        chunk: list[BatchRow] = []
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            values = {column: cell for column, cell in zip(columns, cells, strict=False) if column}
            if number > self.settings.eligibility_file_max_rows:
                row = BatchRow(number, values, error=f"beyond the {self.settings.eligibility_file_max_rows}-row limit")
            else:
                row = parse_row(number, values, self.today, self.settings.eligibility_lookback_months)
            chunk.append(row)
            if len(chunk) >= CHUNK_ROWS:
                self._flush(chunk, writer)
                chunk = []
        if chunk:
            self._flush(chunk, writer)
        return None

    def _flush(self, chunk: list[BatchRow], writer: Any) -> None:
        members = self._members_for(chunk)
        audits: list[AuditEntry] = []
        for row in chunk:
            member = members.get(row.number)
            status, result, reason = self._evaluate(row, member)
            self.counts.add(status)
            if member is not None and row.date_of_service is not None:
                audits.append(AuditEntry(member.member_id, AuditAction.BATCH_ELIGIBILITY_CHECK,
                                         self.document.provider_id,
                                         f"file={self.document.document_id} row={row.number} "
                                         f"dateOfService={row.date_of_service.isoformat()} status={status.value}"))
            writer.writerow(safe_row((
                row.number, *(row.values.get(name, "") for name in
                              ("member_id", "medicaid_id", "last_name", "first_name", "birth_date",
                               "date_of_service")),
                status.value, *result, reason,
            )))
        trail.record_many(self.principal, audits, self.now)
        if self.counts.total % PROGRESS_EVERY_ROWS < len(chunk):
            self.documents.note_progress(self.document, {"rows_total": self.counts.total})

    def _members_for(self, chunk: list[BatchRow]) -> dict[int, MemberModel | MultipleMembersMatch | None]:
        """Row number -> member (or None), one BatchGetItem for the chunk's member IDs."""
        found: dict[int, Any] = {}
        by_id = {row.lookup.member_id for row in chunk if row.lookup and row.lookup.member_id}
        fetched = {member.member_id: member for member in MemberModel.batch_get(list(by_id))} if by_id else {}
        for row in chunk:
            if row.lookup is None:
                continue
            if row.lookup.member_id:
                member = fetched.get(row.lookup.member_id)
                found[row.number] = member if member and self.principal.may_see_state(member.state) else None
                continue
            try:
                found[row.number] = self.members.find(self.principal, row.lookup)
            except MultipleMembersMatch as error:
                found[row.number] = error
            except MemberNotFound:
                found[row.number] = None
        return found

    def _evaluate(self, row: BatchRow, member: Any) -> tuple[RowStatus, list[str], str]:
        empty = [""] * 7
        if row.error:
            return RowStatus.ERROR, empty, row.error
        if isinstance(member, MultipleMembersMatch):
            return RowStatus.ERROR, empty, "more than one member has this name and birth date; give the member ID"
        if member is None:
            return RowStatus.NOT_FOUND, empty, "no member matches in the states you serve"
        assert row.date_of_service is not None
        answer = self.members.answer(member, row.date_of_service, self.document.provider_id)
        eligibility = answer.eligibility
        span = eligibility.span
        others = "; ".join(f"{o.payer} ({o.order}) {o.policy_number}" for o in eligibility.other_insurance)
        result = [
            eligibility.program or "", member.state, span.start.isoformat() if span else "",
            span.end.isoformat() if span and span.end else "", member.pcp_provider_id or "", member.pcp_name or "",
            others,
        ]
        status = RowStatus.ELIGIBLE if eligibility.eligible else RowStatus.NOT_ELIGIBLE
        reason = "" if eligibility.eligible else "no coverage on the date of service"
        return status, result, reason


def process_eligibility_file(document: DocumentModel, event_time: datetime, members: MemberService,
                             documents: DocumentService) -> str:
    now = documents.now()
    if not documents.take_for_processing(document):
        return documents.status_of(document.document_id)
    documents.note_received(document, event_time)
    stored = documents.arrived_batch_file(document)
    if stored is None:
        return DocumentStatus.REJECTED.value
    if not looks_like_csv(storage.read_head(document.s3_key, HEAD_BYTES * 64)):
        return documents.reject(document, "the file is not CSV text", from_status=DocumentStatus.PROCESSING)
    principal = documents.uploader(document)
    if principal is None:
        return documents.reject(document, documents.uploader_gone_reason(document),
                                from_status=DocumentStatus.PROCESSING)
    run = EligibilityFileRun(document, members, documents, principal, now)
    with tempfile.TemporaryFile() as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        problem = run.run(storage.iter_lines(document.s3_key), text)
        if problem:
            return documents.reject(document, problem, from_status=DocumentStatus.PROCESSING)
        text.flush()
        text.detach()  # hand the bytes back to the spool without closing it
        spool.seek(0)
        storage.upload_file(spool, result_key(document.document_id), "text/csv; charset=utf-8")
    counts = run.counts.by_status
    documents.complete(document, result_key(document.document_id), {
        "rows_total": run.counts.total, "rows_eligible": counts[RowStatus.ELIGIBLE],
        "rows_not_eligible": counts[RowStatus.NOT_ELIGIBLE], "rows_not_found": counts[RowStatus.NOT_FOUND],
        "rows_rejected": counts[RowStatus.ERROR],
    })
    logger.info("eligibility file processed", extra={"document_id": document.document_id, "rows": run.counts.total})
    metrics.count("EligibilityFileRows", run.counts.total)
    return DocumentStatus.COMPLETED.value
