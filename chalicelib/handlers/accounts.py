"""Accounts: registration, activation, login, logout, password reset, /me."""

from __future__ import annotations

import html
import secrets
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.accounts.registration import SECURITY_QUESTIONS, ClaimedProvider
from chalicelib.accounts.service import Registration
from chalicelib.platform.access import Principal
from chalicelib.platform.config import get_settings
from chalicelib.platform.web.api import api_route
from chalicelib.providers.enums import ProviderType

if TYPE_CHECKING:
    from chalicelib.accounts.schemas import (
        LoginRequest,
        RegisterRequest,
        ResetPasswordRequest,
        TokenRequest,
        UsernameRequest,
    )

auth_routes = Blueprint(__name__)
TAG = "Accounts"
FORGOT_PASSWORD_ANSWER = {
    "status": "ACCEPTED",
    "message": "If the username belongs to an active account, an email with a reset link is on its way.",
}
RESEND_ACTIVATION_ANSWER = {
    "status": "ACCEPTED",
    "message": "If the username belongs to an account waiting for activation, a new activation email is on its way.",
}


@api_route(auth_routes, "/auth/security-questions", summary="The security questions to choose from", tag=TAG,
           response="accounts:SecurityQuestionsResponse", auth=False)
def security_questions() -> dict[str, Any]:
    return {"items": list(SECURITY_QUESTIONS), "count": len(SECURITY_QUESTIONS), "next_token": None}


@api_route(auth_routes, "/auth/register", method="POST", summary="Register as a Practitioner or a Group", tag=TAG,
           body="accounts:RegisterRequest", response="base:StatusBody", status=201, errors=(404, 409), auth=False,
           description="Every provider value must match the directory exactly (names ignore case and spacing); "
           "any ZIP of the provider's profile works. A Group account acts for every provider under its Tax ID.")
def register(body: RegisterRequest) -> dict[str, str]:
    provider = ClaimedProvider(
        provider_type=ProviderType(body.provider_type),
        provider_id=body.provider_id,
        tax_id=body.tax_id.replace("-", ""),
        zip_code=body.zip_code,
        first_name=body.first_name or "",
        last_name=body.last_name or "",
        group_name=body.group_name or "",
    )
    wiring.current().accounts().register(
        Registration(
            provider=provider,
            accept_agreement=body.accept_agreement,
            username=body.username,
            password=body.password,
            email=body.email,
            security_question=body.security_question,
            security_answer=body.security_answer,
        )
    )
    return {"status": "PENDING_ACTIVATION"}


@api_route(auth_routes, "/auth/activate", method="POST", summary="Activate an account with the emailed token",
           tag=TAG, body="accounts:TokenRequest", response="base:StatusBody", auth=False)
def activate(body: TokenRequest) -> dict[str, str]:
    wiring.current().accounts().activate(body.token)
    return {"status": "ACTIVE"}


@api_route(auth_routes, "/auth/resend-activation", method="POST", summary="Send a new activation email",
           tag=TAG, body="accounts:UsernameRequest", response="base:MessageBody", status=202, auth=False)
def resend_activation(body: UsernameRequest) -> dict[str, str]:
    wiring.current().accounts().resend_activation(body.username)
    return RESEND_ACTIVATION_ANSWER


@api_route(auth_routes, "/auth/login", method="POST", summary="Log in and get a session token", tag=TAG,
           body="accounts:LoginRequest", response="accounts:LoginResponse", errors=(401, 403, 423), auth=False)
def login(body: LoginRequest) -> dict[str, Any]:
    session = wiring.current().accounts().login(body.username, body.password)
    return {"token": session.token, "expires_at": session.ends_at, "absolute_expires_at": session.hard_expiry}


@api_route(auth_routes, "/auth/logout", method="POST", summary="End this session", tag=TAG, status=204)
def logout(principal: Principal) -> None:
    wiring.current().accounts().logout(principal)


@api_route(auth_routes, "/auth/forgot-password", method="POST", summary="Email a password reset link", tag=TAG,
           body="accounts:UsernameRequest", response="base:MessageBody", status=202, auth=False,
           description="Answers the same whether or not the username exists; at most a few emails per hour.")
def forgot_password(body: UsernameRequest) -> dict[str, str]:
    wiring.current().accounts().forgot_password(body.username)
    return FORGOT_PASSWORD_ANSWER


