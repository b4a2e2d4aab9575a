"""Plan support's Account Help, as pages: find an account by username, then its facts and what support does for a
caller (check the security answer, unlock, resend the activation email, reset the second factor after a
confirmation step). The same service as the JSON routes (chalicelib/accounts/account_help.py).

A check's result is the answer to its POST (said in words, the field left empty): never a query's text a link could
forge. The other actions redirect to the account's page with a fixed notice (``?done=``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.accounts.account_help import NO_ACCOUNT, AccountFacts, AnswerCheck
from chalicelib.accounts.administration import STATUS_WORDS
from chalicelib.accounts.enums import UserStatus
from chalicelib.handlers.accounts.users_pages import STATUS_TONES, mfa_reset_confirmation
from chalicelib.platform.access import Principal, Role
from chalicelib.platform.errors import ErrorKind, PortalError, ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import STATUS_BY_KIND
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route
from chalicelib.platform.web.templating import us_datetime

account_help_pages = Blueprint(__name__)
TAG = "Pages"
SUPPORT = Permission.SUPPORT
FIND = "/account-help"
ACCOUNT = FIND + "/{username}"
FIND_LABELS = {"username": "Username"}
ANSWER_LABELS = {"answer": "Security answer"}
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
DONE = {
    "unlocked": "The account is unlocked: it can log in again, and its owner was emailed.",
    "activation": "A new activation email is on its way to the account's own address (at most 3 account emails "
                  "an hour).",
    "mfa-reset": "The second factor is reset: the account sets it up again at its next login, and its owner was "
                 "emailed.",
}
"""What the account's page says after an action (``?done=``): a fixed list, never the query's own text."""
PROBLEM_HEADINGS = {"NOT_LOCKED": "Not locked", "NOT_PENDING_ACTIVATION": "Not waiting for its activation",
                    "NO_SECURITY_QUESTION": "No security question", "FORBIDDEN": "Not allowed"}
NOT_FOUND_WORDS = f"{NO_ACCOUNT.capitalize()}: check the spelling with the caller"
AWAITING_WORDS = {"CONFIRMATION_REQUIRED": "its practice's confirmation", "PENDING_APPROVAL": "its administrator's "
                  "approval"}


def account_path(username: str, *, action: str = "", **query: str) -> str:
    path = ACCOUNT.format(username=quote(username, safe="@.")) + (f"/{action}" if action else "")
    return path + (f"?{urlencode(query)}" if query else "")


# Finding an account

@page_route(account_help_pages, FIND, permission=SUPPORT, tag=TAG,
            summary="Account Help: find an account by username to help a caller (plan support)",
            description="GET with `username` goes to the account's page; an empty or unknown username is the "
            "field's error in place.")
def find_account(page: PageRequest) -> Page | Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    if "username" not in page.query:
        return _find_page("")
    username = (page.query.get("username") or "").strip()
    if not username:
        return _find_page(username, ValidationFailed(fields={"username": "Enter the caller's username"}), status=400)
    if not _USERNAME.match(username):
        return _find_page(username, ValidationFailed(fields={
            "username": "Enter a username: letters, digits and . _ @ - only"}), status=400)
    try:
        found = wiring.current().account_help().facts(page.principal, username)
    except PortalError as error:
        if error.kind != ErrorKind.NOT_FOUND:
            raise
        return _find_page(username, ValidationFailed(fields={"username": NOT_FOUND_WORDS}), status=404)
    return Redirect(account_path(found.username))


def _find_page(username: str, problem: PortalError | None = None, *, status: int = 200) -> Page:
    errors = field_errors(problem, FIND_LABELS) if problem is not None else {}
    return Page("accounts/account_help_find.html", {
        "title": "Account Help", "username": username, "errors": errors,
        "summary_errors": summary(errors, FIND_LABELS), "action": FIND,
    }, status=status)


# One account

def _account_page(page: PageRequest, username: str, *, problem: PortalError | None = None,
                  checked: AnswerCheck | None = None, status: int = 200) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    facts = wiring.current().account_help().facts(page.principal, username)
    errors = field_errors(problem, ANSWER_LABELS) if problem is not None and "answer" in problem.fields else {}
    return Page("accounts/account_help.html", {
        "title": f"Account Help: {facts.username}", "facts": facts, "rows": fact_rows(facts),
        "status_tags": status_tags(facts), "errors": errors, "summary_errors": summary(errors, ANSWER_LABELS),
        "notice": DONE.get(page.query.get("done") or "") if problem is None and checked is None else None,
        "problem": None if problem is None or errors else {
            "heading": PROBLEM_HEADINGS.get(problem.code, "This could not be done"), "text": problem.message},
        "checked": checked, "find_link": FIND,
        "action": lambda name: account_path(facts.username, action=name),
        "pending_activation": facts.status == UserStatus.PENDING_ACTIVATION,
    }, status=status, headers=_retry_after(problem))


def _retry_after(problem: PortalError | None) -> dict[str, str]:
    seconds = problem.retry_after_seconds if problem is not None else None
    return {"Retry-After": str(seconds)} if seconds else {}


def status_tags(facts: AccountFacts) -> list[dict[str, str]]:
    found = [{"text": STATUS_WORDS[facts.status], "tone": STATUS_TONES[facts.status]}]
    if facts.locked:
        found.append({"text": "Locked", "tone": "error"})
    return found


def fact_rows(facts: AccountFacts) -> list[tuple[str, str]]:
    """The facts in the words a support person reads out (the status is the tags above them)."""
    office = f"{facts.name or facts.provider_id} ({facts.provider_id}, {facts.provider_type}), Tax ID {facts.tax_id}" \
        if facts.provider_id else "None: a plan-staff account"
    locked = f"Yes, until {us_datetime(facts.locked_until)} unless unlocked" if facts.locked else \
        f"No ({facts.failed_logins} failed logins in a row)" if facts.failed_logins else "No"
    return [
        ("Name", facts.name or "None on record"),
        ("Email", facts.email),
        ("Role", "Plan staff" if facts.role == Role.PLAN_STAFF else "Office user"),
        ("Provider and Tax ID", office),
        ("Waiting for", AWAITING_WORDS.get(facts.awaiting or "", "Nothing")),
        ("Locked", locked),
        ("Last login", us_datetime(facts.last_login_at) or "Never"),
        ("Registered", us_datetime(facts.registered_at)),
        ("Two-step verification", "Set up" if facts.mfa_enrolled else "Not set up"),
        ("Security question", facts.security_question or "None"),
    ]


@page_route(account_help_pages, ACCOUNT, permission=SUPPORT, tag=TAG,
            summary="Account Help: one account's facts and what support does for its caller (plan support)",
            description="A username with no account (or a plan-staff account, for a caller who is no plan "
            "administrator) is the 404 page.")
def account_page(page: PageRequest, username: str) -> Page:
    return _account_page(page, username)


def _refused(page: PageRequest, username: str, error: PortalError) -> Page:
    """The account's page again with the reason; a 404 stays the 404 page, a missing permission the 403 page."""
    if error.kind in (ErrorKind.NOT_FOUND, ErrorKind.UNAUTHENTICATED) or (
            error.kind == ErrorKind.FORBIDDEN and "permission" in error.fields):
        raise error
    return _account_page(page, username, problem=error, status=STATUS_BY_KIND[error.kind])


