"""Browser sessions: the cookie, CSRF and Origin on every POST, next= after login, idle logoff, logout."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.pages import ORIGIN, SESSION_COOKIE


def test_login_sets_a_host_only_httponly_lax_secure_session_cookie(browser, demo_users):
    answer = browser.login("demo.group", "Demo-Portal-2026!")
    assert answer.status == 303
    assert answer.location == "/home"
    cookie = next(c for c in answer.set_cookies() if c.startswith(SESSION_COOKIE + "="))
    attributes = {part.strip() for part in cookie.split(";")[1:]}
    assert {"Path=/", "HttpOnly", "SameSite=Lax", "Secure"} <= attributes
    assert not any(part.lower().startswith("domain=") for part in attributes)


def test_the_cookie_holds_the_same_session_the_bearer_api_accepts(browser, api, demo_users):
    browser.login("demo.group", "Demo-Portal-2026!")
    me = api.get("/me", token=browser.cookies[SESSION_COOKIE])
    assert me.status_code == 200
    assert me.data["username"] == "demo.group"


def test_logout_without_a_csrf_token_is_403_and_the_session_stays(logged_in):
    browser = logged_in("demo.group")
    refused = browser.post("/logout", {})
    assert refused.status == 403
    assert refused.html.find("h1").get_text(strip=True) == "This request could not be accepted"
    assert "Nothing was changed" in refused.text
    assert browser.get("/home").status == 200


def test_a_wrong_token_or_another_sessions_token_is_403(logged_in):
    browser = logged_in("demo.group")
    assert browser.post("/logout", {"csrf_token": "x" * 43}).status == 403
    from chalicelib.platform.web.browser import csrf_token

    assert browser.post("/logout", {"csrf_token": csrf_token("another-session-token")}).status == 403
    assert browser.get("/home").status == 200


def test_a_foreign_origin_is_403_even_with_the_right_token(logged_in):
    browser = logged_in("demo.group")
    token = browser.csrf("/home")
    assert browser.post("/logout", {"csrf_token": token}, origin="https://evil.example").status == 403
    assert browser.post("/logout", {"csrf_token": token}, origin="null").status == 403
    assert browser.get("/home").status == 200


def test_without_origin_a_same_site_referer_is_accepted_and_neither_is_refused(logged_in):
    browser = logged_in("demo.group")
    token = browser.csrf("/home")
    assert browser.post("/logout", {"csrf_token": token}, origin=None).status == 403
    assert browser.post("/logout", {"csrf_token": token}, origin=None,
                        headers={"Referer": "https://evil.example/home"}).status == 403
    assert browser.get("/home").status == 200
    ok = browser.post("/logout", {"csrf_token": token}, origin=None, headers={"Referer": ORIGIN + "/home"})
    assert ok.status == 303


def test_login_before_a_session_needs_the_pre_session_token(browser, demo_users):
    data = {"username": "demo.group", "password": "Demo-Portal-2026!"}
    assert browser.post("/login", data).status == 403
    browser.get("/login")
    assert browser.post("/login", {**data, "csrf_token": "forged"}).status == 403
    assert SESSION_COOKIE not in browser.cookies
    assert browser.login("demo.group", "Demo-Portal-2026!").status == 303


def test_logout_ends_the_session_server_side(logged_in, api):
    browser = logged_in("demo.group")
    token = browser.cookies[SESSION_COOKIE]
    answer = browser.submit("/logout", {}, form_page="/home")
    assert answer.status == 303
    assert answer.location == "/login?reason=logged-out"
    assert SESSION_COOKIE not in browser.cookies
    assert api.get("/me", token=token).status_code == 401
    browser.cookies[SESSION_COOKIE] = token
    assert browser.get("/home").location.startswith("/login?reason=ended")


def test_a_page_that_needs_a_session_sends_to_login_with_next_and_back_after(browser, demo_users):
    answer = browser.get("/home?state=indiana")
    assert answer.status == 303
    parts = urlsplit(answer.location)
    assert parts.path == "/login"
    query = parse_qs(parts.query)
    assert query == {"reason": ["required"], "next": ["/home?state=indiana"]}
    login_page = browser.get(answer.location).html
    assert login_page.find("input", attrs={"name": "next"})["value"] == "/home?state=indiana"
    assert "Log in to continue." in login_page.find(class_="usa-alert").get_text()
    back = browser.login("demo.group", "Demo-Portal-2026!", next_path="/home?state=indiana")
    assert back.location == "/home?state=indiana"


@pytest.mark.parametrize("target", ["//evil.example/home", "https://evil.example/", "/\\evil.example",
                                    "\\\\evil.example", "javascript:alert(1)", "/home\r\nSet-Cookie: x=1", "home"])
def test_next_refuses_anything_but_a_same_site_path(browser, demo_users, target):
    assert browser.login("demo.group", "Demo-Portal-2026!", next_path=target).location == "/home"


def test_an_idle_session_ends_after_30_minutes_with_the_message(logged_in, clock):
    browser = logged_in("demo.group")
    clock.advance(minutes=29)
    assert browser.get("/home").status == 200
    clock.advance(minutes=30, seconds=1)
    answer = browser.get("/home")
    assert answer.status == 303
    assert parse_qs(urlsplit(answer.location).query) == {"reason": ["ended"], "next": ["/home"]}
    assert SESSION_COOKIE not in browser.cookies
    login_page = browser.get(answer.location).html
    assert "Your session has ended" in login_page.find(class_="usa-alert").get_text()


def test_the_page_carries_the_sessions_real_end_and_the_dialog(logged_in, clock):
    browser = logged_in("demo.group")
    clock.advance(minutes=10)
    soup = browser.get("/home").html
    config = soup.find(id="idle-timeout-config")
    assert config["data-ends-at"] == (clock.now.replace(microsecond=0) + __import__("datetime").timedelta(
        minutes=30)).isoformat()
    assert config["data-server-now"] == clock.now.isoformat()
    assert config["data-refresh-url"] == "/session/refresh"
    assert parse_qs(urlsplit(config["data-login-url"]).query) == {"reason": ["ended"], "next": ["/home"]}
    dialog = soup.find(id="idle-timeout")
    assert dialog["aria-labelledby"] == "idle-timeout-heading"
    assert "usa-modal" in dialog["class"]
    assert dialog.find("button", id="idle-timeout-stay").get_text(strip=True) == "Stay logged in"
    assert dialog.find("form", attrs={"action": "/logout"}).find("button").get_text(strip=True) == "Log out"


def test_stay_logged_in_moves_the_end_and_needs_the_token(logged_in, clock):
    import json

    browser = logged_in("demo.group")
    token = browser.csrf("/home")
    clock.advance(minutes=28)
    assert browser.post("/session/refresh", {}).status == 403
    answer = browser.post("/session/refresh", {"csrf_token": token})
    assert answer.status == 200
    assert answer.header("Content-Type") == "application/json"
    data = json.loads(answer.body)
    from datetime import datetime, timedelta

    assert datetime.fromisoformat(data["expiresAt"]) == clock.now + timedelta(minutes=30)
    clock.advance(minutes=29)
    assert browser.get("/home").status == 200


def test_pages_with_a_session_are_no_store(logged_in):
    answer = logged_in("demo.group").get("/home")
    assert answer.header("Cache-Control") == "no-store"
