"""What is done on a request's page, and the plan's review queue: the reviewer's decision, the office's answer
to a request for information, its appeal of a denial, the clinical documents it adds (each a form posting
straight to a presigned S3 POST, which sends the browser back to the request's page).

Each form posts to its own path and goes back to the request's page (Post/Redirect/Get); a refused form
draws the request's page again with the errors beside that form's fields and its values kept. The
checks are the JSON routes' (``DecisionIn`` + ``review_decision``, ``InformationIn``, ``AppealIn``) and
the service's (a decided request cannot be decided again: the 409's words are shown).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.handlers.priorauth import paths
from chalicelib.handlers.priorauth.pages import request_view, status_tag
from chalicelib.handlers.priorauth.routes import review_decision, summary_body
from chalicelib.platform.aws import storage
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import ErrorKind, PortalError, ValidationFailed
from chalicelib.platform.permissions import PRIOR_AUTH_DOCUMENTS, Permission
from chalicelib.platform.web.file_types import DOCUMENT_FILE_TYPES
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route, portal_url_for
from chalicelib.platform.web.templating import us_datetime
from chalicelib.platform.web.trail import PageTrail

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.platform.access import Principal
    from chalicelib.priorauth.service import PriorAuthService

review_pages = Blueprint(__name__)
S3_FORM_ACTION = storage.upload_form_origins()
TAG = "Pages"
QUEUE_PAGE = 25
LABELS = {"action": "Decision", "denialReasonCode": "Denial reason", "reason": "Reason or what is needed",
          "information": "Information", "appealReason": "Reason for the appeal", "contentType": "File type"}


def _service() -> PriorAuthService:
    return wiring.current().prior_auths()


def _principal(page: PageRequest) -> Principal:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


@page_route(review_pages, paths.REVIEW_QUEUE, permission=Permission.PA_REVIEWER,
            tag=TAG, summary="The review queue (plan staff): most urgent first",
            description="Pended requests, requests waiting on information, and appeals by due time; overdue ones "
            "marked; expedited ones tagged. An office gets the 403 page.")
def review_queue_page(page: PageRequest) -> Page:
    service = _service()
    trail = PageTrail.from_query(page.query)
    found = service.review_queue(_principal(page), QUEUE_PAGE, trail.token)
    now = service.now()
    rows = []
    for request in found.items:
        item = summary_body(request, now)
        tags = [status_tag(item["status"])]
        if item["urgency"] == "EXPEDITED":
            tags.append({"text": "Expedited", "tone": "error"})
        due = us_datetime(item["due_at"])
        rows.append([
            {"text": item["reference_number"], "href": paths.request(item["reference_number"]),
             "sr": f" for {item['member_name']}"},
            f"{item['member_name']} ({item['member_id']})", ", ".join(item["codes"]), {"tags": tags},
            {"tags": [{"text": f"Overdue: {due}", "tone": "error"}]} if item["overdue"] else due,
        ])
    return Page("priorauth/review_queue.html", {
        "title": "Review Queue", "overdue_count": service.overdue_count(),
        "table": {
            "id": "review-queue", "caption": "Requests waiting on a reviewer, most urgent deadline first",
            "total": None,
            "columns": [{"key": key, "label": label} for key, label in (
                ("number", "Number"), ("member", "Member"), ("codes", "Codes"), ("status", "Status"),
                ("due", "Decision due"))],
            "rows": rows, "previous_href": trail.previous_href(paths.REVIEW_QUEUE, {}),
            "next_href": trail.next_href(paths.REVIEW_QUEUE, {}, found.next_token), "next_text": "More results",
            "position": f"Page {trail.number}", "empty": "Nothing waits on a reviewer.",
        },
    })


def _parse[ModelT: BaseModel](model: type[ModelT], body: dict[str, Any]) -> ModelT:
    """The form as the JSON route's body, read as that route reads it (JSON), refused naming each field."""
    from pydantic import ValidationError

    from chalicelib.platform.web.api import field_errors as schema_errors

    try:
        return model.model_validate_json(json.dumps(body))
    except ValidationError as error:
        raise ValidationFailed(fields=schema_errors(error)) from None


def _shown_on_the_page(error: PortalError) -> bool:
    """A refused form is drawn again; a missing or forbidden request is the 404 or 403 page."""
    return error.kind not in (ErrorKind.NOT_FOUND, ErrorKind.FORBIDDEN, ErrorKind.UNAUTHENTICATED)


def _again(page: PageRequest, number: str, form: str, error: PortalError, values: dict[str, str]) -> Page:
    from chalicelib.platform.web.api import STATUS_BY_KIND

    errors = field_errors(error, LABELS) if error.fields else {"form": error.message}
    return request_view(page, number, forms={form: {"values": values, "errors": errors}},
                        summary_errors=summary(errors, LABELS), status=STATUS_BY_KIND[error.kind])


@page_route(review_pages, paths.DECISION, permission=Permission.PA_REVIEWER, method="POST", tag=TAG,
            summary="A reviewer decides: approve (fewer units per line if so), deny with a reason, ask for information")