@page_route(account_help_pages, ACCOUNT + "/security-answer", permission=SUPPORT, method="POST", tag=TAG,
            summary="Check the caller's security answer: the page says whether it matches, never the answer",
            description="5 wrong answers in 24 hours for the account stop further checks (429, the field says "
            "until when).")
def security_answer_submit(page: PageRequest, username: str) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    answer = page.form.get("answer") or ""
    if not answer.strip():
        return _account_page(page, username, status=400, problem=ValidationFailed(fields={
            "answer": "Enter the answer the caller gives"}))
    try:
        checked = wiring.current().account_help().check_security_answer(page.principal, username, answer)
    except PortalError as error:
        return _refused(page, username, error)
    return _account_page(page, username, checked=checked)


def _act(page: PageRequest, username: str, done: str, change: Callable[[Principal], Any]) -> Page | Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    try:
        change(page.principal)
    except PortalError as error:
        return _refused(page, username, error)
    return Redirect(account_path(username, done=done))


@page_route(account_help_pages, ACCOUNT + "/unlock", permission=SUPPORT, method="POST", tag=TAG,
            summary="Unlock an account locked after failed logins; its owner is emailed")
def unlock_submit(page: PageRequest, username: str) -> Page | Redirect:
    return _act(page, username, "unlocked", lambda actor: wiring.current().account_help().unlock(actor, username))


@page_route(account_help_pages, ACCOUNT + "/activation-email", permission=SUPPORT, method="POST", tag=TAG,
            summary="Send a fresh activation email to an account waiting for its activation")
def activation_email_submit(page: PageRequest, username: str) -> Page | Redirect:
    return _act(page, username, "activation",
                lambda actor: wiring.current().account_help().resend_activation(actor, username))


@page_route(account_help_pages, ACCOUNT + "/mfa-reset", permission=SUPPORT, tag=TAG,
            summary="Reset the account's second factor: the confirmation")
def mfa_reset_page(page: PageRequest, username: str) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    facts = wiring.current().account_help().facts(page.principal, username)
    return mfa_reset_confirmation(facts.username, facts.mfa_enrolled, account_path(facts.username, action="mfa-reset"),
                                  account_path(facts.username))


@page_route(account_help_pages, ACCOUNT + "/mfa-reset", permission=SUPPORT, method="POST", tag=TAG,
            summary="Reset the account's second factor: it sets one up again at its next login; its owner is emailed")
def mfa_reset_submit(page: PageRequest, username: str) -> Page | Redirect:
    return _act(page, username, "mfa-reset",
                lambda actor: wiring.current().account_help().reset_second_factor(actor, username))
