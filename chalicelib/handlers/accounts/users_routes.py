"""Who gets in and Manage Users, as JSON: Confirm your practice (the waiting account's own), the review desk (plan
support staff) and a Tax ID's users (its administrators: user administration)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.audit import service as trail
from chalicelib.platform.errors import ValidationFailed
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, Permission
from chalicelib.platform.web.api import api_route

if TYPE_CHECKING:
    from collections.abc import Iterable

    from chalicelib.accounts.approval import AccessState
    from chalicelib.accounts.office_users import UserView
    from chalicelib.accounts.schemas import (
        ApproveRequest,
        ConfirmPracticeRequest,
        DefaultPermissionsRequest,
        PermissionsRequest,
        UsersQuery,
    )
    from chalicelib.platform.access import Principal
    from chalicelib.platform.web.schemas import ListQuery

user_routes = Blueprint(__name__)
TAG = "Users"
ADMIN = Permission.USER_ADMIN
SUPPORT = Permission.SUPPORT
USER_ERRORS = (403, 404, 409)


def provider_permissions(values: Iterable[Permission], field: str = "permissions") -> frozenset[Permission]:
    """A body's permissions: provider permissions only (a plan-staff one is a 400 naming it)."""
    chosen = frozenset(values)
    staff = sorted(p.value for p in chosen - PROVIDER_PERMISSIONS)
    if staff:
        raise ValidationFailed(fields={field: f"{', '.join(staff)} is not a provider permission"})
    return chosen


def user_out(view: UserView) -> dict[str, Any]:
    return {**asdict(view), "status": view.status.value, "permissions": [p.value for p in view.permissions]}


def access_out(access: AccessState) -> dict[str, Any]:
    return asdict(access)


# The waiting account's own

@api_route(user_routes, "/practice-confirmation", permission=None, tag=TAG,
           summary="What this account waits for before it sees any data", response="accounts:AccessOut",
           description="CONFIRMATION_REQUIRED: the first account of a Tax ID with no administrator, confirmed by the "
           "code emailed to the practice's contact address on record (or by plan support staff); PENDING_APPROVAL: "
           "waiting for an administrator of its Tax ID; APPROVED: nothing.")
def practice_confirmation(principal: Principal) -> dict[str, Any]:
    return access_out(wiring.current().approvals().access(principal))


@api_route(user_routes, "/practice-confirmation/code", permission=None, method="POST", tag=TAG, status=202,
           summary="Email the one-time code to the practice's contact address on record", response="accounts:AccessOut",
           errors=(409,), description="Never to the address typed at registration. The code has six digits, lasts "
           "`PORTAL_PRACTICE_CODE_MINUTES` (15) and takes `PORTAL_PRACTICE_CODE_ATTEMPTS` (5) tries; the emails count "
           "against the account's hourly limit (3). 409 NOT_AWAITING_CONFIRMATION, or NO_CONTACT_ON_RECORD.")
def send_practice_code(principal: Principal) -> dict[str, Any]:
    return access_out(wiring.current().approvals().send_code(principal))


@api_route(user_routes, "/practice-confirmation", permission=None, method="POST", tag=TAG,
           summary="Confirm the practice with the emailed code: become its Provider Administrator",
           body="accounts:ConfirmPracticeRequest", response="accounts:AccessOut", errors=(409,),
           description="400 INVALID_CONFIRMATION_CODE naming `code` (with the tries left); the account holds every "
           "provider permission from its next request.")
def confirm_practice(principal: Principal, body: ConfirmPracticeRequest) -> dict[str, Any]:
    approvals = wiring.current().approvals()
    approvals.confirm(principal, body.code)
    return access_out(approvals.access(principal))


# Plan support staff: the review desk

@api_route(user_routes, "/review/practice-confirmations", permission=SUPPORT, tag=TAG, query="base:ListQuery",
           summary="Unconfirmed first administrators of every Tax ID, oldest first (plan support staff)",
           response="accounts:ConfirmationPageOut", errors=(403,),
           description="One Query of the sparse awaiting index, at most limit + 1 items; no total.")