def decision_submit(page: PageRequest, number: str) -> Page | Redirect:
    from chalicelib.priorauth.schemas import DecisionIn

    form = page.form
    values = {name: (form.get(name) or "").strip() for name in ("action", "denialReasonCode", "reason")}
    lines = [{"line": int(name.split(".")[1]), "approvedUnits": int(value) if value.strip().isdigit() else value}
             for name, value in form.items() if name.startswith("approvedUnits.") and name.split(".")[1].isdigit()
             and value.strip()]
    body: dict[str, Any] = {"action": values["action"] or None, "reason": values["reason"] or None,
                            "denialReasonCode": values["denialReasonCode"] or None, "lines": lines}
    try:
        decision = _parse(DecisionIn, {key: value for key, value in body.items() if value is not None})
        _service().decide(_principal(page), number.upper(), review_decision(decision))
    except PortalError as error:
        if not _shown_on_the_page(error):
            raise
        return _again(page, number, "decision", error, values)
    return Redirect(paths.request(number.upper()))


@page_route(review_pages, paths.INFORMATION, permission=Permission.PRIOR_AUTH_SUBMIT, method="POST", tag=TAG,
            summary="The office answers a request for more information; the request returns to review")
def information_submit(page: PageRequest, number: str) -> Page | Redirect:
    from chalicelib.priorauth.schemas import InformationIn

    information = (page.form.get("information") or "").strip()
    try:
        _parse(InformationIn, {"information": information} if information else {})
        _service().send_information(_principal(page), number.upper(), information)
    except PortalError as error:
        if not _shown_on_the_page(error):
            raise
        return _again(page, number, "information", error, {"information": information})
    return Redirect(paths.request(number.upper()))


@page_route(review_pages, paths.APPEAL, permission=Permission.PRIOR_AUTH_SUBMIT, method="POST", tag=TAG,
            summary="The office appeals a denial, once; it goes back to review")
def appeal_submit(page: PageRequest, number: str) -> Page | Redirect:
    from chalicelib.priorauth.schemas import AppealIn

    reason = (page.form.get("appealReason") or "").strip()
    try:
        try:
            _parse(AppealIn, {"reason": reason} if reason else {})
        except ValidationFailed as error:
            raise ValidationFailed(fields={"appealReason": error.fields.get("reason", "is required")}) from None
        _service().appeal(_principal(page), number.upper(), reason)
    except PortalError as error:
        if not _shown_on_the_page(error):
            raise
        return _again(page, number, "appeal", error, {"appealReason": reason})
    return Redirect(paths.request(number.upper()))




@page_route(review_pages, paths.DOCUMENTS, permission=PRIOR_AUTH_DOCUMENTS, method="POST", tag=TAG,
            summary="Add a clinical document to a request: its record, then its upload page")
def document_start(page: PageRequest, number: str) -> Page | Redirect:
    content_type = page.form.get("contentType") or ""
    if content_type not in DOCUMENT_FILE_TYPES:
        return _again(page, number, "documents", ValidationFailed(fields={"contentType": "choose the file's type"}),
                      {"contentType": content_type})
    extension = DOCUMENT_FILE_TYPES[content_type][1].split(",")[0]
    tickets = _service().attach_documents(_principal(page), number.upper(), [(f"clinical-document{extension}",
                                                                             content_type)])
    return Redirect(paths.document_upload(number.upper(), tickets[0].document.document_id))


@page_route(review_pages, paths.DOCUMENT_UPLOAD, permission=PRIOR_AUTH_DOCUMENTS, tag=TAG, form_action=S3_FORM_ACTION,
            summary="Choose a clinical document's file: a form that posts it straight to S3 (presigned POST)",
            description="S3 sends the browser back to the request's page (success_action_redirect).")
def document_upload_page(page: PageRequest, number: str, documentId: str) -> Page | Redirect:
    from chalicelib.documents.enums import DocumentKind, DocumentStatus
    from chalicelib.platform.errors import DocumentNotFound

    request_page = paths.request(number.upper())
    documents = wiring.current().documents()
    document = documents.get(_principal(page), documentId)
    if document.kind != DocumentKind.CLINICAL_DOCUMENT.value or document.prior_auth_id != number.upper():
        raise DocumentNotFound()
    if document.status != DocumentStatus.AWAITING_UPLOAD.value:
        return Redirect(request_page)
    settings = get_settings()
    ticket = documents.presign(document, settings.upload_max_bytes, portal_url_for(page, request_page))
    file_type = DOCUMENT_FILE_TYPES.get(document.content_type, DOCUMENT_FILE_TYPES["application/pdf"])
    return Page("uploads/upload.html", {
        "title": "Add a Clinical Document", "intro": f"Choose the clinical document's file ({file_type[0]}).",
        "file_label": "Clinical document file", "document": document, "ticket": ticket, "file_type": file_type,
        "max_megabytes": settings.upload_max_bytes // (1024 * 1024), "status_link": request_page,
    })
