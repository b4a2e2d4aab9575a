"""The unauthenticated account routes are throttled per client address and per username (429 + Retry-After).

The test stage's limits are far above what any suite sends; these tests set them low on their own wiring."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.platform.config import get_settings
from tests.support.moto import FakeClock

WINDOW = 300


@pytest.fixture
def low_limits(clock: FakeClock) -> Any:
    """The wiring rebuilt on the test's clock with small limits; returns a setter for them."""
    from chalicelib import wiring

    def set_limits(client: int = 1000, username: int = 1000) -> None:
        settings = replace(get_settings(), throttle_window_seconds=WINDOW, throttle_client_limit=client,
                           throttle_username_limit=username)
        wiring.install(wiring.Wiring(settings, clock))

    return set_limits


ROUTES = [
    ("/auth/login", {"username": "someone", "password": "Wrong-Pass-123!"}),
    ("/auth/forgot-password", {"username": "someone"}),
    ("/auth/resend-activation", {"username": "someone"}),
    ("/auth/reset-password", {"token": "not-a-token", "password": "Copper-Kettle-Ridge-7?"}),
    ("/auth/activate", {"token": "not-a-token"}),
]


@pytest.mark.parametrize(("path", "body"), ROUTES)
def test_past_the_client_limit_each_route_answers_429_with_retry_after(api, low_limits, clock, path, body):
    low_limits(client=2)
    for _ in range(2):
        assert api.post(path, body).status_code != 429
    refused = api.post(path, body)
    assert refused.status_code == 429
    assert refused.data["code"] == "TOO_MANY_REQUESTS"
    wait = WINDOW - int(clock.now.timestamp()) % WINDOW
    assert refused.headers["Retry-After"] == str(wait)
    assert refused.data["message"] == f"Too many requests from your network address. Wait {wait} seconds and try again."
    clock.advance(seconds=wait)
    assert api.post(path, body).status_code != 429


def test_register_is_throttled_too(api, low_limits):
    from tests.support.moto import registration

    low_limits(client=1)
    assert api.post("/auth/register", registration()).status_code == 201
    refused = api.post("/auth/register", registration(username="other.user", email="other@example.org"))
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers


def test_the_client_address_is_the_connections_not_a_header_the_client_sends(api, low_limits):
    low_limits(client=2)
    body = {"username": "someone", "password": "Wrong-Pass-123!"}
    for forwarded in ("10.0.0.1", "10.0.0.2"):
        assert api.post("/auth/login", body, headers={"X-Forwarded-For": forwarded}).status_code == 401
    assert api.post("/auth/login", body, headers={"X-Forwarded-For": "10.0.0.3"}).status_code == 429


def test_past_the_username_limit_that_username_answers_429_naming_it_known_or_not(api, low_limits, active_user,
                                                                                 clock):
    active_user()
    clock.advance(seconds=WINDOW)  # the registration's own count is in an earlier window
    low_limits(username=2)
    for username in ("jdoe.office", "no.such.user"):
        for _ in range(2):
            assert api.post("/auth/forgot-password", {"username": username}).status_code == 202
        refused = api.post("/auth/forgot-password", {"username": username.upper()})
        assert refused.status_code == 429
        wait = refused.headers["Retry-After"]
        assert refused.data["fields"] == {"username": f"too many attempts; try again in {wait} seconds"}
    assert api.post("/auth/forgot-password", {"username": "another.user"}).status_code == 202


def test_the_login_page_says_so_in_words(browser, low_limits):
    low_limits(client=1)
    assert browser.login("someone", "Wrong-Pass-123!").status == 401
    answer = browser.login("someone", "Wrong-Pass-123!")
    assert answer.status == 429
    assert answer.header("Retry-After").isdigit()
    alert = answer.html.find(role="alert")
    assert "Too many attempts" in alert.text
    assert "Too many requests from your network address. Wait" in alert.text


def test_a_throttled_page_form_answers_429_with_retry_after(browser, low_limits):
    low_limits(client=1)
    csrf = browser.csrf("/forgot-password")
    assert browser.post("/forgot-password", {"csrf_token": csrf, "username": "someone"}).status == 303
    answer = browser.post("/forgot-password", {"csrf_token": csrf, "username": "someone"})
    assert answer.status == 429
    assert answer.header("Retry-After").isdigit()
    assert "Too many requests from your network address" in answer.text


def test_the_registration_page_says_so_with_retry_after(browser, low_limits):
    from tests.accounts.test_registration_page import form_values

    low_limits(client=1)
    assert browser.submit("/register", form_values()).status == 303
    answer = browser.submit("/register", form_values(username="second.user", email="second@example.org"))
    assert answer.status == 429
    assert answer.header("Retry-After").isdigit()
    alert = answer.html.find(role="alert")
    assert "Too many attempts" in alert.text
    assert "Too many requests from your network address" in alert.text
