"""MEMBER SEARCH uploads in the browser: Upload Consent Form and Member File Upload, without JavaScript.

Each upload is two steps, as the bytes never pass through Lambda: a form of ours (POST, CSRF) makes
the document record through the same service the JSON route calls, then the upload page is an HTML
form posting the file straight to the presigned S3 POST, whose ``success_action_redirect`` brings the
browser back to the document's status page. The status page shows what the S3 event handler
decided (received, or rejected with its reason); portal.js refreshes it while it waits.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.documents.consent import ConsentType
from chalicelib.documents.enums import DocumentKind, DocumentStatus
from chalicelib.documents.schemas import ConsentUploadRequest
from chalicelib.documents.service import ConsentUpload
from chalicelib.handlers.layout import selected_provider
from chalicelib.handlers.members import paths
from chalicelib.handlers.members.routes import eligibility_file, eligibility_file_body, start_eligibility_file
from chalicelib.members.batch import TEMPLATE_HEADER
from chalicelib.platform.access import Principal
from chalicelib.platform.aws import storage
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import DocumentNotFound, NotEligible, ValidationFailed
from chalicelib.platform.permissions import MEMBER_DOCUMENTS_READ, Permission
from chalicelib.platform.web.api import parse_query
from chalicelib.platform.web.file_types import CSV_FILE_TYPE, DOCUMENT_FILE_TYPES, file_type_choices
from chalicelib.platform.web.forms import field_errors, parse_us_date, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route, portal_url_for

if TYPE_CHECKING:
    from chalicelib.documents.store import DocumentModel

member_upload_pages = Blueprint(__name__)
TAG = "Pages"
S3_FORM_ACTION = storage.upload_form_origins()
CONSENT_LABELS = {"consentType": "Consent type", "claimNumber": "Claim number", "contentType": "File type",
                  "dateOfService": "Date of service"}
CONSENT_TYPES = (("STERILIZATION", "Sterilization"), ("HYSTERECTOMY", "Hysterectomy"), ("ABORTION", "Abortion"))
FILE_TYPES, CSV = DOCUMENT_FILE_TYPES, CSV_FILE_TYPE
CHOICES = {
    "consent_types": [{"value": value, "text": text} for value, text in CONSENT_TYPES],
    "file_types": file_type_choices(),
}
WAITING = frozenset({DocumentStatus.AWAITING_UPLOAD.value, DocumentStatus.PROCESSING.value})
FORMS_ON_FILE = 50
FILES_PER_PAGE = 20


def _principal(page: PageRequest) -> Principal:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


def _provider_id(page: PageRequest) -> str | None:
    provider = selected_provider(page)
    return provider["provider_id"] if provider else None


# Upload Consent Form

def _forms_on_file(page: PageRequest, member_id: str) -> list[DocumentModel]:
    return wiring.current().documents().member_consent_forms(_principal(page), member_id, FORMS_ON_FILE, None).items


def consent_form(page: PageRequest, member_id: str, values: dict[str, str], errors: dict[str, str] | None = None,
                 status: int = 200) -> Page:
    return Page("members/consent_form.html", {
        "title": "Upload Consent Form", "member_id": member_id, "values": values, "errors": errors or {},
        "summary_errors": summary(errors or {}, CONSENT_LABELS), "choices": CHOICES,
        "consent_types": dict(CONSENT_TYPES), "forms": _forms_on_file(page, member_id), "acts_for_provider": True,
        "action": paths.consent_forms(member_id),
        "eligibility_link": paths.eligibility(member_id, values["dateOfService"]) if values["dateOfService"] else "",
    }, status=status)


def _iso(text: str) -> str:
    day = parse_us_date(text)
    return day.isoformat() if day else ""


@page_route(member_upload_pages, paths.CONSENT_FORMS, permission=Permission.MEMBER_DOCUMENTS, tag=TAG,
            summary="Upload Consent Form: its type, claim number and file type; the member's forms on file")
def consent_form_page(page: PageRequest, memberId: str) -> Page:
    values = {"consentType": "", "claimNumber": "", "contentType": "application/pdf",
              "dateOfService": _iso(page.query.get("dateOfService") or "")}
    return consent_form(page, memberId, values)


@page_route(member_upload_pages, paths.CONSENT_FORMS, permission=Permission.MEMBER_DOCUMENTS, method="POST", tag=TAG,
            summary="Make the consent form's record and go to its upload page",
            description="The service checks the member is eligible on the date of service first.")
def consent_form_submit(page: PageRequest, memberId: str) -> Page | Redirect:
    values = {name: (page.form.get(name) or "").strip() for name in CONSENT_LABELS}
    values["dateOfService"] = _iso(values["dateOfService"])
    try:
        request = _consent_request(values, _provider_id(page))
        ticket = wiring.current().documents().request_consent_upload(_principal(page), ConsentUpload(
            member_id=memberId, consent_type=ConsentType(request.consent_type),
            date_of_service=request.date_of_service, claim_number=request.claim_number,
            file_name=request.file_name, content_type=request.content_type, provider_id=request.provider_id))
    except (ValidationFailed, NotEligible) as error:
        return consent_form(page, memberId, values, field_errors(error, CONSENT_LABELS),
                            400 if error.code == ValidationFailed.code else 409)
    return Redirect(paths.document_upload(ticket.document.document_id))


def _consent_request(values: dict[str, str], provider_id: str | None) -> ConsentUploadRequest:
    """The form as the JSON route's body (the same checks and words); the file's name follows its type."""
    extension = FILE_TYPES.get(values["contentType"], ("", ".pdf"))[1].split(",")[0]
    body: dict[str, Any] = {
        "consentType": values["consentType"] or None, "claimNumber": values["claimNumber"] or None,
        "contentType": values["contentType"] or None, "providerId": provider_id,
        "dateOfService": date.fromisoformat(values["dateOfService"]) if values["dateOfService"] else None,
        "fileName": f"{(values['consentType'] or 'consent').lower()}-consent-form{extension}",
    }
    request = parse_query({name: value for name, value in body.items() if value is not None}, ConsentUploadRequest)
    assert isinstance(request, ConsentUploadRequest)
    return request


# The upload page (both kinds) and the status pages

def _status_path(document: DocumentModel) -> str:
    if document.kind == DocumentKind.ELIGIBILITY_FILE.value:
        return paths.member_file(document.document_id)
    return paths.document(document.document_id)


@page_route(member_upload_pages, paths.DOCUMENT_UPLOAD, permission=Permission.MEMBER_DOCUMENTS,
            tag=TAG, form_action=S3_FORM_ACTION,
            summary="Choose the file: a form that posts it straight to S3 (presigned POST)",
            description="S3 sends the browser back to the status page (success_action_redirect).")
def upload_page(page: PageRequest, documentId: str) -> Page | Redirect:
    documents = wiring.current().documents()
    document = documents.get(_principal(page), documentId)
    if document.kind not in (DocumentKind.CONSENT_FORM.value, DocumentKind.ELIGIBILITY_FILE.value):
        raise DocumentNotFound()
    if document.status != DocumentStatus.AWAITING_UPLOAD.value:
        return Redirect(_status_path(document))
    settings = get_settings()
    ticket = documents.presign(document, settings.upload_max_bytes, portal_url_for(page, _status_path(document)))
    consent = document.kind == DocumentKind.CONSENT_FORM.value
    return Page("uploads/upload.html", {
        "title": "Upload Consent Form" if consent else "Member File Upload", "document": document,
        "intro": f"Choose the consent form's file ({FILE_TYPES.get(document.content_type, CSV)[0]})." if consent
        else "Choose your member file (CSV).", "file_label": "Consent form file" if consent else "Member file",
        "ticket": ticket, "file_type": FILE_TYPES.get(document.content_type, CSV) if consent else CSV,
        "max_megabytes": settings.upload_max_bytes // (1024 * 1024), "status_link": _status_path(document),
        "acts_for_provider": False,
    })


@page_route(member_upload_pages, paths.DOCUMENT, permission=MEMBER_DOCUMENTS_READ, tag=TAG,
            summary="A consent form's status (awaiting upload, received, or rejected with the reason); forms on file")
def consent_status_page(page: PageRequest, documentId: str) -> Page | Redirect:
    document = wiring.current().documents().get(_principal(page), documentId)
    if document.kind == DocumentKind.ELIGIBILITY_FILE.value:
        return Redirect(_status_path(document))
    if document.kind != DocumentKind.CONSENT_FORM.value or not document.member_id:
        raise DocumentNotFound()
    return Page("members/consent_status.html", {
        "title": "Consent Form Status", "document": document, "waiting": document.status in WAITING,
        "forms": _forms_on_file(page, document.member_id), "refresh_link": paths.document(documentId),
        "upload_link": paths.document_upload(documentId),
        "eligibility_link": paths.eligibility(document.member_id, document.date_of_service or ""),
        "consent_types": dict(CONSENT_TYPES),
    })


# Member File Upload

@page_route(member_upload_pages, paths.MEMBER_FILES, permission=Permission.MEMBER_DOCUMENTS, tag=TAG,
            summary="Member File Upload: start an upload, the template file, past uploads newest first")
def member_files_page(page: PageRequest) -> Page:
    token = page.query.get("nextToken") or None
    found = wiring.current().documents().uploads_page(_principal(page), DocumentKind.ELIGIBILITY_FILE,
                                                      FILES_PER_PAGE, token)
    return Page("members/member_files.html", {
        "title": "Member File Upload", "files": found.items, "count": found.count,
        "next_link": paths.with_query(paths.MEMBER_FILES, nextToken=found.next_token) if found.next_token else "",
        "first_link": paths.MEMBER_FILES if token else "", "template_link": paths.MEMBER_FILE_TEMPLATE,
        "columns": TEMPLATE_HEADER, "acts_for_provider": True,
        "lookback_months": get_settings().eligibility_lookback_months,
    })


@page_route(member_upload_pages, paths.MEMBER_FILES, permission=Permission.MEMBER_DOCUMENTS, method="POST", tag=TAG,
            summary="Start a Member File Upload: its record, then its upload page")
def member_file_start(page: PageRequest) -> Redirect:
    today = wiring.current().members().today().isoformat()
    ticket = start_eligibility_file(_principal(page), _provider_id(page), f"member-file-{today}.csv")
    return Redirect(paths.document_upload(ticket.document.document_id))


@page_route(member_upload_pages, paths.MEMBER_FILE, permission=MEMBER_DOCUMENTS_READ, tag=TAG,
            summary="A Member File Upload's progress, counts and the results download")
def member_file_page(page: PageRequest, documentId: str) -> Page:
    document = eligibility_file(_principal(page), documentId)
    body = eligibility_file_body(document)
    return Page("members/member_file.html", {
        "title": "Member File Upload", "document": document, "result_url": body["result_url"],
        "waiting": document.status in WAITING, "refresh_link": paths.member_file(documentId),
        "upload_link": paths.document_upload(documentId), "list_link": paths.MEMBER_FILES,
    })


@page_route(member_upload_pages, paths.MEMBER_FILE_TEMPLATE, permission=Permission.MEMBER_DOCUMENTS,
            tag=TAG, produces="text/csv",
            summary="The Member File Upload template: the header row the file's parser reads")
def member_file_template(page: PageRequest) -> Response:
    return Response(body=",".join(TEMPLATE_HEADER) + "\r\n", status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="member-file-template.csv"',
    })
