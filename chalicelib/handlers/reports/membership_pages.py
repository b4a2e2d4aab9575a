"""Provider Membership List pages: the roster a page at a time, with its record count, and a member's detail.

The roster is kept sorted by last name (then first name) in its key, so the two sorts a page can offer
truthfully are Last Name A to Z and Z to A (the same Query read backwards); a page is one Query and the
count one read of the maintained counter (README: Member reports). Paging follows DynamoDB's page tokens
(``platform.web.trail``). The rules are the JSON route's: ``RosterQuery`` and ``membership_page``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, cast

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.handlers.layout import selected_provider
from chalicelib.handlers.reports import paths
from chalicelib.handlers.reports.routes import membership_page
from chalicelib.members.alerts import ALERT_LEGEND, labelled
from chalicelib.members.eligibility import current_program
from chalicelib.members.service import coverage_spans, other_coverage
from chalicelib.platform.errors import ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import parse_query
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, page_route
from chalicelib.platform.web.templating import us_date
from chalicelib.platform.web.trail import PageTrail, link
from chalicelib.reports.schemas import RosterQuery

if TYPE_CHECKING:
    from chalicelib.reports.roster import RosterPage

membership_pages = Blueprint(__name__)
TAG = "Pages"
PAGE_SIZE = 50
ORDERS = {"asc": "Last name, A to Z", "desc": "Last name, Z to A"}
LABELS = {"program": "Program", "order": "Sort", "nextToken": "Page"}
COLUMNS = [
    {"key": "alerts", "label": "Alerts"}, {"key": "details", "label": "Details"},
    {"key": "firstName", "label": "First Name"}, {"key": "lastName", "label": "Last Name", "sortable": True},
    {"key": "memberId", "label": "Plan Member ID"}, {"key": "medicaidId", "label": "Medicaid ID"},
    {"key": "gender", "label": "Gender"}, {"key": "birthDate", "label": "Birth Date"},
    {"key": "language", "label": "Lang Type"}, {"key": "phone", "label": "Member Phone"},
    {"key": "program", "label": "Program Name"},
]
"""The seed page's columns, in its order."""


def alert_tags(alerts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"tags": [{"text": alert["label"], "tone": "info", "label": f"since {us_date(alert['appeared_on'])}",
                      "title": f"Since {us_date(alert['appeared_on'])}"} for alert in alerts]}


def _row(item: Any) -> list[Any]:
    name = f"{item.first_name} {item.last_name}"
    return [
        alert_tags(labelled(item.alerts)),
        {"text": "View Details", "href": paths.member(item.member_id), "sr": f"of {name}"},
        item.first_name, item.last_name, item.member_id, item.medicaid_id, item.gender, us_date(item.birth_date),
        item.language or "", item.phone or "", item.program or "",
    ]


def _read(page: PageRequest, provider_id: str | None, program: str | None, descending: bool,
          trail: PageTrail) -> RosterPage:
    assert page.principal is not None  # page_route lets no request without a session through
    params = {"providerId": provider_id, "program": program, "limit": str(PAGE_SIZE), "nextToken": trail.token}
    query = cast(RosterQuery, parse_query({name: value for name, value in params.items() if value}, RosterQuery))
    return membership_page(page.principal, query, descending=descending)


@page_route(membership_pages, paths.MEMBERSHIP, permission=Permission.MEMBER_REPORTS,
            summary="Provider Membership List", tag=TAG,
            description="The members attributed to the selected provider (a group: the whole group), sorted by "
            "last name (order=asc|desc), 50 a page (trail: the page tokens so far), filtered by program.")
def membership(page: PageRequest) -> Page:
    provider = selected_provider(page)
    provider_id = provider["provider_id"] if provider else None
    program = (page.query.get("program") or "").strip() or None
    order = page.query.get("order") or "asc"
    errors: dict[str, str] = {}
    if order not in ORDERS:
        errors["order"] = "Sort must be by last name, A to Z or Z to A"
        order = "asc"
    try:
        trail = PageTrail.from_query(page.query)
        found = _read(page, provider_id, program, order == "desc", trail)
    except ValidationFailed as error:
        errors.update(field_errors(error, LABELS))
        program = None if "program" in errors else program
        trail = PageTrail()
        found = _read(page, provider_id, program, order == "desc", trail)  # the first page, as the form shows
    kept = {"program": program or "", "order": order if order != "asc" else ""}
    pages = max(1, math.ceil(found.count / PAGE_SIZE))
    return Page("reports/membership.html", {
        "title": "Provider Membership List", "acts_for_provider": True,
        "found": found, "program": program or "", "order": order,
        "program_choices": [{"value": "", "text": "All programs"}] + [{"value": p, "text": p} for p in found.programs],
        "order_choices": [{"value": value, "text": text} for value, text in ORDERS.items()],
        "legend": list(ALERT_LEGEND.values()), "errors": errors, "summary_errors": summary(errors, LABELS),
        "table": {
            "id": "members", "caption": f"Members attributed to {found.scope.label}", "columns": COLUMNS,
            "rows": [_row(item) for item in found.items], "total": found.count,
            "sort": "lastName", "order": order, "url": paths.MEMBERSHIP, "query": {"program": program or ""},
            "previous_href": trail.previous_href(paths.MEMBERSHIP, kept),
            "next_href": trail.next_href(paths.MEMBERSHIP, kept, found.next_token),
            "position": f"Page {trail.number} of {pages}",
            "empty": "No members are attributed to this provider" + (" in this program." if program else "."),
        },
        "first_page": link(paths.MEMBERSHIP, kept) if trail.tokens else "",
        "exports_link": paths.EXPORTS,
    })


@page_route(membership_pages, paths.MEMBER, permission=Permission.MEMBER_REPORTS,
            summary="A member on the Provider Membership List: the detail", tag=TAG,
            description="Identity, program, PCP, alerts, every coverage span, other insurance (audited); a member "
            "the user may not see is the 404 page.")
def member_detail(page: PageRequest, memberId: str) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    member = wiring.current().members().detail(page.principal, memberId)
    spans = coverage_spans(member)
    return Page("reports/member.html", {
        "title": f"{member.first_name} {member.last_name}", "acts_for_provider": True,
        "member": member, "program": current_program(spans), "alerts": labelled(member.alerts),
        "spans": spans, "other_insurance": other_coverage(member), "back": paths.MEMBERSHIP,
    })
