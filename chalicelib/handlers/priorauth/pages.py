"""PRIOR AUTHORIZATION pages: the requirements lookup, the search, a request's page and its decision letter.

Each reads through the same service as the JSON route beside it and refuses input with the same
schema (``RequirementsQuery``, ``SearchQuery``), so a refused value comes back as that field's error,
beside the field, with the values kept. The search has no total: a page with more after it says
"More results" (DECISIONS: Lists and counts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.handlers.layout import selected_provider
from chalicelib.handlers.priorauth import paths
from chalicelib.handlers.priorauth.routes import detail_body, summary_body
from chalicelib.messages.service import portals
from chalicelib.platform.errors import ValidationFailed
from chalicelib.platform.permissions import PRIOR_AUTH_READ
from chalicelib.platform.web.api import parse_query
from chalicelib.platform.web.file_types import file_type_choices
from chalicelib.platform.web.forms import field_errors, parse_us_date, summary
from chalicelib.platform.web.pages import Page, PageRequest, page_route
from chalicelib.platform.web.templating import us_date
from chalicelib.platform.web.trail import PageTrail
from chalicelib.priorauth.enums import AuthStatus
from chalicelib.priorauth.schemas import PROGRAMS, RequirementsQuery, SearchQuery

if TYPE_CHECKING:
    from chalicelib.platform.access import Principal
    from chalicelib.priorauth.service import PriorAuthService

prior_auth_pages = Blueprint(__name__)
TAG = "Pages"
PAGE_SIZE = 20
REQUIREMENT_LABELS = {"state": "State", "program": "Program", "codes": "Codes"}
SEARCH_FIELDS = ("authorizationNumber", "memberId", "status", "receivedFrom", "receivedTo")
SEARCH_LABELS = {"authorizationNumber": "Authorization number", "memberId": "Member ID", "status": "Status",
                 "receivedFrom": "Received from", "receivedTo": "Received to", "nextToken": "Page"}
STATUS_TONES = {
    AuthStatus.APPROVED: "success", AuthStatus.NO_AUTH_REQUIRED: "success", AuthStatus.PENDED: "warning",
    AuthStatus.MORE_INFO_REQUESTED: "warning", AuthStatus.APPEALED: "info", AuthStatus.DENIED: "error",
}


def _service() -> PriorAuthService:
    return wiring.current().prior_auths()


def _principal(page: PageRequest) -> Principal:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


def status_tag(status: str) -> dict[str, Any]:
    from chalicelib.priorauth.service import STATUS_LABELS

    return {"text": STATUS_LABELS[AuthStatus(status)], "tone": STATUS_TONES[AuthStatus(status)]}


# Requirements lookup

@page_route(prior_auth_pages, paths.REQUIREMENTS, permission=PRIOR_AUTH_READ, tag=TAG,
            summary="Does a service need prior authorization? State, program and codes; what to send",
            description="The JSON route's answer as a table: needed, not needed, or not on our list.")
def requirements_page(page: PageRequest) -> Page:
    principal = _principal(page)
    states = [portal.name for portal in portals()]
    values = {name: (page.query.get(name) or "").strip() for name in REQUIREMENT_LABELS}
    if not values["state"]:
        values["state"] = principal.states[0] if principal.states else states[0]
    values["program"] = values["program"] or PROGRAMS[0]
    values["codes"] = ",".join(code.strip().upper() for code in values["codes"].replace(" ", ",").split(",")
                               if code.strip())
    errors: dict[str, str] = {}
    found = None
    if page.query.get("codes") is not None:
        try:
            query = cast(RequirementsQuery, parse_query(values, RequirementsQuery))
            if query.state not in states:
                raise ValidationFailed(fields={"state": "must be one of our state portals"})
            found = _service().requirements(query.state, query.program, query.codes.split(","))
        except ValidationFailed as error:
            errors = field_errors(error, REQUIREMENT_LABELS)
    return Page("priorauth/requirements.html", {
        "title": "Prior Authorization Requirements", "values": values, "errors": errors,
        "summary_errors": summary(errors, REQUIREMENT_LABELS),
        "choices": {"state": [{"value": s, "text": s} for s in states],
                    "program": [{"value": p, "text": p} for p in PROGRAMS]},
        "requirements": found,
    })


# Search

def _search_values(page: PageRequest) -> dict[str, str]:
    values = {name: (page.query.get(name) or "").strip() for name in SEARCH_FIELDS}
    values["authorizationNumber"] = values["authorizationNumber"].upper()
    values["servicing"] = "true" if page.query.get("servicing") == "true" else ""
    return values


def _search_query(values: dict[str, str], provider_id: str | None, trail: PageTrail) -> SearchQuery:
    """The form as the JSON route's query; every field's problem at once, the dates' with the schema's."""
    params: dict[str, str] = {name: value for name, value in values.items() if value}
    problems: dict[str, str] = {}
    for name in ("receivedFrom", "receivedTo"):
        if name in params:
            day = parse_us_date(params.pop(name))
            if day is None:
                problems[name] = "must be a date (mm/dd/yyyy)"
            else:
                params[name] = day.isoformat()
    if provider_id and not (values["authorizationNumber"] or values["memberId"]):
        params["providerId"] = provider_id
    params.update({"limit": str(PAGE_SIZE), **({"nextToken": trail.token} if trail.token else {})})
    try:
        query = cast(SearchQuery, parse_query(params, SearchQuery))
    except ValidationFailed as error:
        raise ValidationFailed(fields={**problems, **error.fields}) from None
    if problems:
        raise ValidationFailed(fields=problems)
    return query


def _row(item: dict[str, Any]) -> list[Any]:
    number = item["authorization_number"] or item["reference_number"]
    return [
        {"text": number, "href": paths.request(item["reference_number"]), "sr": f" for {item['member_name']}"},
        f"{item['member_name']} ({item['member_id']})", item["request_type"].replace("_", " ").title(),
        ", ".join(item["codes"]), {"tags": [status_tag(item["status"])]}, us_date(item["received_at"]),
        us_date(item["start_date"]) + " to " + us_date(item["end_date"]),
    ]


@page_route(prior_auth_pages, paths.REQUESTS, permission=PRIOR_AUTH_READ, tag=TAG, summary="Prior Authorization Search",
            description="By authorization number, member ID, status and received dates, for the provider chosen "
            "(or those it is to perform: servicing=true); newest first, 20 a page, no total.")
def search_page(page: PageRequest) -> Page:
    from chalicelib.priorauth.service import SearchCriteria

    principal = _principal(page)
    provider = selected_provider(page)
    values = _search_values(page)
    errors: dict[str, str] = {}
    table = None
    asked = any(values.values()) or page.query.get("search") is not None or not principal.is_plan_staff
    if asked:
        try:
            trail = PageTrail.from_query(page.query)
            query = _search_query(values, provider["provider_id"] if provider else None, trail)
            found = _service().search(principal, SearchCriteria(
                authorization_number=query.authorization_number, member_id=query.member_id,
                provider_id=query.provider_id, servicing=query.servicing,
                status=AuthStatus(query.status) if query.status else None, received_from=query.received_from,
                received_to=query.received_to, limit=query.limit, next_token=query.next_token))
            now = _service().now()
            kept = {name: value for name, value in values.items() if value}
            table = {
                "id": "prior-auths", "caption": "Prior authorization requests, newest first", "total": None,
                "columns": [{"key": key, "label": label} for key, label in (
                    ("number", "Number"), ("member", "Member"), ("type", "Type"), ("codes", "Codes"),
                    ("status", "Status"), ("received", "Received"), ("dates", "Dates of service"))],
                "rows": [_row(summary_body(item, now)) for item in found.items],
                "previous_href": trail.previous_href(paths.REQUESTS, kept),
                "next_href": trail.next_href(paths.REQUESTS, kept, found.next_token),
                "next_text": "More results", "position": f"Page {trail.number}",
                "empty": "No prior authorization requests match. Change the search and select Search.",
            }
        except ValidationFailed as error:
            errors = field_errors(error, SEARCH_LABELS)
    from chalicelib.priorauth.service import STATUS_LABELS

    return Page("priorauth/search.html", {
        "title": "Prior Authorization Search", "values": values, "errors": errors,
        "summary_errors": summary(errors, SEARCH_LABELS), "acts_for_provider": not principal.is_plan_staff,
        "statuses": [{"value": "", "text": "Any status"}]
        + [{"value": status.value, "text": label} for status, label in STATUS_LABELS.items()],
        "table": table, "staff": principal.is_plan_staff,
    })


# A request, and its letter

def _request_context(page: PageRequest, number: str) -> dict[str, Any]:
    view = _service().view(_principal(page), number.upper())
    request = detail_body(view.request, view.history, view.documents)
    return {"request": request, "tag": status_tag(request["status"]),
            "providers": {provider_id: _service().party(provider_id).name
                          for provider_id in {request["requesting_provider_id"], request["servicing_provider_id"]}}}


DENIAL_REASONS = (
    ("NOT_MEDICALLY_NECESSARY", "Not medically necessary"), ("INSUFFICIENT_INFORMATION", "Insufficient information"),
    ("NOT_A_COVERED_BENEFIT", "Not a covered benefit"), ("OUT_OF_NETWORK", "Out of network"),
    ("EXPERIMENTAL", "Experimental or investigational"), ("DUPLICATE_REQUEST", "Duplicate request"),
)
WAITING_ON_REVIEW = frozenset({AuthStatus.PENDED.value, AuthStatus.MORE_INFO_REQUESTED.value,
                               AuthStatus.APPEALED.value})


def request_view(page: PageRequest, number: str, *, forms: dict[str, dict[str, Any]] | None = None,
                 summary_errors: list[dict[str, str]] | None = None, status: int = 200) -> Page:
    """The request's page, with the forms its reader may use (a refused one with its values and errors)."""
    context = _request_context(page, number)
    request, staff = context["request"], _principal(page).is_plan_staff
    number = request["reference_number"]
    forms = forms or {}
    available = {
        "decision": staff and request["status"] in WAITING_ON_REVIEW,
        "information": not staff and request["status"] == AuthStatus.MORE_INFO_REQUESTED.value,
        "appeal": not staff and request["status"] == AuthStatus.DENIED.value and not request.get("appealed_at"),
        "documents": not staff and request["status"] != AuthStatus.NO_AUTH_REQUIRED.value,
    }
    return Page("priorauth/request.html", {
        "title": f"Prior Authorization {number}", **context, "staff": staff,
        "letter_link": paths.letter(number), "search_link": paths.REVIEW_QUEUE if staff else paths.REQUESTS,
        "forms": {name: {"action": paths.action(path, number), **forms.get(name, {"values": {}, "errors": {}})}
                  for name, path in (("decision", paths.DECISION), ("information", paths.INFORMATION),
                                     ("appeal", paths.APPEAL), ("documents", paths.DOCUMENTS)) if available[name]},
        "file_types": file_type_choices(),
        "denial_reasons": [{"value": "", "text": "- Select a reason -"}]
        + [{"value": value, "text": text} for value, text in DENIAL_REASONS],
        "summary_errors": summary_errors or [],
    }, status=status)


@page_route(prior_auth_pages, paths.REQUEST, permission=PRIOR_AUTH_READ, tag=TAG,
            summary="A prior authorization request: its decision, service lines, reasons, history and documents",
            description="Plan staff decide a waiting request here; the office answers a request for information "
            "or appeals a denial.")
def request_page(page: PageRequest, number: str) -> Page:
    return request_view(page, number)


@page_route(prior_auth_pages, paths.LETTER, permission=PRIOR_AUTH_READ,
            tag=TAG, summary="The decision letter of a request, printable")
def letter_page(page: PageRequest, number: str) -> Page:
    context = _request_context(page, number)
    return Page("priorauth/letter.html", {
        "title": f"Decision letter {context['request']['reference_number']}", **context,
        "today": page.now, "request_link": paths.request(context["request"]["reference_number"]),
    })
