"""Update My Account, as pages (USERS in the nav; every logged-in user, offices and plan staff): the account at a
glance, its email address (and the page its confirmation link opens), password, security question, active sessions
and sign-in history.

Plain forms (Post/Redirect/Get) through the same service the JSON routes call, each body checked with the JSON
route's schema so the words match. A refused form comes back with its values (never a password or the security
answer) and each field's message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.accounts.passwords import MIN_LENGTH, PASSWORD_RULES
from chalicelib.accounts.registration import SECURITY_QUESTIONS
from chalicelib.accounts.sign_ins import ClientInfo
from chalicelib.platform.errors import (
    AccountLocked,
    AlreadyRegistered,
    InvalidToken,
    TooManyRequests,
    ValidationFailed,
)
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import LOGIN_PATH, Page, PageRequest, Redirect, page_route, retry_after
from chalicelib.platform.web.templating import us_datetime
from chalicelib.platform.web.trail import PageTrail

my_account_pages = Blueprint(__name__)
TAG = "Pages"
MY_ACCOUNT = "/my-account"
EMAIL = MY_ACCOUNT + "/email"
VERIFY_EMAIL = EMAIL + "/verify"
PASSWORD = MY_ACCOUNT + "/password"
SECURITY_QUESTION = MY_ACCOUNT + "/security-question"
SESSIONS = MY_ACCOUNT + "/sessions"
SIGN_INS = MY_ACCOUNT + "/sign-ins"
SESSIONS_SHOWN = 50
SIGN_INS_SHOWN = 25

LABELS = {
    "email": "New email address", "currentPassword": "Current password", "newPassword": "New password",
    "confirmPassword": "Confirm new password", "securityQuestion": "Security question",
    "securityAnswer": "Security answer", "sessionId": "Session", "nextToken": "Page", "token": "Link",
}
DONE = {
    "email-sent": "A link to confirm your new email address is on its way there, and a notice to your current "
                  "address. Your email address changes when you open the link; until then it stays as it is.",
    "email-changed": "Your email address is changed. Emails about your account go to the new address now.",
    "password": "Your password is changed. Every other session of your account ended; this one stays.",
    "security-question": "Your security question and answer are changed.",
    "session-ended": "The session is ended: whoever used it must log in again.",
    "others-ended": "Every other session of your account is ended; this one stays.",
}
"""What a page says after a change (``?done=``): a fixed list, never the query's own text."""
OUTCOME_WORDS = {
    "SIGNED_IN": ("Signed in", "success"),
    "FAILED": ("Wrong password", "error"),
    "LOCKED": ("Refused: account locked", "error"),
    "PASSWORD_CHECK_FAILED": ("Wrong current password on Update My Account", "warning"),
}


def outcome_tag(outcome: str) -> dict[str, str]:
    words, tone = OUTCOME_WORDS.get(outcome, (outcome, "info"))
    return {"text": words, "tone": tone}


QUESTION_ITEMS = [{"value": question, "text": question} for question in SECURITY_QUESTIONS]


def notice(page: PageRequest) -> str | None:
    return DONE.get(page.query.get("done") or "")


def client_of(page: PageRequest) -> ClientInfo:
    return ClientInfo.of(page.client_address, page.headers)


def _form(page: PageRequest, template: str, title: str, *, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, problem: dict[str, str] | None = None, status: int = 200,
          **context: Any) -> Page:
    """A My Account form page: its values (never a password), its field errors and summary, a problem alert."""
    return Page(template, {
        "title": title, "values": values or {}, "errors": errors or {}, "summary_errors": summary(errors or {}, LABELS),
        "problem": problem, "back_link": MY_ACCOUNT, "notice": None, **context,
    }, status=status)


def _parsed(schema: str, body: dict[str, Any]) -> Any:
    """The form's body through the JSON route's schema: a problem is a ValidationFailed naming the form's field."""
    from pydantic import ValidationError

    from chalicelib.accounts import schemas
    from chalicelib.platform.web.api import field_errors as schema_errors

    try:
        return getattr(schemas, schema).model_validate_json(json.dumps(body))
    except ValidationError as error:
        raise ValidationFailed(fields=schema_errors(error)) from None


def _submit(page: PageRequest, change: Callable[[], Any], refused: Callable[..., Page], done: str) -> Page | Redirect:
    """Run a change; its refusals come back as the form (``refused(errors=..., problem=..., status=...)``)."""
    try:
        change()
    except ValidationFailed as error:
        return refused(errors=field_errors(error, LABELS), status=400)
    except AccountLocked as error:
        return refused(problem={"heading": "Your account is locked", "text": error.message}, status=423)
    except TooManyRequests as error:
        answer = refused(problem={"heading": "Too many attempts", "text": error.message}, status=429)
        answer.headers.update(retry_after(error))
        return answer
    return Redirect(f"{MY_ACCOUNT}?done={done}")


