"""837 claim files as an office follows them: start an upload, read a file's record, its 999 and its results.

What a file's run leaves is read here, not stored again: the document record (status, reason, counts, the
999's code and key, the results' key), the 999 text the upload handler wrote, the results CSV the last batch
wrote (``claims.batch``), and the file's tally while its claims are still being made. A file the user may
not see, or a document of another kind, answers as absent (``BatchNotFound``).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.claims.acknowledgment import Acknowledgment, NotAnAcknowledgment, read_999
from chalicelib.claims.batch import RESULT_COLUMNS, tally_job
from chalicelib.claims.enums import X12_CONTENT_TYPE
from chalicelib.documents.enums import DocumentKind, DocumentStatus
from chalicelib.platform.aws import storage
from chalicelib.platform.config import Settings
from chalicelib.platform.dynamo.control import tally
from chalicelib.platform.errors import BatchNotFound, DocumentNotFound
from chalicelib.platform.spreadsheet import FORMULA_STARTS

if TYPE_CHECKING:
    from chalicelib.documents.service import DocumentService, UploadTicket
    from chalicelib.documents.store import DocumentModel
    from chalicelib.platform.access import Principal
    from chalicelib.platform.dynamo.paging import Page

ACKNOWLEDGMENT_BYTES = 1024 * 1024
"""At most this much of a 999 is read for a page (a 5,000-claim file with an error in every claim is about 300 KB)."""
ACKNOWLEDGED = frozenset({DocumentStatus.PROCESSING.value, DocumentStatus.COMPLETED.value})
REASON_SEPARATOR = " | "


@dataclass(frozen=True)
class FileAcknowledgment:
    """The 999 as sent (``text``) and what it says (``summary``; None when the text is not X12 at all)."""

    text: str
    summary: Acknowledgment | None
    truncated: bool


@dataclass(frozen=True)
class ResultRow:
    """One claim of the file as the results CSV says it, its values as the file sent them."""

    position: int
    transaction_set: str
    patient_control_number: str
    member_id: str
    billing_npi: str
    total_charge: str
    accepted: bool
    claim_number: str | None
    status: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ResultsPage:
    rows: tuple[ResultRow, ...]
    start: int
    next_start: int | None


def as_sent(cell: str) -> str:
    """A results cell as the file sent it: the apostrophe that keeps a spreadsheet from running it taken off."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _row(position: int, values: dict[str, str]) -> ResultRow:
    shown = {name: as_sent(values.get(name) or "") for name in RESULT_COLUMNS}
    reasons = tuple(reason for reason in shown["reasons"].split(REASON_SEPARATOR) if reason)
    return ResultRow(position, shown["transactionSet"], shown["patientControlNumber"], shown["memberId"],
                     shown["billingNpi"], shown["totalCharge"], shown["outcome"] == "ACCEPTED",
                     shown["claimNumber"] or None, shown["status"] or None, reasons)


class ClaimFileService:
    def __init__(self, settings: Settings, documents: DocumentService) -> None:
        self._settings = settings
        self._documents = documents

    def start(self, principal: Principal, provider_id: str | None, file_name: str) -> UploadTicket:
        """A new 837 file's record (AWAITING_UPLOAD) for the provider acted for, and its presigned POST."""
        provider = self._documents.acting_provider(principal, provider_id)
        document = self._documents.new_document(principal, provider, DocumentKind.CLAIM_FILE, file_name,
                                                X12_CONTENT_TYPE)
        return self._documents.issue_upload(document, self._settings.upload_max_bytes)

    def get(self, principal: Principal, document_id: str) -> DocumentModel:
        try:
            document = self._documents.get(principal, document_id)
        except DocumentNotFound:
            raise BatchNotFound() from None
        if document.kind != DocumentKind.CLAIM_FILE.value:
            raise BatchNotFound()
        return document

    def page(self, principal: Principal, limit: int, token: str | None) -> Page[DocumentModel]:
        """The office's files, newest first, with the list's maintained count."""
        return self._documents.uploads_page(principal, DocumentKind.CLAIM_FILE, limit, token)

    def presign(self, document: DocumentModel, success_redirect: str) -> UploadTicket:
        """A fresh presigned POST for a file still awaiting its upload (the upload page's form)."""
        return self._documents.presign(document, self._settings.upload_max_bytes, success_redirect)

    @staticmethod
    def acknowledgment(document: DocumentModel) -> FileAcknowledgment | None:
        """The 999 the upload handler wrote (written before the claims are made: there while PROCESSING)."""
        if document.status not in ACKNOWLEDGED or not document.acknowledgment_key:
            return None
        raw = storage.read_head(document.acknowledgment_key, ACKNOWLEDGMENT_BYTES)
        text = raw.decode("ascii", errors="replace")
        try:
            summary = read_999(text)
        except NotAnAcknowledgment:
            summary = None
        return FileAcknowledgment(text, summary, truncated=len(raw) >= ACKNOWLEDGMENT_BYTES)

    @staticmethod
    def claims_made(document: DocumentModel) -> int | None:
        """While a file is PROCESSING: how many of its claims the batch workers have made so far."""
        if document.status != DocumentStatus.PROCESSING.value:
            return None
        counted = tally(tally_job(document.document_id))
        return counted.done if counted is not None else 0

    @staticmethod
    def results(document: DocumentModel, start: int, limit: int) -> ResultsPage | None:
        """Rows ``start`` to ``start + limit`` of a completed file's results, streamed from the CSV (memory stays
        flat whatever the file's size; a later page reads past the earlier rows)."""
        if document.status != DocumentStatus.COMPLETED.value or not document.result_key:
            return None
        lines: Iterator[str] = (line.decode("utf-8") for line in storage.iter_lines(document.result_key))
        reader = csv.DictReader(lines)
        wanted = list(itertools.islice(reader, start, start + limit + 1))
        rows = tuple(_row(start + offset, values) for offset, values in enumerate(wanted[:limit]))
        return ResultsPage(rows, start, start + limit if len(wanted) > limit else None)
