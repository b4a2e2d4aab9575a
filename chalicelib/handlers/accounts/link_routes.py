"""Account Linker as JSON: the login's own links (``/me/links``), the link requests a Tax ID's administrators decide
(``/link-requests``, user administration), its linked users, and the review desk's links into Tax IDs with no
administrator (plan support staff)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.accounts.registration import ClaimedProvider
from chalicelib.handlers.accounts.users_routes import provider_permissions, user_out
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import RequestInfo, api_route
from chalicelib.providers.enums import ProviderType

if TYPE_CHECKING:
    from chalicelib.accounts.linker import LinkRequest, LinkView
    from chalicelib.accounts.schemas import ApproveRequest, ConfirmPracticeRequest, ProviderFacts
    from chalicelib.platform.access import Principal
    from chalicelib.platform.web.schemas import ListQuery

link_routes = Blueprint(__name__)
TAG = "Users"
ADMIN = Permission.USER_ADMIN
SUPPORT = Permission.SUPPORT
OWN_ERRORS = (403, 404, 409)


def claimed_from(body: ProviderFacts) -> ClaimedProvider:
    """The facts as registration reads them (a Tax ID's dash dropped)."""
    return ClaimedProvider(
        provider_type=ProviderType(body.provider_type), provider_id=body.provider_id,
        tax_id=body.tax_id.replace("-", ""), zip_code=body.zip_code, first_name=body.first_name or "",
        last_name=body.last_name or "", group_name=body.group_name or "")


def link_out(view: LinkView) -> dict[str, Any]:
    return asdict(view)


def request_out(item: LinkRequest) -> dict[str, Any]:
    return asdict(item)


# The login's own

@api_route(link_routes, "/me/links", permission=None, tag=TAG, response="accounts:LinkListOut",
           summary="The providers linked to this login: the one it registered for, then each link with its status",
           description="ACTIVE links are in the provider selector and `/me`'s providers; a request acts in one Tax ID "
           "at a time (`providerId` where a route takes it), with that Tax ID's permissions.")
def my_links(principal: Principal) -> dict[str, Any]:
    return {"items": [link_out(view) for view in wiring.current().links().links(principal)]}


@api_route(link_routes, "/me/links", permission=None, method="POST", tag=TAG, status=201,
           body="accounts:ProviderFacts", response="accounts:LinkOut", errors=(403, 404, 409, 429),
           summary="Link another provider or Tax ID to this login, with the facts registration asks for",
           description="An exact match against the directory, as registration's (404 PROVIDER_NOT_FOUND, the same "
           "answer). Into a Tax ID with an administrator the link waits for its approval (PENDING_APPROVAL: its "
           "administrators are emailed); into one without, for its practice's confirmation (CONFIRMATION_REQUIRED: "
           "a code to the practice's address on record, or plan support staff), which makes the user its Provider "
           "Administrator. Never immediate. 409 ALREADY_LINKED (the login acts for it or asked), LINK_PENDING "
           "(another link waits), TOO_MANY_LINKS; 403 for plan staff and an account not approved yet. Throttled as "
           "registration is.")
def request_link(principal: Principal, body: ProviderFacts, request: RequestInfo) -> dict[str, Any]:
    return link_out(wiring.current().links().request(principal, claimed_from(body),
                                                     client_address=request.client_address))


@api_route(link_routes, "/me/links/{providerId}", permission=None, method="DELETE", tag=TAG, status=204,
           errors=OWN_ERRORS, summary="Unlink a provider, or withdraw a link request",
           description="The grant on its Tax ID goes with the last provider linked there. 409 HOME_PROVIDER for the "
           "provider the account registered for; 409 LAST_ADMINISTRATOR when the login is the Tax ID's last "
           "administrator; 404 LINK_NOT_FOUND.")
def remove_link(principal: Principal, providerId: str) -> None:
    wiring.current().links().remove(principal, providerId)


@api_route(link_routes, "/me/links/{providerId}/code", permission=None, method="POST", tag=TAG, status=202,
           response="accounts:LinkOut", errors=OWN_ERRORS,
           summary="Email the one-time code for a link into a Tax ID with no administrator",
           description="To the linked practice's contact address on record (never yours), as a first registration's: "
           "six digits, `PORTAL_PRACTICE_CODE_MINUTES` long, `PORTAL_PRACTICE_CODE_ATTEMPTS` tries. 409 "
           "NOT_AWAITING_CONFIRMATION or NO_CONTACT_ON_RECORD.")
def send_link_code(principal: Principal, providerId: str) -> dict[str, Any]:
    return link_out(wiring.current().links().send_code(principal, providerId))


@api_route(link_routes, "/me/links/{providerId}/confirmation", permission=None, method="POST", tag=TAG,
           body="accounts:ConfirmPracticeRequest", response="accounts:LinkOut", errors=OWN_ERRORS,
           summary="Confirm a link with the emailed code: the provider is linked, the user its Tax ID's administrator",
           description="400 INVALID_CONFIRMATION_CODE naming `code` (with the tries left).")
def confirm_link(principal: Principal, body: ConfirmPracticeRequest, providerId: str) -> dict[str, Any]:
    return link_out(wiring.current().links().confirm(principal, providerId, body.code))


# The linked Tax ID's administrators

@api_route(link_routes, "/link-requests", permission=ADMIN, tag=TAG, query="base:ListQuery",
           response="accounts:LinkRequestPageOut", errors=(403,),
           summary="Links into the Tax ID waiting for your approval, oldest first",
           description="Users of other Tax IDs asking to act for one of this Tax ID's providers: one Query of the "
           "sparse `awaiting-index` (its links' partition), at most limit + 1 items; no total.")
def link_requests(principal: Principal, query: ListQuery) -> dict[str, Any]:
    found = wiring.current().links().pending(principal, query.limit, query.next_token)
    return {"items": [request_out(item) for item in found.items], "next_token": found.next_token}


@api_route(link_routes, "/link-requests/{username}/{providerId}/approve", permission=ADMIN, method="POST", tag=TAG,
           body="accounts:ApproveRequest", response="accounts:LinkRequestOut", errors=(403, 404, 409),
           summary="Approve a link request, with its permissions on the Tax ID",
           description="Without `permissions`, the Tax ID's default set; a login that acts in the Tax ID already "
           "keeps its grant here (`keepsGrant`). Only an administrator approves an administrator. Again, or after "
           "another decision: 409 NOT_AWAITING_APPROVAL, nothing changed. Another Tax ID's request is 404. The user "
           "is emailed.")
def approve_link(principal: Principal, body: ApproveRequest, username: str,
                 providerId: str) -> dict[str, Any]:
    chosen = None if body.permissions is None else provider_permissions(body.permissions)
    return request_out(wiring.current().links().approve(principal, username, providerId, chosen,
                                                        administrator=body.administrator))


@api_route(link_routes, "/link-requests/{username}/{providerId}/deny", permission=ADMIN, method="POST", tag=TAG,
           response="base:StatusBody", errors=(403, 404, 409), summary="Deny a link request",
           description="The login keeps what it had; the user is emailed.")
def deny_link(principal: Principal, username: str, providerId: str) -> dict[str, str]:
    wiring.current().links().deny(principal, username, providerId)
    return {"status": "DENIED"}


@api_route(link_routes, "/linked-users", permission=ADMIN, tag=TAG, query="base:ListQuery",
           response="accounts:UserPageOut", errors=(403,),
           summary="Users of other Tax IDs linked to this Tax ID's providers, with their permissions here",
           description="`/users/{username}` changes their permissions here (PUT .../permissions) or removes them "
           "from the Tax ID (DELETE: their links here go, their account stays); deactivating, unlocking and resets "
           "are their own Tax ID's (409 LINKED_USER). One Query of the Tax ID's links, one batch get; no total.")
def linked_users(principal: Principal, query: ListQuery) -> dict[str, Any]:
    found = wiring.current().users().linked_users(principal, query.limit, query.next_token)
    return {"items": [user_out(view) for view in found.items], "next_token": found.next_token}


# Plan support staff: the review desk

@api_route(link_routes, "/review/link-confirmations", permission=SUPPORT, tag=TAG, query="base:ListQuery",
           response="accounts:LinkRequestPageOut", errors=(403,),
           summary="Links into Tax IDs with no administrator, waiting for their practice's confirmation",
           description="One Query of the sparse awaiting index, oldest first; each with the practice's contact "
           "address on record.")
def link_confirmations(principal: Principal, query: ListQuery) -> dict[str, Any]:
    found = wiring.current().links().awaiting_confirmation(principal, query.limit, query.next_token)
    return {"items": [request_out(item) for item in found.items], "next_token": found.next_token}


@api_route(link_routes, "/review/link-confirmations/{username}/{providerId}/approve", permission=SUPPORT,
           method="POST", tag=TAG, response="base:StatusBody", errors=(403, 409),
           summary="Link the provider and make the user its Tax ID's Provider Administrator (plan support staff)")
def support_confirm_link(principal: Principal, username: str, providerId: str) -> dict[str, str]:
    wiring.current().links().support_confirm(principal, username, providerId)
    return {"status": "ACTIVE"}


@api_route(link_routes, "/review/link-confirmations/{username}/{providerId}/deny", permission=SUPPORT,
           method="POST", tag=TAG, response="base:StatusBody", errors=(403, 409),
           summary="Deny a link into a Tax ID with no administrator (plan support staff)")
def support_deny_link(principal: Principal, username: str, providerId: str) -> dict[str, str]:
    wiring.current().links().support_deny(principal, username, providerId)
    return {"status": "DENIED"}
