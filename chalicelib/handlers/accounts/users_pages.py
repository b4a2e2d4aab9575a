"""Manage Users, as pages (administrators: user administration): the Tax ID's users and the registrations waiting
for approval, one user (approve or deny, permissions, deactivate and reactivate, unlock, a password reset email,
remove from the Tax ID, who changed what), and the Tax ID's default permission set.

Plain forms (Post/Redirect/Get) through the same services the JSON routes call. A refused change comes back as the
user's page with the reason (a change on a stale page: "someone else changed this user: reload"), nothing changed.
"""

from __future__ import annotations

import json
from typing import Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.accounts.administration import status_words
from chalicelib.accounts.enums import UserStatus
from chalicelib.accounts.office_users import UserView
from chalicelib.audit import service as trail_service
from chalicelib.handlers.accounts import user_paths as paths
from chalicelib.handlers.accounts.users_routes import provider_permissions
from chalicelib.platform.errors import ErrorKind, PermissionsChanged, PortalError, ValidationFailed
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, Permission
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route
from chalicelib.platform.web.templating import us_datetime
from chalicelib.platform.web.trail import PageTrail

user_pages = Blueprint(__name__)
TAG = "Pages"
ADMIN = Permission.USER_ADMIN
PAGE_SIZE = 50
WAITING_SHOWN = 20
HISTORY_SHOWN = 10
PERMISSION_ORDER = sorted(PROVIDER_PERMISSIONS, key=list(Permission).index)
LABELS = {"permissions": "Permissions", "nextToken": "Page"}

DONE = {
    "approved": "The user is approved. It has its permissions from its next request, and it was emailed.",
    "denied": "The registration is denied: its account is closed and its registrant was emailed.",
    "permissions": "The permissions are saved. They count from the user's next request.",
    "deactivated": "The user is deactivated: its open sessions ended.",
    "reactivated": "The user is reactivated: it can log in again.",
    "unlocked": "The user is unlocked: it can log in again.",
    "reset": "A password reset email is on its way to the user's own address (at most 3 an hour).",
    "removed": "The user is removed from the Tax ID: its account is closed and its sessions ended (a linked "
               "user: its links to your Tax ID and its permissions here are gone).",
    "link-approved": "The link is approved: the user acts for the provider with its permissions from its next "
                     "request, and it was emailed.",
    "link-denied": "The link request is denied: the user was emailed.",
    "defaults": "The default permission set is saved.",
    "viewed": "Your view as this user has ended: you are yourself again. The user is emailed a notice.",
    "mfa-reset": "The user's second factor is reset: it sets one up again at its next login, and it was emailed.",
}
"""What a page says after a change (``?done=``): a fixed list, never the query's own text."""

STATUS_TONES = {UserStatus.ACTIVE: "success", UserStatus.PENDING_APPROVAL: "warning",
                UserStatus.CONFIRMATION_REQUIRED: "warning", UserStatus.PENDING_ACTIVATION: "info",
                UserStatus.DEACTIVATED: "neutral", UserStatus.CLOSED: "neutral"}

PROBLEM_HEADINGS = {
    PermissionsChanged.code: "Someone else changed this user",
    "LAST_ADMINISTRATOR": "The Tax ID needs an administrator",
    "OWN_ACCOUNT": "Not your own account",
    "USER_STATUS_CONFLICT": "This does not fit the user's status",
    "NOT_AWAITING_APPROVAL": "Already decided",
    "FORBIDDEN": "Not allowed",
    "LINKED_USER": "A user of another Tax ID",
}


def notice(page: PageRequest) -> str | None:
    return DONE.get(page.query.get("done") or "")


def tags(view: UserView) -> dict[str, Any]:
    found = [{"text": status_words(view, wiring.current().settings.inactive_days), "tone": STATUS_TONES[view.status]}]
    if view.locked:
        found.append({"text": "Locked", "tone": "error"})
    return {"tags": found}


def permission_words(view: UserView) -> str:
    if view.administrator:
        return "Provider Administrator (every permission)"
    return ", ".join(p.words for p in PERMISSION_ORDER if p in view.permissions) or "None"


def permission_items() -> list[dict[str, str]]:
    return [{"value": p.value, "text": p.words} for p in PERMISSION_ORDER]


