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

    def _send(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        sent = dict(headers or {})
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

    def login(self, username: str, password: str, next_path: str = "") -> Answer:
        data = {"username": username, "password": password, **({"next": next_path} if next_path else {})}
        return self.submit("/login", data)


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
