"""Accounts' pages: the login page (and its refusals; its POST and code step: ``mfa_pages``), log out, the
idle-timeout refresh, activation, password reset.

Plain forms posting to these routes (Post/Redirect/Get); the services are the ones the JSON routes
call. The login page switches on the service's error codes, never on their text.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.accounts.enums import DeactivationReason
from chalicelib.accounts.passwords import MIN_LENGTH, PASSWORD_RULES
from chalicelib.handlers.accounts.impersonation_pages import end_view_and_own_session
from chalicelib.platform.errors import (
    AccountDeactivated,
    AccountLocked,
    InvalidCredentials,
    InvalidToken,
    NotActivated,
    PortalError,
    SessionExpired,
    TooManyRequests,
    ValidationFailed,
)
from chalicelib.platform.web.browser import safe_next
from chalicelib.platform.web.forms import field_errors, sentence, summary
from chalicelib.platform.web.pages import (
    HOME_PATH,
    LOGIN_PATH,
    Page,
    PageRequest,
    Redirect,
    json_answer,
    page_route,
    retry_after,
)

account_pages = Blueprint(__name__)
TAG = "Pages"

CHECK_YOUR_EMAIL_PATH = "/register/check-your-email"
EMAIL_VERIFICATION_PATH = "/email-verification"
PASSWORD_RULES_CONTEXT = {"password_rules": PASSWORD_RULES, "min_length": MIN_LENGTH}

REASONS = {
    "ended": ("info", SessionExpired.default_message),
    "required": ("info", "Log in to continue."),
    "logged-out": ("success", "You have logged out."),
    "activation-sent": ("info", "If the username belongs to an account waiting for activation, a new activation "
                                "email is on its way."),
    "password-reset": ("success", "Your password is reset and your account unlocked. You can log in now."),
    "code-expired": ("info", "That login expired (5 minutes, or 5 wrong codes). Log in again."),
    "reset-sent": ("info", "If the username belongs to an active account, an email with a reset link is on its way "
                           "(from webmaster). Check your spam folder if it does not arrive."),
}
"""What the login page may say when sent there (``?reason=``): a fixed list, never the query's own text."""


def login_form(page: PageRequest, *, username: str = "", errors: dict[str, str] | None = None,
               problem: str | None = None, status: int = 200) -> Page:
    reason = REASONS.get(page.query.get("reason") or "")
    return Page("accounts/login.html", {
        "title": "Provider Login",
        "username": username,
        "next": safe_next(page.form.get("next") or page.query.get("next")) or "",
        "errors": errors or {},
        "summary_errors": summary(errors or {}, {"username": "Username", "password": "Password"}),
        "problem": problem,
        "notice": None if problem or errors else reason,
        "inactive_days": wiring.current().settings.inactive_days,
    }, status=status)


@page_route(account_pages, LOGIN_PATH, permission=None, summary="The login page", tag=TAG, auth=False)
def login_page(page: PageRequest) -> Page | Redirect:
    if page.principal is not None:
        return Redirect(safe_next(page.query.get("next")) or HOME_PATH)
    return login_form(page)


def refused_login(page: PageRequest, username: str, error: PortalError) -> Page:
    """The login form again, with the refusal's words (the login's POST is in ``mfa_pages``)."""
    if error.code == InvalidCredentials.code:
        return login_form(page, username=username, status=401, errors={
            "password": "The username or password is incorrect. Check both and try again."})
    if error.code == AccountLocked.code:
        return login_form(page, username=username, status=423, problem="locked")
    if error.code == NotActivated.code:
        return login_form(page, username=username, status=403, problem="not-activated")
    if error.code == AccountDeactivated.code and error.fields.get("reason") == DeactivationReason.INACTIVITY.value:
        return login_form(page, username=username, status=403, problem="deactivated-unused")
    if error.code == TooManyRequests.code:
        answer = login_form(page, username=username, status=429, problem="throttled")
        answer.context["throttled_message"] = error.message
        answer.headers.update(retry_after(error))
        return answer
    raise error


@page_route(account_pages, "/login/resend-activation", permission=None,
            method="POST", summary="Send a new activation email",
            tag=TAG, auth=False)
def resend_activation_submit(page: PageRequest) -> Redirect:
    username = (page.form.get("username") or "").strip()
    if username:
        accounts = wiring.current().accounts()
        accounts.admit(page.client_address, username)
        accounts.resend_activation(username)
    return Redirect(f"{LOGIN_PATH}?{urlencode({'reason': 'activation-sent'})}")


@page_route(account_pages, "/logout", permission=None, while_impersonating=True,
            method="POST", summary="Log out: ends the session server-side", tag=TAG, before_mfa=True,
            description="In a view as another user: the view ends (as its End), then the actor's own session.")
