"""Plan staff's audit trail pages: who read a member's data, and what a user read, newest first.

The rule is the JSON routes' (the audit reader permission: anyone else gets the 403 page) and the reads are the
audit service's, one Query a page without a total: counting would read the whole partition (DECISIONS:
Audit trails by user and by member are pages without a total), so "More results" follows the page token.
"""

from __future__ import annotations

import re
from typing import Any

from chalice import Blueprint

from chalicelib.audit import service as trail_service
from chalicelib.platform.errors import ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route
from chalicelib.platform.web.trail import PageTrail

audit_pages = Blueprint(__name__)
TAG = "Pages"
SEARCH = "/audit-trail"
BY_MEMBER = SEARCH + "/members/{memberId}"
BY_USER = SEARCH + "/users/{username}"
PAGE_SIZE = 50
LABELS = {"memberId": "Member ID", "username": "Username", "nextToken": "Page"}
_MEMBER_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")
COLUMNS = [{"key": key, "label": label} for key, label in (
    ("occurredAt", "When (UTC)"), ("username", "User"), ("role", "Role"), ("actingFor", "Acting for"),
    ("memberId", "Member ID"), ("action", "Action"), ("detail", "Detail"), ("correlationId", "Correlation ID"))]


def _search_form(page: PageRequest, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Page:
    return Page("audit/search.html", {"title": "Audit Trail", "values": values, "errors": errors,
                                      "summary_errors": summary(errors, LABELS)}, status=status)


@page_route(audit_pages, SEARCH, permission=Permission.AUDIT_READER,
            summary="Audit Trail: find a member's or a user's trail (plan staff)", tag=TAG,
            description="GET with memberId or username opens that trail; without the audit reader permission, the 403 "
            "page.")
def audit_search(page: PageRequest) -> Page | Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    values = {name: (page.query.get(name) or "").strip() for name in ("memberId", "username")}
    if not any(values.values()):
        return _search_form(page, values, {})
    errors: dict[str, str] = {}
    if all(values.values()):
        errors["memberId"] = "Enter a member ID or a username, not both"
    elif values["memberId"] and not _MEMBER_ID.match(values["memberId"]):
        errors["memberId"] = "Member ID must be letters and digits, up to 20"
    elif values["username"] and not _USERNAME.match(values["username"]):
        errors["username"] = "Username has the wrong format"
    if errors:
        return _search_form(page, values, errors, status=400)
    if values["memberId"]:
        return Redirect(BY_MEMBER.format(memberId=values["memberId"]))
    return Redirect(BY_USER.format(username=values["username"]))


def _row(item: Any) -> list[Any]:
    return [item.occurred_at[:19].replace("T", " "), trail_service.who(item), item.role,
            item.acting_for_provider_id or "",
            {"text": item.member_id, "href": BY_MEMBER.format(memberId=item.member_id)}
            if _MEMBER_ID.match(item.member_id) else item.member_id,
            item.action.replace("_", " ").title(), item.detail or "", item.correlation_id or ""]


def _trail_page(page: PageRequest, subject: str, path: str, read: Any) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    errors: dict[str, str] = {}
    try:
        trail = PageTrail.from_query(page.query)
        found = read(trail.token)
    except ValidationFailed as error:
        errors = field_errors(error, LABELS)
        trail = PageTrail()
        found = read(None)
    return Page("audit/trail.html", {
        "title": f"Audit Trail: {subject}", "subject": subject, "errors": errors,
        "summary_errors": summary(errors, LABELS), "search_link": SEARCH,
        "table": {"id": "audit", "caption": f"Audit trail of {subject}, newest first", "columns": COLUMNS,
                  "rows": [_row(item) for item in found.items], "total": None,
                  "previous_href": trail.previous_href(path, {}),
                  "next_href": trail.next_href(path, {}, found.next_token),
                  "next_text": "More results", "position": f"Page {trail.number}",
                  "empty": "No reads of member data are recorded for this " + (
                      "member." if path.startswith(SEARCH + "/members/") else "user.")},
    })


@page_route(audit_pages, BY_MEMBER, permission=Permission.AUDIT_READER,
            summary="Who read this member's data, newest first (plan staff)", tag=TAG)
def audit_member(page: PageRequest, memberId: str) -> Page:
    path = BY_MEMBER.format(memberId=memberId)
    return _trail_page(page, f"member {memberId}", path,
                       lambda token: trail_service.by_member(memberId, PAGE_SIZE, token))


@page_route(audit_pages, BY_USER, permission=Permission.AUDIT_READER,
            summary="What this user read, newest first (plan staff)", tag=TAG)
def audit_user(page: PageRequest, username: str) -> Page:
    path = BY_USER.format(username=username)
    return _trail_page(page, f"user {username}", path,
                       lambda token: trail_service.by_user(username, PAGE_SIZE, token))
