"""Manage Users' link requests, as pages (user administration): a user of another Tax ID asks to act for one of this
Tax ID's providers (Account Linker); an administrator approves it (the default permission set in one step, or the
permissions checked) or denies it. The review desk's links into Tax IDs without an administrator are on the Practice
Confirmations page (``confirmation_pages``)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.handlers.accounts import user_paths as paths
from chalicelib.handlers.accounts.users_pages import (
    LABELS,
    PERMISSION_ORDER,
    PROBLEM_HEADINGS,
    checked_permissions,
    permission_items,
)
from chalicelib.platform.errors import ErrorKind, PortalError
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route

link_request_pages = Blueprint(__name__)
TAG = "Pages"
ADMIN = Permission.USER_ADMIN


def _request_page(page: PageRequest, username: str, provider_id: str, *, problem: PortalError | None = None,
                  status: int = 200) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    item = wiring.current().links().pending_request(page.principal, username, provider_id)
    users = wiring.current().users()
    defaults = users.default_permissions(page.principal)
    errors = field_errors(problem, LABELS) if problem is not None and problem.kind == ErrorKind.INVALID else {}
    chosen = page.form.all("permissions") if problem is not None and "permissions" in page.form else None
    action = paths.link_request(item.username, item.provider_id)
    return Page("users/link_request.html", {
        "title": f"Link request of {item.username}", "item": item, "errors": errors,
        "summary_errors": summary(errors, LABELS),
        "problem": None if problem is None or errors else {
            "heading": PROBLEM_HEADINGS.get(problem.code, "This could not be done"), "text": problem.message},
        "permission_items": permission_items(),
        "chosen": chosen if chosen is not None else [p.value for p in defaults],
        "defaults_words": ", ".join(p.words for p in PERMISSION_ORDER if p in defaults) or "None",
        "actor_is_administrator": _is_administrator(page), "defaults_link": paths.DEFAULTS,
        "list_link": paths.MANAGE_USERS, "approve_action": action + "/approve", "deny_action": action + "/deny",
    }, status=status)


def _is_administrator(page: PageRequest) -> bool:
    """Whether the actor may approve an administrator (the permissions form offers the box then)."""
    assert page.principal is not None  # page_route lets no request without a session through
    return wiring.current().users().is_administrator(page.principal)


@page_route(link_request_pages, paths.LINK_REQUEST, permission=ADMIN, tag=TAG,
            summary="A link request: a user of another Tax ID asks to act for one of your providers",
            description="Another Tax ID's request, or one that no longer exists, is the 404 page.")
def link_request_page(page: PageRequest, username: str, providerId: str) -> Page:
    return _request_page(page, username, providerId)


def _decide(page: PageRequest, username: str, provider_id: str, done: str, decide: Any) -> Page | Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    try:
        decide(page.principal)
    except PortalError as error:
        if error.kind in (ErrorKind.NOT_FOUND, ErrorKind.UNAUTHENTICATED) or (
                error.kind == ErrorKind.FORBIDDEN and "permission" not in error.fields):
            raise
        status = {ErrorKind.INVALID: 400, ErrorKind.FORBIDDEN: 403}.get(error.kind, 409)
        return _request_page(page, username, provider_id, problem=error, status=status)
    return Redirect(f"{paths.MANAGE_USERS}?done={done}")


@page_route(link_request_pages, paths.LINK_REQUEST + "/approve", permission=ADMIN, method="POST", tag=TAG,
            summary="Approve a link request: the default set, or the permissions checked",
            description="`use=defaults` applies the Tax ID's default permission set in one step.")
def link_approve_submit(page: PageRequest, username: str, providerId: str) -> Page | Redirect:
    administrator = page.form.get("administrator") == "yes"

    def approve(actor: Any) -> None:
        chosen = None if page.form.get("use") == "defaults" else checked_permissions(page)
        wiring.current().links().approve(actor, username, providerId, chosen, administrator=administrator)

    return _decide(page, username, providerId, "link-approved", approve)


@page_route(link_request_pages, paths.LINK_REQUEST + "/deny", permission=ADMIN, method="POST", tag=TAG,
            summary="Deny a link request")
def link_deny_submit(page: PageRequest, username: str, providerId: str) -> Page | Redirect:
    return _decide(page, username, providerId, "link-denied",
                   lambda actor: wiring.current().links().deny(actor, username, providerId))