def practice_confirmations(principal: Principal, query: ListQuery) -> dict[str, Any]:
    found = wiring.current().approvals().awaiting_confirmation(principal, query.limit, query.next_token)
    return {"items": [asdict(item) for item in found.items], "next_token": found.next_token}


@api_route(user_routes, "/review/practice-confirmations/{username}/approve", permission=SUPPORT, method="POST",
           tag=TAG, summary="Make the account its Tax ID's Provider Administrator (plan support staff)",
           response="base:StatusBody", errors=(403, 409),
           description="After support's own check with the practice (its phone number on record). 409 "
           "NOT_AWAITING_CONFIRMATION when the account waits for nothing of the kind (its Tax ID may have an "
           "administrator now, who approves it).")
def support_confirm(principal: Principal, username: str) -> dict[str, str]:
    wiring.current().approvals().support_confirm(principal, username)
    return {"status": "APPROVED"}


@api_route(user_routes, "/review/practice-confirmations/{username}/deny", permission=SUPPORT, method="POST",
           tag=TAG, summary="Close an unconfirmed first administrator's account (plan support staff)",
           response="base:StatusBody", errors=(403, 409))
def support_deny(principal: Principal, username: str) -> dict[str, str]:
    wiring.current().approvals().support_deny(principal, username)
    return {"status": "CLOSED"}


# A Tax ID's users (its administrators)

@api_route(user_routes, "/users", permission=ADMIN, tag=TAG, query="accounts:UsersQuery",
           summary="The Tax ID's users: status, locked, last login, permissions", response="accounts:UserPageOut",
           errors=(403,), description="By username, one Query of the Tax ID's partition of the accounts' "
           "`tax-id-index` (at most limit + 1 items read; no total, `nextToken` when more exist). "
           "`status=PENDING_APPROVAL`: the registrations waiting for approval, oldest first (the sparse "
           "`awaiting-index`).")
def list_users(principal: Principal, query: UsersQuery) -> dict[str, Any]:
    if query.status == "PENDING_APPROVAL":
        found: Any = wiring.current().approvals().pending(principal, query.limit, query.next_token)
    else:
        found = wiring.current().users().users(principal, query.limit, query.next_token)
    return {"items": [user_out(view) for view in found.items], "next_token": found.next_token}


@api_route(user_routes, "/users/{username}", permission=ADMIN, tag=TAG, summary="One user of the Tax ID",
           response="accounts:UserOut", errors=USER_ERRORS[:2],
           description="A user of another Tax ID answers 404, as one that does not exist.")
def get_user(principal: Principal, username: str) -> dict[str, Any]:
    return user_out(wiring.current().users().user(principal, username))


@api_route(user_routes, "/users/{username}/history", permission=ADMIN, tag=TAG, query="base:ListQuery",
           summary="Who changed this user's access, newest first", response="audit:AuditPageOut",
           errors=USER_ERRORS[:2], description="The audit records kept under the user (who, what, when); no total.")
def user_history(principal: Principal, query: ListQuery, username: str) -> dict[str, Any]:
    found = wiring.current().users().history(principal, username, query.limit, query.next_token)
    return {"items": [trail.event_view(item) for item in found.items], "next_token": found.next_token}


@api_route(user_routes, "/users/{username}/permissions", permission=ADMIN, method="PUT", tag=TAG,
           summary="Change the user's permissions", body="accounts:PermissionsRequest", response="accounts:UserOut",
           errors=USER_ERRORS, description="Counts on the user's next request. Only an administrator makes or "
           "unmakes administrators (403 naming ADMINISTRATOR); a Tax ID keeps its last active administrator (409 "
           "LAST_ADMINISTRATOR); a change sent with an older `version`, or racing another, is 409 "
           "PERMISSIONS_CHANGED; a registration still waiting is 409 USER_STATUS_CONFLICT (approve it).")
def change_permissions(principal: Principal, body: PermissionsRequest, username: str) -> dict[str, Any]:
    view = wiring.current().users().change_permissions(
        principal, username, provider_permissions(body.permissions), administrator=body.administrator,
        version=body.version)
    return user_out(view)


