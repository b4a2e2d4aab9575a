"""Two-step verification's pages: the login's POST and its code step, setting up the second factor, the recovery
codes (chalicelib/accounts/mfa_service.py, the same service the JSON routes call).

Between the password and the code the browser holds the challenge in a short-lived HttpOnly cookie, never in the
page; "Remember this browser" leaves a 30-day device cookie that the next login sends. Recovery codes are shown
on the answer of the POST that made them (never stored to show again), so there is no page to reload them from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.accounts.mfa import CHALLENGE_LIFETIME, REMEMBER_BROWSER_FOR
from chalicelib.accounts.sign_ins import ClientInfo
from chalicelib.handlers.accounts.pages import login_form, refused_login
from chalicelib.platform.errors import (
    InvalidMfaCode,
    MfaAlreadyEnrolled,
    MfaChallengeExpired,
    MfaEnrolmentNotStarted,
    PortalError,
    TooManyRequests,
    ValidationFailed,
)
from chalicelib.platform.web import browser
from chalicelib.platform.web.browser import safe_next
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import (
    HOME_PATH,
    LOGIN_PATH,
    MFA_ENROL_PATH,
    Page,
    PageRequest,
    Redirect,
    page_route,
    retry_after,
)

if TYPE_CHECKING:
    from chalicelib.accounts.mfa_service import Enrolment, LoginStep

mfa_pages = Blueprint(__name__)
TAG = "Pages"
CODE_PATH = "/login/code"
MFA_PATH = "/mfa"
RECOVERY_CODES_PATH = "/mfa/recovery-codes"
CODE_LABELS = {"code": "Code"}
PASSWORD_LABELS = {"password": "Password"}


def _with_next(path: str, next_path: str | None, **params: str) -> str:
    query = {**params, **({"next": next_path} if next_path else {})}
    return f"{path}?{urlencode(query)}" if query else path


@page_route(mfa_pages, LOGIN_PATH, permission=None,
            method="POST", summary="Log in from the login form", tag=TAG, auth=False,
            description="An account with a second factor goes on to the code step (/login/code) unless this browser "
            "is remembered; one without it gets a session that only sets it up (/mfa/enrol). Then the browser goes "
            "to `next` (a same-site path) or /home.")
def login_submit(page: PageRequest) -> Page | Redirect:
    username = (page.form.get("username") or "").strip()
    password = page.form.get("password") or ""
    missing = {name: message for name, value, message in (
        ("username", username, "Enter your username"), ("password", password, "Enter your password")) if not value}
    if missing:
        return login_form(page, username=username, errors=missing, status=400)
    try:
        wiring.current().accounts().admit(page.client_address, username)
        step = wiring.current().mfa().login(username, password, device_token=page.cookie(browser.REMEMBERED_BROWSER),
                                           client=ClientInfo.of(page.client_address, page.headers))
    except PortalError as error:
        return refused_login(page, username, error)
    return _after_login(page, step, safe_next(page.form.get("next")))


def _after_login(page: PageRequest, step: LoginStep, next_path: str | None) -> Redirect:
    policy = page.cookie_policy
    if step.challenge is not None:
        page.set_cookies.append(policy.set(browser.MFA_CHALLENGE, step.challenge.token,
                                           max_age=int(CHALLENGE_LIFETIME.total_seconds())))
        return Redirect(_with_next(CODE_PATH, next_path))
    session = step.session
    assert session is not None  # a login step answers a challenge or a session
    page.start_session(session.token)
    if step.device_token:
        page.set_cookies.append(policy.set(browser.REMEMBERED_BROWSER, step.device_token,
                                           max_age=int(REMEMBER_BROWSER_FOR.total_seconds())))
    if session.mfa_pending:
        return Redirect(_with_next(MFA_ENROL_PATH, next_path))
    return Redirect(next_path or HOME_PATH)


def _code_form(page: PageRequest, *, errors: dict[str, str] | None = None, problem: str | None = None,
               status: int = 200) -> Page:
    recovery = (page.form.get("use") or page.query.get("use")) == "recovery"
    next_path = safe_next(page.form.get("next") or page.query.get("next"))
    return Page("accounts/login_code.html", {
        "title": "Enter a Recovery Code" if recovery else "Enter Your Code", "recovery": recovery,
        "next": next_path or "", "errors": errors or {}, "summary_errors": summary(errors or {}, CODE_LABELS),
        "remember": page.form.get("rememberBrowser") == "yes", "problem": problem,
        "switch_href": _with_next(CODE_PATH, next_path, **({} if recovery else {"use": "recovery"})),
    }, status=status)


def _login_again(page: PageRequest) -> Redirect:
    page.set_cookies.append(page.cookie_policy.clear(browser.MFA_CHALLENGE))
    next_path = safe_next(page.form.get("next") or page.query.get("next"))
    return Redirect(_with_next(LOGIN_PATH, next_path, reason="code-expired"))


@page_route(mfa_pages, CODE_PATH, permission=None, summary="The login's code step: the authenticator app's code",
            tag=TAG, auth=False, description="With `?use=recovery`, a recovery code instead. Reached from the login "
            "form only (its challenge cookie); otherwise back to the login page.")
def code_page(page: PageRequest) -> Page | Redirect:
    if not page.cookie(browser.MFA_CHALLENGE):
        return _login_again(page)
    return _code_form(page)


@page_route(mfa_pages, CODE_PATH, permission=None, method="POST", summary="Log in with the code (or a recovery code)",
            tag=TAG, auth=False, description="A wrong code comes back in place; the fifth, or 5 minutes, sends the "
            "browser to log in again. \"Remember this browser\" skips this step for 30 days.")
def code_submit(page: PageRequest) -> Page | Redirect:
    challenge = page.cookie(browser.MFA_CHALLENGE)
    if not challenge:
        return _login_again(page)
    recovery = page.form.get("use") == "recovery"
    code = (page.form.get("code") or "").strip()
    if not code:
        return _code_form(page, errors={"code": "Enter a recovery code" if recovery else
                                        "Enter the 6-digit code from your authenticator app"}, status=400)
    try:
        wiring.current().accounts().admit(page.client_address)
        step = wiring.current().mfa().complete_login(challenge, code,
                                                    remember=page.form.get("rememberBrowser") == "yes",
                                                    client=ClientInfo.of(page.client_address, page.headers))
    except InvalidMfaCode:
        return _code_form(page, status=401, errors={"code": (
            "The recovery code is not right, or it was already used. Check it and try again." if recovery else
            "The code is not right, or it was already used. Enter the code your app shows now.")})
    except MfaChallengeExpired:
        return _login_again(page)
    except TooManyRequests as error:
        answer = _code_form(page, problem=error.message, status=429)
        answer.headers.update(retry_after(error))
        return answer
    page.set_cookies.append(page.cookie_policy.clear(browser.MFA_CHALLENGE))
    return _after_login(page, step, safe_next(page.form.get("next")))


# Setting up the second factor: reachable by a session that has none yet (before_mfa)

def _enrol_form(page: PageRequest, enrolment: Enrolment, *, errors: dict[str, str] | None = None,
                status: int = 200) -> Page:
    return Page("accounts/mfa_enrol.html", {
        "title": "Set Up Two-Step Verification", "qr_svg": enrolment.qr_svg, "secret": enrolment.grouped_secret,
        "next": safe_next(page.form.get("next") or page.query.get("next")) or "", "errors": errors or {},
        "summary_errors": summary(errors or {}, CODE_LABELS),
    }, status=status)


def _principal(page: PageRequest) -> Any:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


@page_route(mfa_pages, MFA_ENROL_PATH, permission=None, before_mfa=True, tag=TAG,
            summary="Set up two-step verification: the QR code and the secret to type instead",
            description="The first page after the first login of an account without a second factor; every other "
            "page sends such a session here. Shown again, it shows the same secret until it is confirmed.")
def enrol_page(page: PageRequest) -> Page | Redirect:
    try:
        enrolment = wiring.current().mfa().current_enrolment(_principal(page))
    except MfaAlreadyEnrolled:
        return Redirect(MFA_PATH)
    return _enrol_form(page, enrolment)


@page_route(mfa_pages, MFA_ENROL_PATH, permission=None, method="POST", before_mfa=True, tag=TAG,
            summary="Confirm the set-up with a code; shows the ten recovery codes once")
def enrol_submit(page: PageRequest) -> Page | Redirect:
    service = wiring.current().mfa()
    code = (page.form.get("code") or "").strip()
    try:
        if not code:
            raise ValidationFailed(fields={"code": "Enter the 6-digit code your authenticator app shows"})
        codes = service.confirm_enrolment(_principal(page), code)
    except ValidationFailed as error:
        return _enrol_form(page, service.current_enrolment(_principal(page)),
                           errors=field_errors(error, {"code": "The code"}), status=400)
    except MfaAlreadyEnrolled:
        return Redirect(MFA_PATH)
    except MfaEnrolmentNotStarted:
        return Redirect(MFA_ENROL_PATH)
    return _recovery_codes(page, codes, first=True)


def _recovery_codes(page: PageRequest, codes: list[str], *, first: bool) -> Page:
    return Page("accounts/mfa_recovery_codes.html", {
        "title": "Save Your Recovery Codes", "codes": codes, "first": first,
        "continue_href": safe_next(page.form.get("next")) or (HOME_PATH if first else MFA_PATH),
    })


# The account's own settings: a full session

def _settings(page: PageRequest, *, errors: dict[str, str] | None = None, status: int = 200) -> Page:
    status_now = wiring.current().mfa().status(_principal(page))
    return Page("accounts/mfa.html", {
        "title": "Two-Step Verification", "status": status_now, "errors": errors or {},
        "summary_errors": summary(errors or {}, PASSWORD_LABELS),
    }, status=status)


@page_route(mfa_pages, MFA_PATH, permission=None, tag=TAG,
            summary="Two-step verification: its state, the recovery codes left, new recovery codes")
def settings_page(page: PageRequest) -> Page:
    return _settings(page)


@page_route(mfa_pages, RECOVERY_CODES_PATH, permission=None, method="POST", tag=TAG,
            summary="Ten new recovery codes (the current password again); shows them once")
def regenerate_submit(page: PageRequest) -> Page:
    password = page.form.get("password") or ""
    if not password:
        return _settings(page, errors={"password": "Enter your current password"}, status=400)
    principal = _principal(page)
    try:
        wiring.current().accounts().admit(page.client_address, principal.username)
        codes = wiring.current().mfa().regenerate_recovery_codes(
            principal, password, client=ClientInfo.of(page.client_address, page.headers))
    except ValidationFailed as error:
        return _settings(page, errors=field_errors(error, PASSWORD_LABELS), status=400)
    return _recovery_codes(page, codes, first=False)