def _principal(page: PageRequest) -> Any:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


# The account at a glance

@page_route(my_account_pages, MY_ACCOUNT, permission=None, tag=TAG,
            summary="Update My Account: your email address, password, security question, sessions and sign-ins")
def my_account_page(page: PageRequest) -> Page:
    overview = wiring.current().my_account().overview(_principal(page))
    return _form(page, "accounts/my_account.html", "Update My Account", account=overview, notice=notice(page),
                 back_link=None, links={"email": EMAIL, "password": PASSWORD, "security": SECURITY_QUESTION,
                                        "sessions": SESSIONS, "sign_ins": SIGN_INS})


# Email address

def _email_form(page: PageRequest, **kwargs: Any) -> Page:
    overview = wiring.current().my_account().overview(_principal(page))
    return _form(page, "accounts/my_account_email.html", "Change Your Email Address", account=overview,
                 action=EMAIL, **kwargs)


@page_route(my_account_pages, EMAIL, permission=None, tag=TAG, summary="Change your email address: the form")
def email_page(page: PageRequest) -> Page:
    return _email_form(page)


@page_route(my_account_pages, EMAIL, permission=None, method="POST", tag=TAG,
            summary="Ask to change your email address: a link goes to the new one",
            description="An address that has an account answers the same (its owner is emailed instead).")
def email_submit(page: PageRequest) -> Page | Redirect:
    values = {"email": (page.form.get("email") or "").strip()}
    password = page.form.get("currentPassword") or ""

    def change() -> None:
        body = _parsed("EmailChangeRequest", {"email": values["email"], "currentPassword": password})
        wiring.current().my_account().request_email_change(_principal(page), body.email, body.current_password,
                                                           client=client_of(page))

    return _submit(page, change, lambda **kw: _email_form(page, values=values, **kw), "email-sent")


def _verify_form(page: PageRequest, token: str, **kwargs: Any) -> Page:
    address = None
    if "problem" not in kwargs:
        try:
            address = wiring.current().my_account().address_to_verify(_principal(page), token)
        except InvalidToken as error:  # an old email's link: the page says so (a POST of it is the 400)
            kwargs.update(problem={"heading": "This link does not work", "text": error.message})
    return _form(page, "accounts/my_account_verify_email.html", "Confirm Your New Email Address", token=token,
                 address=address, action=VERIFY_EMAIL, email_link=EMAIL, **kwargs)


@page_route(my_account_pages, VERIFY_EMAIL, permission=None, tag=TAG,
            summary="The page the new address's link opens: confirm it (after login if needed)",
            description="Only the account the link was sent for, and only its latest request.")
def verify_email_page(page: PageRequest) -> Page:
    return _verify_form(page, page.query.get("token") or "")


@page_route(my_account_pages, VERIFY_EMAIL, permission=None, method="POST", tag=TAG,
            summary="Confirm the new email address: it replaces the old one")
def verify_email_submit(page: PageRequest) -> Page | Redirect:
    token = page.form.get("token") or ""
    try:
        wiring.current().my_account().verify_email_change(_principal(page), token)
    except (InvalidToken, AlreadyRegistered) as error:
        heading = "This link does not work" if isinstance(error, InvalidToken) else "That address has an account"
        return _verify_form(page, token, problem={"heading": heading, "text": error.message},
                            status=400 if isinstance(error, InvalidToken) else 409)
    return Redirect(f"{MY_ACCOUNT}?done=email-changed")


# Password

def _password_form(page: PageRequest, **kwargs: Any) -> Page:
    return _form(page, "accounts/my_account_password.html", "Change Your Password", action=PASSWORD,
                 password_rules=PASSWORD_RULES, min_length=MIN_LENGTH, username=_principal(page).username, **kwargs)


@page_route(my_account_pages, PASSWORD, permission=None, tag=TAG, summary="Change your password: the form")
def password_page(page: PageRequest) -> Page:
    return _password_form(page)


@page_route(my_account_pages, PASSWORD, permission=None, method="POST", tag=TAG,
            summary="Change your password: every other session ends, this one stays")
def password_submit(page: PageRequest) -> Page | Redirect:
    current = page.form.get("currentPassword") or ""
    new = page.form.get("newPassword") or ""

    def change() -> None:
        if new != (page.form.get("confirmPassword") or ""):
            raise ValidationFailed(fields={"confirmPassword": "The two new passwords do not match"})
        body = _parsed("PasswordChangeRequest", {"currentPassword": current, "newPassword": new})
        wiring.current().my_account().change_password(_principal(page), body.current_password, body.new_password,
                                                      client=client_of(page))

    return _submit(page, change, lambda **kw: _password_form(page, **kw), "password")


# Security question