USER_COLUMNS = [{"key": key, "label": label} for key, label in (
    ("username", "Username"), ("provider", "Registered for"), ("status", "Status"), ("lastLogin", "Last login"),
    ("permissions", "Permissions"))]


def user_row(view: UserView) -> list[Any]:
    return [{"text": view.username, "href": paths.user(view.username)}, view.provider_name or view.provider_id or "",
            tags(view), us_datetime(view.last_login_at) or "Never", permission_words(view)]


# The Tax ID's users

@page_route(user_pages, paths.MANAGE_USERS, permission=ADMIN, tag=TAG,
            summary="Manage Users: the Tax ID's users and the registrations waiting for approval",
            description="Users by username (one Query a page, Previous and Next by page token, no total); the "
            "waiting registrations first, oldest first.")
def manage_users(page: PageRequest) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    errors: dict[str, str] = {}
    try:
        trail = PageTrail.from_query(page.query)
        found = wiring.current().users().users(page.principal, PAGE_SIZE, trail.token)
    except ValidationFailed as error:
        errors, trail = field_errors(error, LABELS), PageTrail()
        found = wiring.current().users().users(page.principal, PAGE_SIZE, None)
    waiting = wiring.current().approvals().pending(page.principal, WAITING_SHOWN, None)
    link_requests = wiring.current().links().pending(page.principal, WAITING_SHOWN, None)
    linked = wiring.current().users().linked_users(page.principal, PAGE_SIZE, None)
    rows = [user_row(view) for view in found.items]
    return Page("users/manage.html", {
        "title": "Manage Users", "notice": notice(page), "errors": errors, "summary_errors": summary(errors, LABELS),
        "waiting": waiting.items, "more_waiting": bool(waiting.next_token), "defaults_link": paths.DEFAULTS,
        "link_requests": link_requests.items, "more_link_requests": bool(link_requests.next_token),
        "link_request_link": paths.link_request, "user_link": paths.user,
        "linked": {"id": "linked-users", "caption": "Users of other Tax IDs linked to yours, by username",
                   "rows": [user_row(view) for view in linked.items], "total": None,
                   "columns": [*USER_COLUMNS[:1], {"key": "provider", "label": "Linked to"}, *USER_COLUMNS[2:]],
                   "empty": "No user of another Tax ID is linked to yours.",
                   "more": bool(linked.next_token)},
        "table": {"id": "users", "caption": "The Tax ID's users, by username", "rows": rows, "total": None,
                  "columns": USER_COLUMNS,
                  "previous_href": trail.previous_href(paths.MANAGE_USERS, {}),
                  "next_href": trail.next_href(paths.MANAGE_USERS, {}, found.next_token),
                  "position": f"Page {trail.number}", "empty": "No users yet."},
    })


# One user

def _user_page(page: PageRequest, username: str, *, problem: PortalError | None = None,
               chosen: list[str] | None = None, status: int = 200) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    detail = wiring.current().users().detail(page.principal, username, HISTORY_SHOWN)
    view, defaults = detail.view, detail.defaults
    errors = field_errors(problem, LABELS) if problem is not None and problem.kind == ErrorKind.INVALID else {}
    awaiting = view.status == UserStatus.PENDING_APPROVAL
    values = chosen if chosen is not None else [p.value for p in (defaults if awaiting else view.permissions)]
    return Page("users/user.html", {
        "title": f"User {view.username}", "view": view, "status_tags": tags(view)["tags"],
        "permission_words": permission_words(view), "notice": notice(page) if problem is None else None,
        "problem": None if problem is None or errors else {
            "heading": PROBLEM_HEADINGS.get(problem.code, "This change could not be made"), "text": problem.message,
            "reload": problem.code == PermissionsChanged.code},
        "errors": errors, "summary_errors": summary(errors, LABELS),
        "permission_items": permission_items(), "chosen": values,
        "actor_is_administrator": detail.actor_is_administrator,
        "defaults_words": ", ".join(p.words for p in PERMISSION_ORDER if p in defaults) or "None",
        "awaiting": awaiting, "is_self": view.username.lower() == page.principal.username.lower(),
        "view_as": wiring.current().impersonations().may_view_as(page.principal, view.username),
        "view_as_action": paths.VIEW_AS,
        "action": lambda name: paths.user(view.username) + "/" + name, "self_link": paths.user(view.username),
        "list_link": paths.MANAGE_USERS, "defaults_link": paths.DEFAULTS,
        "history": [{"when": item.occurred_at, "who": trail_service.who(item),
                     "what": item.action.replace("_", " ").title(),
                     "detail": item.detail or ""} for item in detail.history.items],
    }, status=status)


