"""Page tests: routes rendered through chalice.test.Client on the moto stack, the HTML parsed with BeautifulSoup.

The moto fixtures (``stack``, ``aws``, ``client``, ``demo_users``, ``clock``, ...: tests/support/moto.py)
are reused as they are.
``browser`` is a small cookie-keeping client that posts forms the way a browser does: with the page's own
CSRF token and an Origin header of the portal's origin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

ORIGIN = "https://portal.test"
"""PORTAL_URL of the test stage: the portal's own origin."""
SESSION_COOKIE = "__Host-portal_session"
PRE_SESSION_COOKIE = "__Host-portal_presession"


@dataclass
class Answer:
    status: int
    headers: dict[str, Any]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def html(self) -> BeautifulSoup:
        return BeautifulSoup(self.body, "html.parser")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def header(self, name: str) -> str:
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), "")

    def set_cookies(self) -> list[str]:
        value = self.header("Set-Cookie")
        return value if isinstance(value, list) else [value] if value else []


@dataclass
class Browser:
    client: Any
    cookies: dict[str, str] = field(default_factory=dict)
    user_agent: str | None = None
    """Sent as ``User-Agent`` with every request (a session keeps its login's: Update My Account lists it)."""

    def _send(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        sent = {**({"User-Agent": self.user_agent} if self.user_agent else {}), **(headers or {})}
        if self.cookies and "Cookie" not in sent:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = getattr(self.client.http, method.lower())(path, headers=sent, body=body)
        answer = Answer(response.status_code, dict(response.headers), response.body)
        for cookie in answer.set_cookies():
            pair = cookie.split(";", 1)[0]
            name, _, value = pair.partition("=")
            if "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return answer

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self._send("GET", path, headers=headers)

    def post(self, path: str, data: dict[str, str], *, origin: str | None = ORIGIN,
             headers: dict[str, str] | None = None) -> Answer:
        sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        if origin is not None:
            sent["Origin"] = origin
        return self._send("POST", path, urlencode(data).encode(), sent)

    def csrf(self, path: str) -> str:
        """The CSRF token the page at ``path`` carries in its forms."""
        token = self.get(path).html.find("input", {"name": "csrf_token"})
        assert token is not None, f"{path} has no form with a CSRF token"
        return token["value"]

    def submit(self, path: str, data: dict[str, str], form_page: str | None = None, **kwargs: Any) -> Answer:
        """Post ``data`` with the CSRF token of the page the form is on (``form_page``, else ``path``)."""
        return self.post(path, {"csrf_token": self.csrf(form_page or path), **data}, **kwargs)

    def form(self, path: str) -> dict[str, str]:
        """The hidden fields (the CSRF token, ``next``, ...) of the main form of the page at ``path``."""
        return hidden_fields(self.get(path).html)

    def login(self, username: str, password: str, next_path: str = "", *, remember: bool = True) -> Answer:
        """Log in as a person would, through the second factor: the code page (with "Remember this browser"), or
        for an account without one, its set-up (the secret read off the page) and the recovery codes' Continue.
        The answer is the one that sends the browser on (its Location: ``next_path`` or /home)."""
        from tests.support import mfa

        device = self.cookie_policy_name("portal_device")
        if remember and username.lower() in mfa.BROWSER_COOKIES and device not in self.cookies:
            self.cookies[device] = mfa.BROWSER_COOKIES[username.lower()]
        data = {"username": username, "password": password, **({"next": next_path} if next_path else {})}
        answer = self.submit("/login", data)
        if answer.location.startswith("/login/code"):
            return self.answer_code(username, answer.location, remember=remember)
        if answer.location.startswith("/mfa/enrol"):
            return self.enrol(username, answer.location)
        return answer

    @staticmethod
    def cookie_policy_name(base: str) -> str:
        return f"__Host-{base}"

    def answer_code(self, username: str, code_page: str, *, remember: bool = True) -> Answer:
        from chalicelib import wiring
        from tests.support import mfa

        answer = None
        clock = wiring.current().clock
        for attempt in range(2):
            if attempt:  # the frozen test clock's codes were used by earlier logins: a person waits for the next one
                clock.advance(seconds=31)
            for code in mfa.codes_to_try(username, wiring.current().now()):
                fields = {**self.form(code_page), "code": code, **({"rememberBrowser": "yes"} if remember else {})}
                answer = self.post("/login/code", fields)
                if answer.status == 303:
                    device = self.cookies.get(self.cookie_policy_name("portal_device"))
                    if remember and device:
                        mfa.BROWSER_COOKIES[username.lower()] = device
                    return answer
            if not hasattr(clock, "advance"):
                break
        raise AssertionError(f"no code of {username} was accepted: {answer and answer.text}")

    def enrol(self, username: str, enrol_page: str) -> Answer:
        """Set up the second factor from the page (its secret as printed), and continue past the recovery codes."""
        from chalicelib import wiring
        from tests.support import mfa

        html = self.get(enrol_page).html
        shown = html.find(id="mfa-secret")
        assert shown is not None, f"{enrol_page} shows no secret"
        mfa.SECRETS[username.lower()] = shown.get_text().replace(" ", "")
        confirmed = self.post("/mfa/enrol", {**hidden_fields(html),
                                             "code": mfa.code_for(username, wiring.current().now())})
        assert confirmed.status == 200, confirmed.text
        onward = confirmed.html.find(id="mfa-continue")
        assert onward is not None, confirmed.text
        return Answer(303, {"Location": onward["href"]}, b"")


def hidden_fields(html: BeautifulSoup) -> dict[str, str]:
    """The hidden fields of the page's form inside main (not the header's logout form)."""
    main = html.find("main") or html
    found = main.find("form", method="post")
    assert found is not None, "the page has no form in main"
    return {field["name"]: field.get("value", "") for field in found.find_all("input", type="hidden")}


@pytest.fixture
def browser(client: Any) -> Browser:
    return Browser(client)


@pytest.fixture
def logged_in(browser: Browser, demo_users: None) -> Callable[[str], Browser]:
    """The browser logged in as a demo user ("demo.group", "demo.jdoe", "planadmin", ...)."""

    def login(username: str) -> Browser:
        from local.demo_data import DEMO_USER_PASSWORD

        password = "PlanAdmin-Local-2026!" if username == "planadmin" else DEMO_USER_PASSWORD
        answer = browser.login(username, password)
        assert answer.status == 303, answer.text
        return browser

    return login