def logout_submit(page: PageRequest) -> Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    if page.principal.impersonation is not None:
        end_view_and_own_session(page)
    else:
        wiring.current().accounts().logout(page.principal)
        page.end_session()
    return Redirect(f"{LOGIN_PATH}?{urlencode({'reason': 'logged-out'})}")


@page_route(account_pages, "/session/refresh", permission=None,
            method="POST", summary="Stay logged in (the idle-timeout dialog)",
            tag=TAG, produces="application/json", before_mfa=True,
            description="Authenticating the session records the activity; answers when the session now ends.")
def session_refresh(page: PageRequest) -> Response:
    assert page.principal is not None  # page_route lets no request without a session through
    return json_answer({"expiresAt": page.principal.session_ends_at.isoformat(), "serverNow": page.now.isoformat()})


# The pages the emails link to: /activate and /reset-password keep their paths.

@page_route(account_pages, "/activate", permission=None,
            summary="The page the activation email links to", tag=TAG, auth=False)
def activation_page(page: PageRequest) -> Page:
    return _activation(page, page.query.get("token") or "")


def _activation(page: PageRequest, token: str, problem: str | None = None, status: int = 200) -> Page:
    return Page("accounts/activate.html", {"title": "Activate Your Account", "token": token, "problem": problem},
                status=status)


@page_route(account_pages, "/activate", permission=None,
            method="POST", summary="Activate an account from the emailed link",
            tag=TAG, auth=False)
def activation_submit(page: PageRequest) -> Page | Redirect:
    token = page.form.get("token") or ""
    accounts = wiring.current().accounts()
    accounts.admit(page.client_address)
    try:
        accounts.activate(token)
    except InvalidToken as error:
        return _activation(page, token, problem=error.message, status=400)
    return Redirect(EMAIL_VERIFICATION_PATH)


@page_route(account_pages, EMAIL_VERIFICATION_PATH, permission=None,
            summary="Email Verification: the account is active; log in",
            tag=TAG, auth=False, description="Where activation lands; the Email Verification email says the same.")
def email_verification_page(page: PageRequest) -> Page:
    return Page("accounts/email_verification.html", {"title": "Email Verification"})


@page_route(account_pages, "/reset-password", permission=None,
            summary="The page the password reset email links to", tag=TAG,
            auth=False)
def reset_page(page: PageRequest) -> Page:
    return _reset(page, page.query.get("token") or "")


RESET_LABELS = {"password": "New password", "confirmPassword": "Confirm password"}


def _reset(page: PageRequest, token: str, *, errors: dict[str, str] | None = None, problem: str | None = None,
           status: int = 200) -> Page:
    context: dict[str, Any] = {
        "title": "Reset Your Password", "token": token, "problem": problem, "errors": errors or {},
        "summary_errors": summary(errors or {}, RESET_LABELS), **PASSWORD_RULES_CONTEXT,
    }
    return Page("accounts/reset_password.html", context, status=status)


@page_route(account_pages, "/reset-password", permission=None,
            method="POST", summary="Set a new password from the emailed link",
            tag=TAG, auth=False)
def reset_submit(page: PageRequest) -> Page | Redirect:
    token = page.form.get("token") or ""
    password = page.form.get("password") or ""
    if not password:
        return _reset(page, token, errors={"password": "Enter a new password"}, status=400)
    if password != (page.form.get("confirmPassword") or ""):
        return _reset(page, token, errors={"confirmPassword": "The two passwords do not match"}, status=400)
    accounts = wiring.current().accounts()
    accounts.admit(page.client_address)
    try:
        accounts.reset_password(token, password)
    except InvalidToken as error:
        return _reset(page, token, problem=error.message, status=400)
    except ValidationFailed as error:
        return _reset(page, token, errors=field_errors(error, RESET_LABELS), status=400)
    return Redirect(f"{LOGIN_PATH}?{urlencode({'reason': 'password-reset'})}")


@page_route(account_pages, "/forgot-password", permission=None,
            summary="Forgot password: ask for a reset link", tag=TAG, auth=False)
def forgot_password_page(page: PageRequest) -> Page:
    return _forgot(page)


def _forgot(page: PageRequest, *, username: str = "", errors: dict[str, str] | None = None, status: int = 200) -> Page:
    return Page("accounts/forgot_password.html", {
        "title": "Forgot Password", "username": username, "errors": errors or {},
        "summary_errors": summary(errors or {}, {"username": "Username"}),
    }, status=status)


@page_route(account_pages, "/forgot-password", permission=None,
            method="POST", summary="Email a password reset link", tag=TAG,
            auth=False, description="Answers the same whether or not the username exists.")
