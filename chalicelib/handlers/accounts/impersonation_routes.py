"""Impersonate User over the JSON API: start a read-only view of the portal as an office user, see it, end it.

The view is a session of its own: its token is the answer of POST /impersonations, used as the bearer token of the
view's requests, while the actor's own token keeps working. Every route but a GET refuses the view's token (403
IMPERSONATION_READ_ONLY, ``platform.web.api.admit``) except DELETE /impersonations/current and POST /auth/logout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.platform.access import Principal
from chalicelib.platform.errors import NotImpersonating
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import api_route

if TYPE_CHECKING:
    from chalicelib.accounts.schemas import ImpersonationRequest

impersonation_routes = Blueprint(__name__)
TAG = "Impersonate User"
CURRENT = "/impersonations/current"


@api_route(impersonation_routes, "/impersonations", permission=(Permission.SUPPORT, Permission.USER_ADMIN),
           method="POST", summary="View the portal as an office user (read-only, at most 30 minutes)", tag=TAG,
           body="accounts:ImpersonationRequest", response="accounts:ImpersonationStarted", status=201,
           errors=(403, 404, 409), while_impersonating=True,
           description="Plan support staff (SUPPORT) view as any office user; a Tax ID's user administrators as "
           "its users, and as an administrator only when they are one (403 IMPERSONATION_REFUSED, `fields.username` "
           "says why: your own account, plan staff, a higher rank, an account that is not active). Another office's "
           "user is 404. 409 ALREADY_IMPERSONATING while this session, or another of the actor's, is a view. The "
           "user is emailed when the view ends; the start, every record made in it and the end are audited with "
           "both names.")
def start_impersonation(principal: Principal, body: ImpersonationRequest) -> dict[str, Any]:
    started = wiring.current().impersonations().start(principal, body.username)
    return {"token": started.token, "username": started.username, "office": started.office,
            "impersonated_by": started.actor, "started_at": started.started_at, "expires_at": started.expires_at}


@api_route(impersonation_routes, CURRENT, permission=None, tag=TAG,
           summary="The view of the portal this session is (404 NOT_IMPERSONATING for a login's own session)",
           response="accounts:ImpersonationOut", errors=(404,))
def current_impersonation(principal: Principal) -> dict[str, Any]:
    view = principal.impersonation
    if view is None:
        raise NotImpersonating()
    return {"username": principal.username, "office": view.office, "impersonated_by": view.actor,
            "started_at": view.started_at, "expires_at": principal.session_ends_at}


@api_route(impersonation_routes, CURRENT, permission=None, method="DELETE", tag=TAG,
           summary="End the view: its token stops working, the user is emailed", response="accounts:ImpersonationEnded",
           errors=(404,), while_impersonating=True)
def end_impersonation(principal: Principal) -> dict[str, Any]:
    ended = wiring.current().impersonations().end(principal)
    return {"username": ended.username, "impersonated_by": ended.actor, "started_at": ended.started_at,
            "ended_at": ended.ended_at, "minutes": ended.minutes}
