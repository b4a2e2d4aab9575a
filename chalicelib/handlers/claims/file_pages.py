"""CLAIMS: Claim Files (837) in the browser: the office's files, sending one, and a file's 999 and results.

As Member File Upload (``handlers/members/uploads.py``): a form of ours (POST, CSRF) makes the file's record
through the same service call as ``POST /claim-files``, then the shared upload page posts the bytes straight to
the presigned S3 POST, whose ``success_action_redirect`` brings the browser back to the file's page. That page
refreshes itself while the file waits or is processing; then it says what the 999 says in words
(``claims/acknowledgment.py``: accepted, accepted with errors or rejected, each error's segment, position and
element), shows the 999 as sent, the TA1 when the file asked for one, and each claim's CLM01 with its claim
number or the reasons it was refused; a rejected or failed file, its reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.claims.acknowledgment import OUTCOME_WORDS, RECORDED, Acknowledgment, Outcome
from chalicelib.claims.enums import STATUS_LABELS, ClaimStatus
from chalicelib.documents.enums import DocumentStatus
from chalicelib.handlers.claims import paths
from chalicelib.handlers.claims.routes import claim_file_body
from chalicelib.handlers.layout import selected_provider
from chalicelib.platform.aws import storage
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import ValidationFailed
from chalicelib.platform.permissions import CLAIM_FILES_READ, Permission
from chalicelib.platform.web.forms import field_errors
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route, portal_url_for
from chalicelib.platform.web.templating import us_datetime
from chalicelib.platform.web.trail import PageTrail, link

if TYPE_CHECKING:
    from chalicelib.claims.acknowledgment import SetAcknowledgment
    from chalicelib.claims.files import ClaimFileService, ResultRow, ResultsPage
    from chalicelib.documents.store import DocumentModel
    from chalicelib.platform.access import Principal

claim_file_pages = Blueprint(__name__)
TAG = "Pages"
FILES_PER_PAGE = 20
RESULTS_PER_PAGE = 50
START = "from"
S3_FORM_ACTION = storage.upload_form_origins()
FILE_TYPE = ("An X12 837 file (837P or 837I, version 5010)", ".837,.837p,.837i,.x12,.edi,.txt,.dat")
"""The upload page's words and the extensions offered: browsers know no type for an 837, so the page checks names."""
WAITING = frozenset({DocumentStatus.AWAITING_UPLOAD.value, DocumentStatus.PROCESSING.value})
FILE_TAGS = {
    DocumentStatus.AWAITING_UPLOAD.value: ("Awaiting upload", "info"),
    DocumentStatus.PROCESSING.value: ("Processing", "warning"),
    DocumentStatus.RECEIVED.value: ("Received", "success"),
    DocumentStatus.COMPLETED.value: ("Completed", "success"),
    DocumentStatus.REJECTED.value: ("Rejected", "error"),
    DocumentStatus.FAILED.value: ("Failed", "error"),
}
OUTCOME_TONES = {Outcome.ACCEPTED: "success", Outcome.ACCEPTED_WITH_ERRORS: "warning", Outcome.REJECTED: "error"}


def _service() -> ClaimFileService:
    return wiring.current().claim_files()


def _principal(page: PageRequest) -> Principal:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


def file_tag(status: str) -> dict[str, str]:
    text, tone = FILE_TAGS.get(status, (status.replace("_", " ").title(), "neutral"))
    return {"text": text, "tone": tone}


def outcome_tag(outcome: Outcome) -> dict[str, str]:
    return {"text": OUTCOME_WORDS[outcome], "tone": OUTCOME_TONES[outcome]}


def _counted(document: DocumentModel, value: object) -> str:
    return str(value) if document.status == DocumentStatus.COMPLETED.value else ""


# Claim Files (837): the list and the start of an upload

def _file_row(document: DocumentModel) -> list[Any]:
    recorded = RECORDED.get(document.acknowledgment or "")
    return [
        {"text": us_datetime(document.created_at), "href": paths.claim_file(document.document_id),
         "sr": "claim file: its 999 and results"},
        document.uploaded_by, document.provider_id, {"tags": [file_tag(document.status)]},
        {"tags": [outcome_tag(recorded)]} if recorded else "",
        _counted(document, document.claims_total), _counted(document, document.claims_accepted),
        _counted(document, document.claims_rejected),
    ]