def forgot_password_submit(page: PageRequest) -> Page | Redirect:
    username = (page.form.get("username") or "").strip()
    if not username:
        return _forgot(page, errors={"username": "Enter your username"}, status=400)
    accounts = wiring.current().accounts()
    accounts.admit(page.client_address, username)
    accounts.forgot_password(username)
    return Redirect(f"{LOGIN_PATH}?{urlencode({'reason': 'reset-sent'})}")


REGISTER_FIELDS = ("providerType", "firstName", "lastName", "groupName", "taxId", "providerId", "zipCode",
                   "username", "email", "securityQuestion")
"""What the failed form keeps; passwords and the security answer are never sent back into a page."""
REGISTER_LABELS = {
    "providerType": "Provider type", "firstName": "First name", "lastName": "Last name", "groupName": "Group name",
    "taxId": "Tax ID", "providerId": "Provider ID", "zipCode": "ZIP code", "acceptAgreement": "Provider Agreement",
    "username": "Username", "password": "Password", "confirmPassword": "Confirm password", "email": "Email",
    "securityQuestion": "Security question", "securityAnswer": "Security answer",
}


def _register(page: PageRequest, *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
              problem: str | None = None, status: int = 200) -> Page:
    from chalicelib.accounts.registration import SECURITY_QUESTIONS

    return Page("accounts/register.html", {
        "title": "Register for an Account", "values": values or {"providerType": "Practitioner"},
        "errors": errors or {}, "summary_errors": summary(errors or {}, REGISTER_LABELS), "problem": problem,
        "problem_heading": None,
        "question_items": [{"value": question, "text": question} for question in SECURITY_QUESTIONS],
        **PASSWORD_RULES_CONTEXT,
    }, status=status)


@page_route(account_pages, "/register", permission=None,
            summary="Register for an account: the Practitioner and Group forms",
            tag=TAG, auth=False)
def register_page(page: PageRequest) -> Page:
    return _register(page)


@page_route(account_pages, "/register", permission=None,
            method="POST", summary="Register from the form; the activation link is emailed",
            tag=TAG, auth=False, description="The same checks as POST /auth/register, with their words beside the "
            "fields. On success the browser goes to the login page, which says to open the activation email.")
def register_submit(page: PageRequest) -> Page | Redirect:
    from pydantic import ValidationError

    from chalicelib.accounts.schemas import RegisterRequest
    from chalicelib.handlers.accounts.routes import registration_from
    from chalicelib.platform.web.api import field_errors as schema_errors

    form = page.form
    values = {name: (form.get(name) or "").strip() for name in REGISTER_FIELDS}
    if form.get("password") != form.get("confirmPassword"):
        return _register(page, values=values, errors={"confirmPassword": "The two passwords do not match"},
                         status=400)
    is_group = values["providerType"] == "Group"
    body = {
        "providerType": values["providerType"], "taxId": values["taxId"], "providerId": values["providerId"],
        "zipCode": values["zipCode"], "acceptAgreement": form.get("acceptAgreement") == "yes",
        "username": values["username"], "password": form.get("password") or "", "email": values["email"],
        "securityQuestion": values["securityQuestion"], "securityAnswer": form.get("securityAnswer") or "",
        **({"groupName": values["groupName"]} if is_group else
           {"firstName": values["firstName"], "lastName": values["lastName"]}),
    }
    try:
        request = RegisterRequest.model_validate(body)
    except ValidationError as error:
        return _register(page, values=values, errors=named_by_label(schema_errors(error)), status=400)
    try:
        wiring.current().accounts().register(registration_from(request), client_address=page.client_address)
    except ValidationFailed as error:
        return _register(page, values=values, errors=field_errors(error, REGISTER_LABELS), status=400)
    except TooManyRequests as error:
        answer = _register(page, values=values, problem=error.message, status=429)
        answer.context["problem_heading"] = "Too many attempts"
        answer.headers.update(retry_after(error))
        return answer
    except PortalError as error:
        if error.fields:
            return _register(page, values=values, errors=field_errors(error, REGISTER_LABELS), status=409)
        return _register(page, values=values, problem=error.message, status=404)
    return Redirect(CHECK_YOUR_EMAIL_PATH)


@page_route(account_pages, CHECK_YOUR_EMAIL_PATH, permission=None,
            summary="After registering: open the activation email", tag=TAG,
            auth=False, description="What to do when the email does not arrive (the seed's steps).")
def check_your_email_page(page: PageRequest) -> Page:
    return Page("accounts/check_your_email.html", {"title": "Check Your Email"})


def named_by_label(fields: dict[str, str]) -> dict[str, str]:
    """The schema's messages under the form's field names, each a sentence with its label."""
    return {name: sentence(REGISTER_LABELS.get(name, "This field"), message) for name, message in fields.items()}