@api_route(auth_routes, "/auth/reset-password", method="POST", summary="Set a new password with the emailed token",
           tag=TAG, body="accounts:ResetPasswordRequest", response="base:StatusBody", auth=False,
           description="Unlocks the account and ends every earlier session.")
def reset_password(body: ResetPasswordRequest) -> dict[str, str]:
    wiring.current().accounts().reset_password(body.token, body.password)
    return {"status": "PASSWORD_RESET"}


@api_route(auth_routes, "/me", summary="The logged-in user and the providers it acts for", tag=TAG,
           response="accounts:MeResponse")
def me(principal: Principal) -> dict[str, Any]:
    profile = wiring.current().accounts().profile(principal)
    return {
        **asdict(profile),
        "session": {"expires_at": principal.session_ends_at, "absolute_expires_at": principal.session_hard_expiry},
    }


# The small HTML pages the emailed links open; each posts to the JSON API.
pages = Blueprint(__name__)
TAG = "Pages"

_LAYOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}}
label{{display:block;margin:.8rem 0 .2rem}}input{{width:100%;padding:.4rem}}
button{{margin-top:1rem;padding:.5rem 1rem}}
#result{{margin-top:1rem;font-weight:600}}</style></head><body><h1>{plan} Provider Portal</h1><h2>{title}</h2>
{content}<p id="result" role="status"></p><script nonce="{nonce}">{script}</script></body></html>"""

_POST_SCRIPT = """
async function post(path, body) {
  const response = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"},
                                      body: JSON.stringify(body)});
  const data = await response.json().catch(() => ({}));
  const fields = Object.entries(data.fields || {}).map(([k, v]) => k + " " + v).join("; ");
  const failure = (data.message || "Failed") + (fields ? ": " + fields : "");
  return [response.ok, response.ok ? (data.status || "Done") : failure];
}
const token = new URLSearchParams(location.search).get("token") || "";
const result = document.getElementById("result");
"""


def _page(title: str, content: str, script: str) -> Response:
    nonce = secrets.token_urlsafe(16)
    body = _LAYOUT.format(title=html.escape(title), plan=html.escape(get_settings().plan_name), content=content,
                          nonce=nonce, script=_POST_SCRIPT + script)
    return Response(body=body, status_code=200, headers={
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
    })


@api_route(pages, "/", summary="Portal home: log in", tag=TAG, auth=False, produces="text/html")
def home() -> Response:
    return _page(
        "Provider Login",
        '<form id="f"><label for="u">Username</label><input id="u" autocomplete="username" required>'
        '<label for="p">Password</label><input id="p" type="password" autocomplete="current-password" required>'
        '<button>Log In</button></form>',
        """document.getElementById("f").addEventListener("submit", async (e) => {
  e.preventDefault();
  const response = await fetch("/auth/login", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({username: document.getElementById("u").value,
                          password: document.getElementById("p").value})});
  const data = await response.json().catch(() => ({}));
  result.textContent = response.ok ? "Logged in. Your session ends " + data.expiresAt + " without use." : data.message;
});""",
    )


@api_route(pages, "/activate", summary="Page the activation email links to", tag=TAG, auth=False,
           produces="text/html")
def activation_page() -> Response:
    return _page(
        "Activate Your Account",
        "<p>Select the button to activate your Provider Portal account.</p><button id=\"go\">Activate Account</button>",
        """document.getElementById("go").addEventListener("click", async () => {
  const [ok, text] = await post("/auth/activate", {token});
  result.textContent = ok ? "Your account is active. Check your email, then log in." : text;
});""",
    )


@api_route(pages, "/reset-password", summary="Page the password reset email links to", tag=TAG, auth=False,
           produces="text/html")
def reset_page() -> Response:
    return _page(
        "Reset Your Password",
        '<form id="f"><label for="p">New password</label>'
        '<input id="p" type="password" autocomplete="new-password" required>'
        "<small>At least 12 characters with a lowercase and an uppercase letter, a digit and a symbol.</small>"
        "<button>Reset Password</button></form>",
        """document.getElementById("f").addEventListener("submit", async (e) => {
  e.preventDefault();
  const [ok, text] = await post("/auth/reset-password", {token, password: document.getElementById("p").value});
  result.textContent = ok ? "Your password is reset and your account unlocked. You can log in now." : text;
});""",
    )
