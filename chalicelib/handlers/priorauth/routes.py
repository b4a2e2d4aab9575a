"""Prior authorization's JSON routes: requirements, submission with AutoAuth, search, documents, appeals,
clinical review (decisions, extensions), metrics."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.documents.service import UploadTicket
from chalicelib.handlers.bodies import document_body, ticket_body
from chalicelib.platform.access import Principal
from chalicelib.platform.errors import ValidationFailed
from chalicelib.platform.permissions import PRIOR_AUTH_DOCUMENTS, PRIOR_AUTH_READ, Permission
from chalicelib.platform.web.api import api_route
from chalicelib.platform.web.idempotency import idempotency_key
from chalicelib.priorauth.enums import AuthStatus, RequestType, Urgency

if TYPE_CHECKING:
    from chalicelib.documents.store import DocumentModel
    from chalicelib.platform.web.api import RequestInfo
    from chalicelib.priorauth.schemas import (
        AppealIn,
        AttachmentsIn,
        DecisionIn,
        ExtensionIn,
        InformationIn,
        MetricsQuery,
        PriorAuthRequestIn,
        RequirementsQuery,
        ReviewQueueQuery,
        SearchQuery,
    )
    from chalicelib.priorauth.service import PriorAuthService, ReviewDecision, SubmitOutcome
    from chalicelib.priorauth.store import PriorAuthEventModel, PriorAuthRequestModel
    from chalicelib.priorauth.submission import Submission

prior_auth_routes = Blueprint(__name__)
TAG = "Prior authorization"
REVIEW_TAG = "Clinical review (plan staff)"


def _service() -> PriorAuthService:
    return wiring.current().prior_auths()


def summary_body(request: PriorAuthRequestModel, now: datetime) -> dict[str, Any]:
    from chalicelib.priorauth.deadlines import is_overdue
    from chalicelib.priorauth.service import STATUS_LABELS

    waiting = request.review_queue is not None
    return {
        "authorization_number": None if request.status == AuthStatus.NO_AUTH_REQUIRED.value else request.request_id,
        "reference_number": request.request_id,
        "request_type": request.request_type,
        "status": request.status,
        "status_label": STATUS_LABELS[AuthStatus(request.status)],
        "urgency": request.urgency,
        "member_id": request.member_id,
        "member_name": f"{request.member_first_name} {request.member_last_name}",
        "requesting_provider_id": request.requesting_provider_id,
        "servicing_provider_id": request.servicing_provider_id,
        "received_at": request.received_at,
        "due_at": request.due_at,
        "overdue": waiting and is_overdue(request.due_at, now),
        "start_date": request.start_date,
        "end_date": request.end_date,
        "codes": [line.code for line in request.lines],
        "decided_at": request.decided_at,
    }


def detail_body(request: PriorAuthRequestModel, history: list[PriorAuthEventModel],
                documents: list[DocumentModel]) -> dict[str, Any]:
    values = request.attribute_values
    return {
        **summary_body(request, _service().now()),
        **{name: values.get(name) for name in (
            "source", "member_birth_date", "state", "program", "plan_type", "submitted_by", "medical_history",
            "approved_start_date", "approved_end_date", "denial_reason_code", "denial_reason",
            "information_requested", "appealed_at", "appeal_reason", "extended_at", "extension_days",
            "extension_reason",
        )},
        "extended": request.extended,
        "pend_details": [reason.as_dict() for reason in request.pend_details],
        "service_lines": [line.as_dict() for line in request.lines],
        "diagnosis_codes": list(request.diagnosis_codes),
        "criteria_met": list(request.criteria_met),
        "criteria_not_met": list(request.criteria_not_met),
        "newborn": request.newborn.as_dict() if request.newborn else None,
        "pend_reasons": list(request.pend_reasons),
        "auto_approved": request.auto_approved,
        "approved_on_appeal": request.approved_on_appeal,
        "history": [event.attribute_values for event in history],
        "documents": [document_body(document) for document in documents],
    }


def _detail(request_id: str, principal: Principal) -> dict[str, Any]:
    view = _service().view(principal, request_id)
    return detail_body(view.request, view.history, view.documents)


def _tickets(tickets: tuple[UploadTicket, ...]) -> list[dict[str, Any]]:
    return [{"document": document_body(ticket.document), "upload": ticket_body(ticket)} for ticket in tickets]


def submission_from(body: PriorAuthRequestIn) -> Submission:
    from chalicelib.priorauth.submission import DocumentInput, NewbornInput, ServiceLineInput, Submission

    newborn = body.newborn
    return Submission(
        request_type=RequestType(body.request_type), urgency=Urgency(body.urgency), member_id=body.member_id,
        requesting_provider_id=body.requesting_provider_id, servicing_provider_id=body.servicing_provider_id,
        start_date=body.start_date, end_date=body.end_date,
        lines=tuple(ServiceLineInput(line.code.upper(), line.units, tuple(m.upper() for m in line.modifiers),
                                     line.description) for line in body.service_lines),
        diagnosis_codes=tuple(code.strip().upper() for code in body.diagnosis_codes),
        medical_history=body.medical_history,
        criteria_met=tuple(answer.criterion_id for answer in body.clinical_criteria if answer.met),
        criteria_not_met=tuple(answer.criterion_id for answer in body.clinical_criteria if not answer.met),
        newborn=NewbornInput(newborn.birth_date, newborn.gender, newborn.birth_weight_grams,
                             newborn.gestational_age_weeks, newborn.delivery_method, newborn.nicu_admission)
        if newborn else None,
        documents=tuple(DocumentInput(item.file_name, item.content_type) for item in body.attachments),
    )


def submit_idempotently(principal: Principal, submission: Submission, fingerprint: str, source: str,
                        key: str | None, lambda_context: Any = None) -> SubmitOutcome:
    """Submit once per idempotency key (a route's Idempotency-Key header, a page form's hidden key); a repeat
    answers the request the first call made."""
    from chalicelib.platform.idempotency import once

    service = _service()
    if key is None:
        return service.submit(principal, submission, source=source)
    made: list[SubmitOutcome] = []

    def work() -> str:
        made.append(service.submit(principal, submission, source=source))
        return made[0].request.request_id

    request_id = once("prior-auth", principal, key, fingerprint, work, lambda_context)
    if made:
        return made[0]
    from chalicelib.priorauth.service import SubmitOutcome

    return SubmitOutcome(service.get(principal, request_id, audited=False), service.pending_uploads(request_id))


@api_route(prior_auth_routes, "/prior-auths/requirements", permission=PRIOR_AUTH_READ, tag=TAG,
           summary="Does a service need prior authorization, and what to send?",
           query="priorauth:RequirementsQuery", response="priorauth:RequirementList",
           description="Per state and program (Medicaid, Marketplace, MyCare, Medicare). A code that is not on "
           "the list answers listed=false, requiresAuthorization=false. Criteria are what AutoAuth decides on.")
def requirements(principal: Principal, query: RequirementsQuery) -> dict[str, Any]:
    found = _service().requirements(query.state, query.program, query.codes.split(","))
    items = []
    for requirement in found:
        item = dict(requirement.__dict__)
        item["criteria"] = [{"criterion_id": cid, "question": question} for cid, question in requirement.criteria]
        items.append(item)
    return {"items": items}


@api_route(prior_auth_routes, "/prior-auths", permission=Permission.PRIOR_AUTH_SUBMIT,
           method="POST", tag=TAG, status=201,
           summary="Submit an outpatient, inpatient or newborn-notification request; AutoAuth answers at once",
           body="priorauth:PriorAuthRequestIn", response="priorauth:SubmittedOut", errors=(404, 409),
           description="APPROVED in this response when the criteria meet an AutoAuth rule (with the authorization "
           "number, approved units and dates), otherwise PENDED for clinical review with the reasons (one per "
           "rule, with its code). NO_AUTH_REQUIRED when no rule lists a code as needing authorization: no "
           "authorization number (authorizationNumber is null; referenceNumber names the record). A code that is "
           "not a well-formed CPT, HCPCS, revenue or X12 service-type code is a 400 naming its line. Never an "
           "automatic denial. Send an Idempotency-Key header to make retries safe: the same key answers the same "
           "request. Each attachment gets a presigned POST (PDF, TIFF, JPEG or PNG, at most 10 MB).")
def submit(principal: Principal, body: PriorAuthRequestIn, request: RequestInfo) -> dict[str, Any]:
    fingerprint = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    outcome = submit_idempotently(principal, submission_from(body), fingerprint, "PORTAL", idempotency_key(request),
                                  request.lambda_context)
    return {"prior_auth": _detail(outcome.request.request_id, principal), "uploads": _tickets(outcome.uploads)}


@api_route(prior_auth_routes, "/prior-auths", permission=PRIOR_AUTH_READ,
           tag=TAG, summary="Search prior authorization requests, newest first",
           query="priorauth:SearchQuery", response="priorauth:PriorAuthList", errors=(404,),
           description="By authorizationNumber; or by memberId; or by providerId (default: every provider you act "
           "for); each optionally by status and received date range. servicing=true lists the requests your "
           "providers are to perform (named as servicing provider) instead of the ones you sent; their detail "
           "opens too. Each page is one DynamoDB Query reading at most the page's items plus one; there is no "
           "total: nextToken says that more results exist.")
def search(principal: Principal, query: SearchQuery) -> dict[str, Any]:
    from chalicelib.priorauth.service import SearchCriteria

    page = _service().search(principal, SearchCriteria(
        authorization_number=query.authorization_number, member_id=query.member_id, provider_id=query.provider_id,
        servicing=query.servicing,
        status=AuthStatus(query.status) if query.status else None, received_from=query.received_from,
        received_to=query.received_to, limit=query.limit, next_token=query.next_token,
    ))
    now = _service().now()
    return {"items": [summary_body(item, now) for item in page.items], "next_token": page.next_token}


@api_route(prior_auth_routes, "/prior-auths/{authorizationNumber}", permission=PRIOR_AUTH_READ, tag=TAG,
           summary="A prior authorization request with its decision, history and documents",
           response="priorauth:PriorAuthOut", errors=(404,))
def get_prior_auth(principal: Principal, authorizationNumber: str) -> dict[str, Any]:
    return _detail(authorizationNumber, principal)


@api_route(prior_auth_routes, "/prior-auths/{authorizationNumber}/documents", permission=PRIOR_AUTH_DOCUMENTS,
           method="POST", tag=TAG, status=201,
           summary="Attach clinical documents to a request (presigned S3 uploads)",
           body="priorauth:AttachmentsIn", response="priorauth:AttachmentsOut", errors=(404, 409))
def attach(principal: Principal, body: AttachmentsIn, authorizationNumber: str) -> dict[str, Any]:
    tickets = _service().attach_documents(principal, authorizationNumber,
                                          [(item.file_name, item.content_type) for item in body.attachments])
    return {"uploads": _tickets(tickets)}


@api_route(prior_auth_routes, "/prior-auths/{authorizationNumber}/information", permission=Permission.PRIOR_AUTH_SUBMIT,
           method="POST", tag=TAG,
           summary="Answer a reviewer's request for more information; the request returns to review",
           body="priorauth:InformationIn", response="priorauth:PriorAuthOut", errors=(404, 409))
def send_information(principal: Principal, body: InformationIn, authorizationNumber: str) -> dict[str, Any]:
    _service().send_information(principal, authorizationNumber, body.information)
    return _detail(authorizationNumber, principal)


@api_route(prior_auth_routes, "/prior-auths/{authorizationNumber}/appeal", permission=Permission.PRIOR_AUTH_SUBMIT,
           method="POST", tag=TAG,
           summary="Appeal a denial (once); decided within 72 hours (expedited) or 30 days (standard)",
           body="priorauth:AppealIn", response="priorauth:PriorAuthOut", errors=(404, 409))
def appeal(principal: Principal, body: AppealIn, authorizationNumber: str) -> dict[str, Any]:
    _service().appeal(principal, authorizationNumber, body.reason)
    return _detail(authorizationNumber, principal)


@api_route(prior_auth_routes, "/review/prior-auths", permission=Permission.PA_REVIEWER, tag=REVIEW_TAG,
           summary="The clinical review queue, most urgent deadline first",
           query="priorauth:ReviewQueueQuery", response="priorauth:ReviewQueueOut", errors=(403,),
           description="Pended requests, requests waiting on more information, and appeals, ordered by due time "
           "(72 hours from receipt for expedited, 7 calendar days for standard; appeals 72 hours / 30 days). "
           "overdue marks the late ones; overdueCount counts them all.")
def review_queue(principal: Principal, query: ReviewQueueQuery) -> dict[str, Any]:
    service = _service()
    page = service.review_queue(principal, query.limit, query.next_token)
    now = _service().now()
    return {"items": [summary_body(item, now) for item in page.items], "count": page.count,
            "next_token": page.next_token, "overdue_count": service.overdue_count()}


@api_route(prior_auth_routes, "/review/prior-auths/{authorizationNumber}/decision", permission=Permission.PA_REVIEWER,
           method="POST", tag=REVIEW_TAG,
           summary="Approve (possibly fewer units or dates), deny with a specific reason, or ask for information",
           body="priorauth:DecisionIn", response="priorauth:PriorAuthOut", errors=(403, 404, 409))
def decide(principal: Principal, body: DecisionIn, authorizationNumber: str) -> dict[str, Any]:
    _service().decide(principal, authorizationNumber, review_decision(body))
    return _detail(authorizationNumber, principal)


def review_decision(body: DecisionIn) -> ReviewDecision:
    """The reviewer's decision, refused (naming each field) when a denial lacks its code or specific reason, or a
    request for information does not say what is needed."""
    from chalicelib.priorauth.service import ReviewDecision

    problems = {}
    if body.action == "DENY":
        if body.denial_reason_code is None:
            problems["denialReasonCode"] = "is required to deny"
        if not body.reason or len(body.reason.strip()) < 10:
            problems["reason"] = "a denial needs its specific reason (at least 10 characters)"
    if body.action == "REQUEST_INFO" and not (body.reason or "").strip():
        problems["reason"] = "say what information is needed"
    if problems:
        raise ValidationFailed(fields=problems)
    return ReviewDecision(
        action=body.action, approved_units={line.line: line.approved_units for line in body.lines},
        approved_start_date=body.approved_start_date, approved_end_date=body.approved_end_date,
        denial_reason_code=body.denial_reason_code, reason=body.reason.strip() if body.reason else None,
    )


@api_route(prior_auth_routes, "/review/prior-auths/{authorizationNumber}/extension", permission=Permission.PA_REVIEWER,
           method="POST", tag=REVIEW_TAG,
           summary="Extend a standard request's review timeframe once, by up to 14 days, saying why",
           body="priorauth:ExtensionIn", response="priorauth:PriorAuthOut", errors=(403, 404, 409),
           description="Only a standard request waiting on its first decision (PENDED or MORE_INFO_REQUESTED). "
           "The due time, and the request's place in the review queue, move by the days given; the office is "
           "told. 409 PRIOR_AUTH_STATUS_CONFLICT when it was already extended or is decided; 400 naming urgency "
           "for an expedited request. Requests approved after an extension are a CMS-0057-F metric.")
def extend(principal: Principal, body: ExtensionIn, authorizationNumber: str) -> dict[str, Any]:
    _service().extend(principal, authorizationNumber, body.days, body.reason.strip())
    return _detail(authorizationNumber, principal)


@api_route(prior_auth_routes, "/review/prior-auth-metrics", permission=Permission.PA_REVIEWER, tag=REVIEW_TAG,
           summary="CMS-0057-F prior authorization metrics per period, standard and expedited apart",
           query="priorauth:MetricsQuery", response="priorauth:MetricsOut", errors=(403,),
           description="Share approved, denied, approved after appeal and approved after the review timeframe was "
           "extended; average and median hours from receipt to the first decision. 'No authorization required' "
           "answers are not prior authorizations and are not counted. format=csv answers the same figures as a "
           "CSV file.")
def prior_auth_metrics(principal: Principal, query: MetricsQuery) -> Any:
    from chalicelib.priorauth.metrics import to_csv

    lines = _service().metrics(principal, query.from_month, query.to_month, query.group_by)
    if query.format == "csv":
        return Response(body=to_csv(lines), status_code=200, headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="prior-auth-metrics-{query.from_month}-{query.to_month}.csv"',
        })
    return {"items": lines}