@page_route(user_pages, paths.USER, permission=ADMIN, tag=TAG,
            summary="One user of the Tax ID: status, permissions and what an administrator can do",
            description="A user of another Tax ID is the 404 page.")
def user_page(page: PageRequest, username: str) -> Page:
    return _user_page(page, username)


def _refused(page: PageRequest, username: str, error: PortalError) -> Page:
    """The user's page again with the reason; a NOT_FOUND stays the 404 page."""
    if error.kind in (ErrorKind.NOT_FOUND, ErrorKind.UNAUTHENTICATED):
        raise error
    if error.kind == ErrorKind.FORBIDDEN and "permission" not in error.fields:
        raise error
    chosen = page.form.all("permissions") if "permissions" in page.form else None
    return _user_page(page, username, problem=error, chosen=chosen,
                      status=400 if error.kind == ErrorKind.INVALID else 403 if error.kind == ErrorKind.FORBIDDEN
                      else 409)


def checked_permissions(page: PageRequest) -> frozenset[Permission]:
    """The form's checked permissions through the JSON route's schema (an unknown value is named)."""
    from pydantic import ValidationError

    from chalicelib.accounts.schemas import DefaultPermissionsRequest
    from chalicelib.platform.web.api import field_errors as schema_errors

    try:
        body = DefaultPermissionsRequest.model_validate_json(json.dumps({"permissions": page.form.all("permissions")}))
    except ValidationError as error:
        names = {name.split(".")[0]: message for name, message in schema_errors(error).items()}
        raise ValidationFailed(fields=names) from None
    return provider_permissions(body.permissions)


def _act(page: PageRequest, username: str, done: str, change: Any, then: str | None = None) -> Page | Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    try:
        change(page.principal)
    except PortalError as error:
        return _refused(page, username, error)
    return Redirect((then or paths.user(username)) + f"?done={done}")


@page_route(user_pages, paths.USER + "/approve", permission=ADMIN, method="POST", tag=TAG,
            summary="Approve a waiting registration: the default set, or the permissions checked",
            description="`use=defaults` applies the Tax ID's default permission set in one step.")
def approve_submit(page: PageRequest, username: str) -> Page | Redirect:
    approvals = wiring.current().approvals()
    administrator = page.form.get("administrator") == "yes"

    def approve(actor: Any) -> None:
        chosen = None if page.form.get("use") == "defaults" else checked_permissions(page)
        approvals.approve(actor, username, chosen, administrator=administrator)

    return _act(page, username, "approved", approve)


@page_route(user_pages, paths.USER + "/deny", permission=ADMIN, method="POST", tag=TAG,
            summary="Deny a waiting registration: its account is closed")
def deny_submit(page: PageRequest, username: str) -> Page | Redirect:
    return _act(page, username, "denied", lambda actor: wiring.current().approvals().deny(actor, username),
                then=paths.MANAGE_USERS)


@page_route(user_pages, paths.USER + "/permissions", permission=ADMIN, method="POST", tag=TAG,
            summary="Save the user's permissions", description="The form carries the version it showed: a change "
            "made meanwhile by someone else is refused (\u201creload\u201d), nothing changed.")
def permissions_submit(page: PageRequest, username: str) -> Page | Redirect:
    users = wiring.current().users()
    administrator = (page.form.get("administrator") == "yes") if "administratorShown" in page.form else None
    version = page.form.get("version") or None
    return _act(page, username, "permissions", lambda actor: users.change_permissions(
        actor, username, checked_permissions(page), administrator=administrator, version=version))


@page_route(user_pages, paths.USER + "/deactivate", permission=ADMIN, method="POST", tag=TAG,
            summary="Deactivate the user: its open sessions stop at once")
def deactivate_submit(page: PageRequest, username: str) -> Page | Redirect:
    return _act(page, username, "deactivated", lambda actor: wiring.current().users().deactivate(actor, username))


@page_route(user_pages, paths.USER + "/reactivate", permission=ADMIN, method="POST", tag=TAG,
            summary="Reactivate a deactivated user")
def reactivate_submit(page: PageRequest, username: str) -> Page | Redirect:
    return _act(page, username, "reactivated", lambda actor: wiring.current().users().reactivate(actor, username))


