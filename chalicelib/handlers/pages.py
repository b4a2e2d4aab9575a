"""The small HTML pages the emailed links open; each posts to the JSON API."""

from __future__ import annotations

import html
import secrets

from chalice import Blueprint, Response

from chalicelib.config import get_settings
from chalicelib.web.api import api_route

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
