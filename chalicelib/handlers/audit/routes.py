"""The audit trail of member data, for plan staff with the audit reader permission: the JSON routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.audit import service as trail
from chalicelib.platform.access import Principal
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import api_route

if TYPE_CHECKING:
    from chalicelib.platform.web.schemas import ListQuery

audit_routes = Blueprint(__name__)
TAG = "Audit"


def _page(page: trail.AuditPage) -> dict[str, Any]:
    return {"items": [trail.event_view(item) for item in page.items], "next_token": page.next_token}


@api_route(audit_routes, "/audit/members/{memberId}", permission=Permission.AUDIT_READER,
           tag=TAG, summary="Who read this member's data, newest first",
           description="A page without a total (one Query on the member's key); nextToken is set when more exist.",
           query="base:ListQuery", response="audit:AuditPageOut", errors=(403,))
def audit_by_member(principal: Principal, query: ListQuery, memberId: str) -> dict[str, Any]:
    return _page(trail.by_member(memberId, query.limit, query.next_token))


@api_route(audit_routes, "/audit/users/{username}", permission=Permission.AUDIT_READER,
           tag=TAG, summary="What this user read, newest first",
           description="A page without a total (one Query on the user index, at most limit + 1 items read); "
           "nextToken is set when more exist.",
           query="base:ListQuery", response="audit:AuditPageOut", errors=(403,))
def audit_by_user(principal: Principal, query: ListQuery, username: str) -> dict[str, Any]:
    return _page(trail.by_user(username, query.limit, query.next_token))