def _security_form(page: PageRequest, **kwargs: Any) -> Page:
    kwargs.setdefault("values", {"securityQuestion": wiring.current().my_account().overview(
        _principal(page)).security_question or ""})
    return _form(page, "accounts/my_account_security_question.html", "Change Your Security Question",
                 action=SECURITY_QUESTION, question_items=QUESTION_ITEMS, **kwargs)


@page_route(my_account_pages, SECURITY_QUESTION, permission=None, tag=TAG,
            summary="Change your security question and answer: the form")
def security_question_page(page: PageRequest) -> Page:
    return _security_form(page)


@page_route(my_account_pages, SECURITY_QUESTION, permission=None, method="POST", tag=TAG,
            summary="Change your security question and answer")
def security_question_submit(page: PageRequest) -> Page | Redirect:
    values = {"securityQuestion": page.form.get("securityQuestion") or ""}

    def change() -> None:
        body = _parsed("SecurityQuestionRequest", {"currentPassword": page.form.get("currentPassword") or "",
                                                   "securityQuestion": values["securityQuestion"],
                                                   "securityAnswer": page.form.get("securityAnswer") or ""})
        wiring.current().my_account().change_security_question(
            _principal(page), body.current_password, body.security_question, body.security_answer,
            client=client_of(page))

    return _submit(page, change, lambda **kw: _security_form(page, values=values, **kw), "security-question")


# Sessions

@page_route(my_account_pages, SESSIONS, permission=None, tag=TAG,
            summary="Your active sessions: when and from where each logged in; end any other, or all of them")
def sessions_page(page: PageRequest) -> Page:
    principal = _principal(page)
    errors: dict[str, str] = {}
    service = wiring.current().my_account()
    try:
        trail = PageTrail.from_query(page.query)
        found = service.sessions(principal, SESSIONS_SHOWN, trail.token)
    except ValidationFailed as error:
        errors, trail = field_errors(error, LABELS), PageTrail()
        found = service.sessions(principal, SESSIONS_SHOWN, None)
    return _form(page, "accounts/my_account_sessions.html", "Active Sessions", errors=errors, notice=notice(page),
                 sessions=found.items, end_action=lambda session_id: f"{SESSIONS}/{session_id}/end",
                 others_action=f"{SESSIONS}/end-others",
                 previous_link=trail.previous_href(SESSIONS, {}),
                 next_link=trail.next_href(SESSIONS, {}, found.next_token), position=f"Page {trail.number}")


@page_route(my_account_pages, SESSIONS + "/{sessionId}/end", permission=None, method="POST", tag=TAG,
            summary="End one of your sessions (this one: you are logged out)")
def end_session_submit(page: PageRequest, sessionId: str) -> Redirect:
    if wiring.current().my_account().end_session(_principal(page), sessionId):
        page.end_session()
        return Redirect(f"{LOGIN_PATH}?reason=logged-out")
    return Redirect(f"{SESSIONS}?done=session-ended")


@page_route(my_account_pages, SESSIONS + "/end-others", permission=None, method="POST", tag=TAG,
            summary="End every other session of your account (this one stays)")
def end_other_sessions_submit(page: PageRequest) -> Redirect:
    wiring.current().my_account().end_other_sessions(_principal(page))
    return Redirect(f"{SESSIONS}?done=others-ended")


# Sign-in history

@page_route(my_account_pages, SIGN_INS, permission=None, tag=TAG,
            summary="Your recent sign-ins and failed attempts, newest first",
            description="The account's own sign-in trail, 25 a page by page token (no total).")
def sign_ins_page(page: PageRequest) -> Page:
    principal = _principal(page)
    errors: dict[str, str] = {}
    service = wiring.current().my_account()
    try:
        trail = PageTrail.from_query(page.query)
        found = service.sign_ins(principal, SIGN_INS_SHOWN, trail.token)
    except ValidationFailed as error:
        errors, trail = field_errors(error, LABELS), PageTrail()
        found = service.sign_ins(principal, SIGN_INS_SHOWN, None)
    rows = [[us_datetime(item.occurred_at), {"tags": [outcome_tag(item.outcome)]}, item.detail or "",
             item.client_address or "Not recorded", item.user_agent or "Not recorded"] for item in found.items]
    return _form(page, "accounts/my_account_sign_ins.html", "Sign-in History", errors=errors, table={
        "id": "sign-ins", "caption": "Sign-ins and failed attempts, newest first", "rows": rows, "total": None,
        "columns": [{"key": key, "label": label} for key, label in (
            ("when", "When"), ("what", "What"), ("detail", "Detail"), ("from", "From (network address)"),
            ("browser", "Browser"))],
        "previous_href": trail.previous_href(SIGN_INS, {}), "next_href": trail.next_href(SIGN_INS, {},
                                                                                          found.next_token),
        "position": f"Page {trail.number}", "empty": "No sign-in is recorded yet."})