@page_route(user_pages, paths.USER + "/unlock", permission=ADMIN, method="POST", tag=TAG,
            summary="Unlock a user locked after failed logins")
def unlock_submit(page: PageRequest, username: str) -> Page | Redirect:
    return _act(page, username, "unlocked", lambda actor: wiring.current().users().unlock(actor, username))


@page_route(user_pages, paths.USER + "/password-reset", permission=ADMIN, method="POST", tag=TAG,
            summary="Email the user a password reset link")
def password_reset_submit(page: PageRequest, username: str) -> Page | Redirect:
    return _act(page, username, "reset",
                lambda actor: wiring.current().users().send_password_reset(actor, username))


@page_route(user_pages, paths.USER + "/remove", permission=ADMIN, tag=TAG,
            summary="Remove the user from the Tax ID: the confirmation")
def remove_page(page: PageRequest, username: str) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    view = wiring.current().users().user(page.principal, username)
    return Page("users/remove.html", {"title": f"Remove {view.username}", "view": view,
                                      "action": paths.user(view.username) + "/remove",
                                      "keep_link": paths.user(view.username)})


@page_route(user_pages, paths.USER + "/remove", permission=ADMIN, method="POST", tag=TAG,
            summary="Remove the user from the Tax ID: its account is closed")
def remove_submit(page: PageRequest, username: str) -> Page | Redirect:
    return _act(page, username, "removed", lambda actor: wiring.current().users().remove(actor, username),
                then=paths.MANAGE_USERS)


# The Tax ID's default permission set

def _defaults_page(page: PageRequest, *, chosen: list[str] | None = None, errors: dict[str, str] | None = None,
                   status: int = 200) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    kept = wiring.current().users().default_permissions(page.principal)
    return Page("users/defaults.html", {
        "title": "Default Permission Set", "notice": notice(page), "errors": errors or {},
        "summary_errors": summary(errors or {}, LABELS), "permission_items": permission_items(),
        "chosen": chosen if chosen is not None else [p.value for p in kept], "list_link": paths.MANAGE_USERS,
    }, status=status)


@page_route(user_pages, paths.DEFAULTS, permission=ADMIN, tag=TAG,
            summary="The Tax ID's default permission set (what approving in one step gives)")
def defaults_page(page: PageRequest) -> Page:
    return _defaults_page(page)


@page_route(user_pages, paths.DEFAULTS, permission=ADMIN, method="POST", tag=TAG,
            summary="Keep the Tax ID's default permission set")
def defaults_submit(page: PageRequest) -> Page | Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    try:
        wiring.current().users().set_default_permissions(page.principal, checked_permissions(page))
    except ValidationFailed as error:
        return _defaults_page(page, chosen=page.form.all("permissions"), errors=field_errors(error, LABELS),
                              status=400)
    return Redirect(f"{paths.DEFAULTS}?done=defaults")


# A lost second factor (the reset's service: chalicelib/accounts/mfa_service.py)

def mfa_reset_confirmation(username: str, enrolled: bool | None, action: str, keep_link: str) -> Page:
    """The confirmation step of a second factor's reset (Manage Users' and plan support's Account Help)."""
    return Page("accounts/mfa_reset.html", {"title": f"Reset the Second Factor of {username}", "username": username,
                                            "enrolled": enrolled, "action": action, "keep_link": keep_link})


@page_route(user_pages, paths.USER + "/mfa-reset", permission=ADMIN, tag=TAG,
            summary="Reset the user's second factor (a lost device): the confirmation")
def mfa_reset_page(page: PageRequest, username: str) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    view = wiring.current().users().user(page.principal, username)
    return mfa_reset_confirmation(view.username, None, paths.user(view.username) + "/mfa-reset",
                                  paths.user(view.username))


@page_route(user_pages, paths.USER + "/mfa-reset", permission=ADMIN, method="POST", tag=TAG,
            summary="Reset the user's second factor: it sets one up again at its next login; it is emailed",
            description="A user linked from another Tax ID is that Tax ID's to reset (409 LINKED_USER on the user's "
            "page).")
def mfa_reset_submit(page: PageRequest, username: str) -> Page | Redirect:
    return _act(page, username, "mfa-reset", lambda actor: wiring.current().mfa().reset(actor, username))
