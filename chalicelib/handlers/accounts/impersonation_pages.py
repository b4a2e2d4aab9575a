"""Impersonate User in the browser: plan support staff find a user by username, a Tax ID's administrators start
from the user's Manage Users page ("View as this user"), and End (the banner on every page) comes back.

Starting keeps the actor's own session cookie aside (``browser.OWN_SESSION``) and puts the view's session in the
session cookie; ending, or logging out, puts it back. The view is read-only: every POST but these answers the 403
page saying so (``platform.web.api.admit``).
"""

from __future__ import annotations

import re
from contextlib import suppress
from urllib.parse import urlencode

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.accounts.impersonation import VIEW_LIMIT
from chalicelib.handlers.accounts import user_paths
from chalicelib.platform.access import Role
from chalicelib.platform.errors import ErrorKind, PortalError, SessionExpired, ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web import browser
from chalicelib.platform.web.api import STATUS_BY_KIND
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import (
    END_IMPERSONATION_PATH,
    HOME_PATH,
    Page,
    PageRequest,
    Redirect,
    page_route,
)

impersonation_pages = Blueprint(__name__)
TAG = "Pages"
FIND = user_paths.VIEW_AS
LABELS = {"username": "This user"}
ENDED = "ended"
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


def _find_page(page: PageRequest, username: str = "", *, problem: PortalError | None = None) -> Page:
    """The Impersonate User page: the username form, then who it names with "View as this user", or why not."""
    assert page.principal is not None  # page_route lets no request without a session through
    errors: dict[str, str] = {}
    candidate = None
    if problem is None and username:
        try:
            candidate = wiring.current().impersonations().candidate(page.principal, username)
        except PortalError as error:
            problem = error
    if problem is not None:
        if problem.kind not in (ErrorKind.NOT_FOUND, ErrorKind.FORBIDDEN, ErrorKind.INVALID) or \
                "username" not in problem.fields:
            raise problem
        errors = field_errors(problem, LABELS)
    ended = page.query.get("done") == ENDED
    return Page("impersonation/find.html", {
        "title": "Impersonate User", "username": username, "errors": errors, "summary_errors": summary(errors, LABELS),
        "candidate": candidate, "start_action": FIND, "minutes": int(VIEW_LIMIT.total_seconds() // 60),
        "ended": page.query.get("username") if ended else None,
    }, status=STATUS_BY_KIND[problem.kind] if problem is not None else 200)


@page_route(impersonation_pages, FIND, permission=Permission.SUPPORT, tag=TAG,
            summary="Impersonate User: find an office user by username and view the portal as it (plan support)",
            description="GET with `username` shows who it names and a \u201cView as this user\u201d button, or why "
            "not.")
def find_user(page: PageRequest) -> Page:
    username = (page.query.get("username") or "").strip()
    if page.query.get("done") == ENDED:
        username = ""
    if username and not _USERNAME.match(username):
        return _find_page(page, username, problem=ValidationFailed(fields={
            "username": "Enter a username: letters, digits and . _ @ - only"}))
    return _find_page(page, username)


@page_route(impersonation_pages, FIND, permission=(Permission.SUPPORT, Permission.USER_ADMIN), method="POST",
            tag=TAG, while_impersonating=True,
            summary="View as this user: start a read-only view of the portal as it (at most 30 minutes)",
            description="Keeps the actor's own session for the end; a view already open is refused (409).")
def start_view(page: PageRequest) -> Page | Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    assert page.session_token is not None
    username = (page.form.get("username") or "").strip()
    try:
        started = wiring.current().impersonations().start(page.principal, username)
    except PortalError as error:
        if page.principal.is_plan_staff and page.principal.impersonation is None:
            return _find_page(page, username, problem=error)
        raise
    page.set_cookies.extend([
        page.cookie_policy.set(browser.OWN_SESSION, page.session_token),
        page.cookie_policy.set(browser.SESSION, started.token),
        page.cookie_policy.clear(browser.PROVIDER),
    ])
    return Redirect(HOME_PATH)


@page_route(impersonation_pages, END_IMPERSONATION_PATH, permission=None, method="POST", tag=TAG,
            while_impersonating=True, summary="End the view as another user: back to your own session",
            description="The user is emailed a notice; the end is audited. Plan staff land on Impersonate User, an "
            "administrator on the user's Manage Users page.")
def end_view(page: PageRequest) -> Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    view = page.principal.impersonation
    if view is None:  # the view had ended already and the actor's own session came back (pages.py)
        return Redirect(HOME_PATH)
    username = page.principal.username
    with suppress(SessionExpired):  # ended meanwhile (its time, another tab): back to the own session all the same
        wiring.current().impersonations().end(page.principal)
    if not back_to_own_session(page):
        return Redirect(f"/login?{urlencode({'reason': 'ended'})}")
    if view.actor_role == Role.PLAN_STAFF:
        return Redirect(f"{FIND}?{urlencode({'done': ENDED, 'username': username})}")
    return Redirect(user_paths.user(username, done="viewed"))


def back_to_own_session(page: PageRequest) -> bool:
    """The actor's own session in the session cookie again; False (and no session left) when the browser has none."""
    own = page.cookie(browser.OWN_SESSION)
    if not own:
        page.end_session()
        return False
    page.set_cookies.extend([
        page.cookie_policy.set(browser.SESSION, own),
        page.cookie_policy.clear(browser.OWN_SESSION),
        page.cookie_policy.clear(browser.PROVIDER),
    ])
    return True


def end_view_and_own_session(page: PageRequest) -> None:
    """Logging out of a view: the view ends (as End), then the actor's own session too."""
    assert page.principal is not None  # the logout route's session
    accounts = wiring.current().accounts()
    with suppress(SessionExpired):
        wiring.current().impersonations().end(page.principal)
    own = page.cookie(browser.OWN_SESSION)
    if own:
        with suppress(SessionExpired):  # it had ended: nothing more to end
            accounts.logout(accounts.authenticate(own))
    page.end_session()