@page_route(claim_file_pages, paths.CLAIM_FILES, permission=CLAIM_FILES_READ, tag=TAG,
            summary="Claim Files (837): send an 837 file; your files, newest first, with their status and 999",
            description="A group sees every file under its Tax ID; a practitioner, those sent for it. 20 a page, "
            "with the list's maintained count.")
def claim_files_page(page: PageRequest) -> Page:
    errors: dict[str, str] = {}
    table = None
    try:
        trail = PageTrail.from_query(page.query)
        found = _service().page(_principal(page), FILES_PER_PAGE, trail.token)
        table = {
            "id": "claim-files", "caption": "Your 837 files, newest first", "total": found.count,
            "columns": [{"key": key, "label": label} for key, label in (
                ("uploaded", "Uploaded"), ("by", "By"), ("provider", "Provider ID"), ("status", "Status"),
                ("ack", "999"), ("claims", "Claims"), ("made", "Claims made"), ("refused", "Claims refused"))],
            "rows": [_file_row(document) for document in found.items],
            "previous_href": trail.previous_href(paths.CLAIM_FILES, {}),
            "next_href": trail.next_href(paths.CLAIM_FILES, {}, found.next_token),
            "next_text": "Older files", "position": f"Page {trail.number}",
            "empty": "No 837 files yet. Select \u201cSend an 837 file\u201d to send your first.",
        }
    except ValidationFailed as error:
        errors = field_errors(error, {"nextToken": "The page link"})
    return Page("claims/claim_files.html", {
        "title": "Claim Files (837)", "table": table, "errors": errors, "acts_for_provider": True,
        "may_send": _principal(page).has(Permission.CLAIMS_SUBMIT),
        "start_link": paths.CLAIM_FILES, "list_link": paths.CLAIM_FILES,
        "max_megabytes": get_settings().upload_max_bytes // (1024 * 1024),
    })


@page_route(claim_file_pages, paths.CLAIM_FILES, permission=Permission.CLAIMS_SUBMIT, method="POST", tag=TAG,
            summary="Send an 837 file: its record (for the provider chosen), then its upload page")
def claim_file_start(page: PageRequest) -> Redirect:
    provider = selected_provider(page)
    today = wiring.current().claims().today().isoformat()
    ticket = _service().start(_principal(page), provider["provider_id"] if provider else None,
                              f"claim-file-{today}.837")
    return Redirect(paths.claim_file_upload(ticket.document.document_id))


@page_route(claim_file_pages, paths.CLAIM_FILE_UPLOAD, permission=Permission.CLAIMS_SUBMIT, tag=TAG,
            form_action=S3_FORM_ACTION,
            summary="Choose the 837 file: a form that posts it straight to S3 (presigned POST)",
            description="The page checks the file's name and size before it is sent; S3 sends the browser back to "
            "the file's page (success_action_redirect).")
def claim_file_upload_page(page: PageRequest, documentId: str) -> Page | Redirect:
    service = _service()
    document = service.get(_principal(page), documentId)
    status_link = paths.claim_file(documentId)
    if document.status != DocumentStatus.AWAITING_UPLOAD.value:
        return Redirect(status_link)
    settings = get_settings()
    return Page("uploads/upload.html", {
        "title": "Send an 837 File", "document": document,
        "intro": "Choose the 837 file (X12 5010: 837P professional or 837I institutional claims).",
        "file_label": "837 file", "ticket": service.presign(document, portal_url_for(page, status_link)),
        "file_type": FILE_TYPE, "by_extension": True,
        "max_megabytes": settings.upload_max_bytes // (1024 * 1024), "status_link": status_link,
        "acts_for_provider": False,
    })


# A claim file: its status, 999 and results

def _upper_first(words: str) -> str:
    return words[:1].upper() + words[1:]


def _error_rows(transaction: SetAcknowledgment) -> list[list[str]]:
    """One row per element in error (a segment in error without elements: one row for the segment)."""
    rows = []
    for note in transaction.segments:
        segment = f"{note.segment_id} ({note.name})"
        where = note.position + (f", loop {note.loop}" if note.loop else "")
        if not note.elements:
            rows.append([segment, where, "", "", _upper_first(note.problem)])
        for element in note.elements:
            rows.append([segment, where, f"{element.element} (data element {element.reference})",
                         element.value or "", _upper_first(element.problem)])
    return rows


