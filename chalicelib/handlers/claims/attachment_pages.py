"""CLAIMS: add an attachment from a claim's page (medical records, an operative report, an itemized bill...).

Two steps, as every upload (``handlers/members/uploads.py``): the form says what the document is (its file type
and a description, which names the attachment) and makes its record through the same service call as
``POST /claims/{claimNumber}/documents``; then the shared upload page posts the file straight to the presigned S3
POST, whose ``success_action_redirect`` brings the browser back to the claim's page, where the attachment shows
with its status (refreshed until the upload is checked; a refused file with its reason).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.documents.enums import DocumentKind, DocumentStatus
from chalicelib.handlers.claims import paths
from chalicelib.platform.aws import storage
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import ClaimChanged, DocumentNotFound, ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.file_types import DOCUMENT_FILE_TYPES, file_type_choices
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route, portal_url_for

if TYPE_CHECKING:
    from chalicelib.claims.service import ClaimService
    from chalicelib.platform.access import Principal

claim_attachment_pages = Blueprint(__name__)
TAG = "Pages"
S3_FORM_ACTION = storage.upload_form_origins()
DESCRIPTION_LENGTH = 80
LABELS = {"contentType": "Document type", "description": "Description"}
_SPACES = re.compile(r"\s+")


def _claims() -> ClaimService:
    return wiring.current().claims()


def _principal(page: PageRequest) -> Principal:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


def attachment_file_name(description: str, content_type: str) -> str:
    """The attachment's name on the claim: its description, with the type's extension (``Operative-report.pdf``)."""
    extension = DOCUMENT_FILE_TYPES[content_type][1].split(",")[0]
    return _SPACES.sub("-", description.strip()) + extension


def _problems(values: dict[str, str]) -> dict[str, str]:
    problems = {}
    if values["contentType"] not in DOCUMENT_FILE_TYPES:
        problems["contentType"] = "is required: choose the file's type (PDF, TIFF, JPEG or PNG)"
    if not values["description"]:
        problems["description"] = "is required: say what the document is, e.g. Operative report"
    elif len(values["description"]) > DESCRIPTION_LENGTH:
        problems["description"] = f"must be at most {DESCRIPTION_LENGTH} characters"
    return problems


def attachment_form(page: PageRequest, number: str, values: dict[str, str], errors: dict[str, str] | None = None,
                    status: int = 200) -> Page:
    """The form (a refused one with its values and errors). The claim is read first: another office's is 404."""
    claim = _claims().get(_principal(page), number)
    return Page("claims/attachment.html", {
        "title": f"Add an Attachment to Claim {claim.claim_number}", "claim_number": claim.claim_number,
        "member": f"{claim.member_first_name} {claim.member_last_name} ({claim.member_id})",
        "values": values, "errors": errors or {}, "summary_errors": summary(errors or {}, LABELS),
        "file_types": file_type_choices(), "action": paths.attachments(claim.claim_number),
        "claim_link": paths.claim(claim.claim_number), "description_length": DESCRIPTION_LENGTH,
        "max_megabytes": get_settings().upload_max_bytes // (1024 * 1024),
    }, status=status)


@page_route(claim_attachment_pages, paths.ATTACHMENTS, permission=Permission.CLAIMS_SUBMIT, tag=TAG,
            summary="Add an attachment to a claim: the document's type and a description")
def attachment_page(page: PageRequest, number: str) -> Page:
    return attachment_form(page, number, {"contentType": "application/pdf", "description": ""})


@page_route(claim_attachment_pages, paths.ATTACHMENTS, permission=Permission.CLAIMS_SUBMIT, method="POST", tag=TAG,
            summary="Make the attachment's record on the claim, then go to its upload page",
            description="The same service call as POST /claims/{claimNumber}/documents (a claim holds at most 10).")
def attachment_start(page: PageRequest, number: str) -> Page | Redirect:
    values = {name: (page.form.get(name) or "").strip() for name in ("contentType", "description")}
    claim = _claims().get(_principal(page), number, audited=False)  # another office's claim: 404 before any check
    problems = _problems(values)
    if problems:
        return attachment_form(page, claim.claim_number, values, field_errors(ValidationFailed(fields=problems),
                                                                              LABELS), 400)
    try:
        tickets = _claims().attach_documents(_principal(page), claim.claim_number, [
            (attachment_file_name(values["description"], values["contentType"]), values["contentType"])])
    except ValidationFailed as error:  # the claim's attachments are full ("files"): said beside the description
        fields = {name: problem for name, problem in error.fields.items() if name != "files"}
        if "files" in error.fields:
            fields["description"] = f"No more attachments on this claim: {error.fields['files']}"
        return attachment_form(page, claim.claim_number, values,
                               field_errors(ValidationFailed(fields=fields), LABELS), 400)
    except ClaimChanged:
        return attachment_form(page, claim.claim_number, values, {
            "description": "The claim changed while the attachment was added: send the form again"}, 409)
    return Redirect(paths.attachment_upload(claim.claim_number, tickets[0].document.document_id))


@page_route(claim_attachment_pages, paths.ATTACHMENT_UPLOAD, permission=Permission.CLAIMS_SUBMIT, tag=TAG,
            form_action=S3_FORM_ACTION,
            summary="Choose the attachment's file: a form that posts it straight to S3 (presigned POST)",
            description="The page checks the file's type and size before it is sent; S3 sends the browser back to "
            "the claim's page (success_action_redirect).")
def attachment_upload_page(page: PageRequest, number: str, documentId: str) -> Page | Redirect:
    documents = wiring.current().documents()
    document = documents.get(_principal(page), documentId)
    if document.kind != DocumentKind.CLINICAL_DOCUMENT.value or document.claim_number != number:
        raise DocumentNotFound()
    claim_link = paths.claim(number)
    if document.status != DocumentStatus.AWAITING_UPLOAD.value:
        return Redirect(claim_link)
    settings = get_settings()
    file_type: tuple[str, str] = DOCUMENT_FILE_TYPES.get(document.content_type, DOCUMENT_FILE_TYPES["application/pdf"])
    context: dict[str, Any] = {
        "title": "Add an Attachment", "document": document,
        "intro": f"Choose the file of \u201c{document.file_name}\u201d for claim {number} ({file_type[0]}).",
        "file_label": "Attachment file", "file_type": file_type,
        "ticket": documents.presign(document, settings.upload_max_bytes, portal_url_for(page, claim_link)),
        "max_megabytes": settings.upload_max_bytes // (1024 * 1024), "status_link": claim_link,
    }
    return Page("uploads/upload.html", context)