@api_route(user_routes, "/users/{username}/approve", permission=ADMIN, method="POST", tag=TAG,
           summary="Approve a registration waiting for approval, with its permissions", body="accounts:ApproveRequest",
           response="accounts:UserOut", errors=USER_ERRORS, description="Without `permissions`, the Tax ID's "
           "default set. Approving again (or after another administrator decided) is 409 NOT_AWAITING_APPROVAL and "
           "changes nothing. The registrant is emailed.")
def approve_user(principal: Principal, body: ApproveRequest, username: str) -> dict[str, Any]:
    chosen = None if body.permissions is None else provider_permissions(body.permissions)
    return user_out(wiring.current().approvals().approve(principal, username, chosen,
                                                         administrator=body.administrator))


@api_route(user_routes, "/users/{username}/deny", permission=ADMIN, method="POST", tag=TAG,
           summary="Deny a registration waiting for approval: its account is closed", response="base:StatusBody",
           errors=USER_ERRORS, description="The registrant is emailed; its email address may register again.")
def deny_user(principal: Principal, username: str) -> dict[str, str]:
    wiring.current().approvals().deny(principal, username)
    return {"status": "CLOSED"}


@api_route(user_routes, "/users/{username}/deactivate", permission=ADMIN, method="POST", tag=TAG,
           summary="Deactivate the user: its open sessions stop at once", response="accounts:UserOut",
           errors=USER_ERRORS, description="Not your own account (409 OWN_ACCOUNT), nor the Tax ID's last active "
           "administrator (409 LAST_ADMINISTRATOR); an inactive user is 409 USER_STATUS_CONFLICT.")
def deactivate_user(principal: Principal, username: str) -> dict[str, Any]:
    return user_out(wiring.current().users().deactivate(principal, username))


@api_route(user_routes, "/users/{username}/reactivate", permission=ADMIN, method="POST", tag=TAG,
           summary="Reactivate a deactivated user", response="accounts:UserOut", errors=USER_ERRORS)
def reactivate_user(principal: Principal, username: str) -> dict[str, Any]:
    return user_out(wiring.current().users().reactivate(principal, username))


@api_route(user_routes, "/users/{username}/unlock", permission=ADMIN, method="POST", tag=TAG,
           summary="Unlock a user locked after failed logins", response="accounts:UserOut", errors=USER_ERRORS)
def unlock_user(principal: Principal, username: str) -> dict[str, Any]:
    return user_out(wiring.current().users().unlock(principal, username))


@api_route(user_routes, "/users/{username}/password-reset", permission=ADMIN, method="POST", tag=TAG, status=202,
           summary="Email the user a password reset link", response="base:MessageBody", errors=USER_ERRORS,
           description="The email the user's own Forgot password sends, to the user's own address (at most 3 an "
           "hour).")
def reset_user_password(principal: Principal, username: str) -> dict[str, str]:
    wiring.current().users().send_password_reset(principal, username)
    return {"status": "ACCEPTED", "message": "A password reset email is on its way to the user's own address."}


@api_route(user_routes, "/users/{username}", permission=ADMIN, method="DELETE", tag=TAG, status=204,
           summary="Remove the user from the Tax ID: its account is closed", errors=USER_ERRORS,
           description="Its sessions end at once and its email address may register again; the username stays "
           "taken (audit trails name it). Not your own account, nor the last active administrator.")
def remove_user(principal: Principal, username: str) -> None:
    wiring.current().users().remove(principal, username)


@api_route(user_routes, "/default-permissions", permission=ADMIN, tag=TAG,
           summary="The Tax ID's default permission set (applied when approving in one step)",
           response="accounts:DefaultPermissionsOut", errors=(403,))
def default_permissions(principal: Principal) -> dict[str, Any]:
    return {"permissions": sorted(p.value for p in wiring.current().users().default_permissions(principal))}


@api_route(user_routes, "/default-permissions", permission=ADMIN, method="PUT", tag=TAG,
           summary="Keep the Tax ID's default permission set", body="accounts:DefaultPermissionsRequest",
           response="accounts:DefaultPermissionsOut", errors=(403,))
def set_default_permissions(principal: Principal, body: DefaultPermissionsRequest) -> dict[str, Any]:
    kept = wiring.current().users().set_default_permissions(principal, provider_permissions(body.permissions))
    return {"permissions": sorted(p.value for p in kept)}