def _acknowledgment(summary: Acknowledgment) -> dict[str, Any]:
    return {
        "summary": summary, "tag": outcome_tag(summary.outcome),
        "sets": [{
            "set": transaction, "tag": outcome_tag(transaction.outcome),
            "errors": {
                "id": f"set-{transaction.control_number}-errors",
                "caption": f"Errors in transaction set {transaction.control_number}: segment, element, what is wrong",
                "total": None, "empty": "No errors.",
                "columns": [{"key": key, "label": label} for key, label in (
                    ("segment", "Segment"), ("position", "Position in the set"), ("element", "Element"),
                    ("value", "Value sent"), ("problem", "What is wrong"))],
                "rows": _error_rows(transaction),
            },
        } for transaction in summary.sets],
    }


def _result_row(row: ResultRow) -> list[Any]:
    claim: Any = ""
    if row.claim_number:
        claim = {"text": row.claim_number, "href": paths.claim(row.claim_number)}
    status = STATUS_LABELS[ClaimStatus(row.status)] if row.status in ClaimStatus.__members__ else ""
    return [
        row.patient_control_number or "(none)", row.member_id, f"${row.total_charge}",
        {"tags": [{"text": "Accepted", "tone": "success"} if row.accepted else {"text": "Refused", "tone": "error"}]},
        claim, status, "; ".join(row.reasons),
    ]


def _results_table(document: DocumentModel, found: ResultsPage) -> dict[str, Any]:
    path = paths.claim_file(document.document_id)
    last = found.start + len(found.rows)
    previous = max(found.start - RESULTS_PER_PAGE, 0)
    return {
        "id": "results", "caption": "Each claim of the file, in the file's order", "total": int(document.claims_total),
        "columns": [{"key": key, "label": label} for key, label in (
            ("clm01", "Claim (CLM01)"), ("member", "Member ID"), ("billed", "Billed"), ("outcome", "Outcome"),
            ("number", "Claim number"), ("status", "Status when made"), ("reasons", "Reasons refused"))],
        "rows": [_result_row(row) for row in found.rows],
        "previous_href": link(path, {START: str(previous)} if previous else {}) if found.start else "",
        "next_href": link(path, {START: str(found.next_start)}) if found.next_start is not None else "",
        "next_text": "Next claims",
        "position": f"Claims {found.start + 1} to {last}" if found.rows else "",
        "empty": "The file held no claims." if not found.start else "No claims after these: go back a page.",
    }


def _start(page: PageRequest) -> int:
    raw = page.query.get(START) or "0"
    return int(raw) if raw.isdigit() and len(raw) <= 9 else 0


@page_route(claim_file_pages, paths.CLAIM_FILE, permission=CLAIM_FILES_READ, tag=TAG,
            summary="An 837 file: its status (refreshed while processing), its 999 in words and as sent, the TA1, "
                    "each claim's number or reasons, the results CSV",
            description="50 claims a page (?from=). A rejected or failed file shows its reason.")
def claim_file_page(page: PageRequest, documentId: str) -> Page:
    service = _service()
    document = service.get(_principal(page), documentId)
    links = claim_file_body(document)
    acknowledgment = service.acknowledgment(document)
    found = service.results(document, _start(page), RESULTS_PER_PAGE)
    return Page("claims/claim_file.html", {
        "title": "Claim File (837)", "document": document, "tag": file_tag(document.status),
        "waiting": document.status in WAITING, "refresh_link": paths.claim_file(documentId),
        "upload_link": paths.claim_file_upload(documentId), "list_link": paths.CLAIM_FILES,
        "claims_made": service.claims_made(document),
        "acknowledgment": acknowledgment,
        "ack": _acknowledgment(acknowledgment.summary) if acknowledgment and acknowledgment.summary else None,
        "acknowledgment_url": links["acknowledgment_url"], "results_url": links["results_url"],
        "results": _results_table(document, found) if found is not None else None,
    })
