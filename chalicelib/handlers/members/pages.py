"""MEMBER SEARCH pages: Member Eligibility (the search and its printable answer) and Coordination of Benefits.

The search form is a POST, answered by the page itself: names and birth dates never travel in a URL,
an access log or the browser's history, and no redirect carries them. An answer by plan member ID may
also be a GET link (the answer's own pages link back to it). One "Member ID" box takes the plan member
ID or the Medicaid ID: the plan member ID is tried first, then the Medicaid ID, through the same service.
The rules (fields, one search method, the date of service window, who sees whom) are the JSON route's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.handlers.layout import selected_provider
from chalicelib.handlers.members import paths
from chalicelib.handlers.members.routes import lookup_from
from chalicelib.handlers.members.uploads import CHOICES
from chalicelib.members.eligibility import months_before, nearest_spans
from chalicelib.members.schemas import EligibilityQuery
from chalicelib.members.service import EligibilityAnswer, MemberLookup, other_coverage
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import MemberNotFound, MultipleMembersMatch, ValidationFailed
from chalicelib.platform.permissions import MEMBER_LOOKUP
from chalicelib.platform.web.api import parse_query
from chalicelib.platform.web.forms import field_errors, parse_us_date, summary
from chalicelib.platform.web.pages import Page, PageRequest, page_route

if TYPE_CHECKING:
    from chalicelib.members.service import MemberService

member_pages = Blueprint(__name__)
TAG = "Pages"
LABELS = {"memberId": "Member ID", "lastName": "Last name", "firstName": "First name", "birthDate": "Birth date",
          "dateOfService": "Date of service"}
NAME_FIELDS = ("lastName", "firstName", "birthDate")
DATE_FIELDS = ("birthDate", "dateOfService")
STATUS_BY_CODE = {MemberNotFound.code: 404, MultipleMembersMatch.code: 409}


def typed(source: Mapping[str, str], names: tuple[str, ...] = tuple(LABELS)) -> dict[str, str]:
    """The form's values as typed (kept for the form when it comes back); a date that reads as one, in ISO."""
    values = {name: (source.get(name) or "").strip() for name in names}
    for name in DATE_FIELDS:
        day = parse_us_date(values.get(name))
        if day is not None:
            values[name] = day.isoformat()
    return values


def query_params(values: Mapping[str, str], provider_id: str | None) -> dict[str, str]:
    """The form as the JSON route's query: dates in ISO; the one box as memberId."""
    wrong = {name: "must be a date as MM/DD/YYYY" for name in DATE_FIELDS
             if values.get(name) and parse_us_date(values[name]) is None}
    has_id, has_name = bool(values.get("memberId")), any(values.get(name) for name in NAME_FIELDS)
    if has_id and has_name:
        wrong["memberId"] = "Search by Member ID, or by last name, first name and birth date: not both"
    elif not has_id and not has_name:
        wrong["memberId"] = "Enter a Member ID, or a last name, first name and birth date"
    if wrong:
        raise ValidationFailed(fields=wrong)
    params = {name: value for name, value in values.items() if value and name in LABELS}
    for name in DATE_FIELDS:
        day = parse_us_date(values.get(name))
        if day is not None:
            params[name] = day.isoformat()
    if provider_id:
        params["providerId"] = provider_id
    return params


def check(page: PageRequest, values: Mapping[str, str]) -> EligibilityAnswer:
    """The eligibility answer through the JSON route's rules and service (audited there)."""
    assert page.principal is not None  # page_route lets no request without a session through
    provider = selected_provider(page)
    params = query_params(values, provider["provider_id"] if provider else None)
    try:
        query = parse_query(params, EligibilityQuery)
    except ValidationFailed as error:
        raise ValidationFailed(fields={**search_method_problems(params), **error.fields}) from None
    assert isinstance(query, EligibilityQuery)
    lookup = lookup_from(query)
    members = wiring.current().members()
    try:
        return members.eligibility(page.principal, lookup, query.date_of_service, query.provider_id)
    except MemberNotFound:
        if not lookup.member_id:
            raise
    return members.eligibility(page.principal, MemberLookup(medicaid_id=lookup.member_id), query.date_of_service,
                               query.provider_id)


def search_method_problems(params: Mapping[str, str]) -> dict[str, str]:
    """The search method's own problems (a half-given name search), to show beside the other fields' at once."""
    given = {name: params.get(name) for name in ("memberId", *NAME_FIELDS)}
    unchecked = EligibilityQuery.model_construct(
        member_id=given["memberId"], medicaid_id=None, last_name=given["lastName"], first_name=given["firstName"],
        birth_date=given["birthDate"])
    try:
        lookup_from(unchecked)
    except ValidationFailed as error:
        return dict(error.fields)
    return {}


def date_window(members: MemberService) -> dict[str, str]:
    today = members.today()
    earliest = months_before(today, get_settings().eligibility_lookback_months)
    return {"today": today.isoformat(), "earliest": earliest.isoformat()}


def search_form(page: PageRequest, values: Mapping[str, str], errors: Mapping[str, str] | None = None,
                status: int = 200, template: str = "members/eligibility.html", **extra: Any) -> Page:
    window = date_window(wiring.current().members())
    kept = dict(values)
    kept["dateOfService"] = kept.get("dateOfService") or window["today"]
    return Page(template, {
        "title": extra.pop("title", "Member Eligibility"), "values": kept, "errors": dict(errors or {}),
        "summary_errors": summary(errors or {}, LABELS), "window": window, "acts_for_provider": True,
        "lookback_months": get_settings().eligibility_lookback_months, **extra,
    }, status=status)


def answered(page: PageRequest, values: Mapping[str, str], template: str, title: str) -> Page:
    """The answer page, or the form back with the service's words beside their fields."""
    try:
        answer = check(page, values)
    except ValidationFailed as error:
        return search_form(page, values, field_errors(error, LABELS), 400, template, title=title)
    except (MemberNotFound, MultipleMembersMatch) as error:
        where = "memberId" if values.get("memberId") else "lastName"
        return search_form(page, values, {where: error.message}, STATUS_BY_CODE[error.code], template, title=title)
    before, after = (None, None) if answer.eligibility.eligible else nearest_spans(answer.spans,
                                                                                  answer.date_of_service)
    member_id, day = answer.member.member_id, answer.date_of_service.isoformat()
    return search_form(page, values, template=template, title=title, answer=answer, before=before, after=after,
                       all_other_insurance=other_coverage(answer.member), choices=CHOICES,
                       links={"eligibility": paths.eligibility(member_id, day),
                              "cob": paths.coordination_of_benefits(member_id, day),
                              "consent_forms": paths.consent_forms(member_id, day),
                              "consent_action": paths.consent_forms(member_id)})


@page_route(member_pages, paths.ELIGIBILITY, permission=MEMBER_LOOKUP,
            summary="Member Eligibility: the search form, or an answer by member ID",
            tag=TAG, description="With ?memberId=&dateOfService= (IDs only) it answers like the POST; names and "
            "birth dates are only ever read from the POST.")
def eligibility_page(page: PageRequest) -> Page:
    values = typed(page.query, ("memberId", "dateOfService"))
    if values["memberId"]:
        return answered(page, values, "members/eligibility.html", "Member Eligibility")
    return search_form(page, values)


@page_route(member_pages, paths.ELIGIBILITY, permission=MEMBER_LOOKUP, method="POST", tag=TAG,
            summary="Member Eligibility: search by Member ID (plan or Medicaid ID) or by name and birth date",
            description="Answered directly (no redirect): the form's values never enter a URL.")
def eligibility_search(page: PageRequest) -> Page:
    return answered(page, typed(page.form), "members/eligibility.html", "Member Eligibility")


@page_route(member_pages, paths.COORDINATION_OF_BENEFITS, permission=MEMBER_LOOKUP, tag=TAG,
            summary="Coordination of Benefits: the member's other insurance, and which is active on the date")
def coordination_of_benefits_page(page: PageRequest) -> Page:
    values = typed(page.query, ("memberId", "dateOfService"))
    title = "Coordination of Benefits"
    if values["memberId"]:
        return answered(page, values, "members/coordination_of_benefits.html", title)
    return search_form(page, values, template="members/coordination_of_benefits.html", title=title)
