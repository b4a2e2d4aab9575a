"""Before its second factor is set up, an account's session reaches only the enrolment: generated from the app's
routes, every logged-in route that is not ``before_mfa`` refuses such a session (the API with 403
MFA_ENROLMENT_REQUIRED, a page by sending the browser to the set-up page), so a new route is covered without
thought; the few ``before_mfa`` routes are exactly the enrolment's, /me and logout, and they work."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.platform.web import browser
from chalicelib.platform.web.api import ROUTE_CONTRACTS, RouteContract
from tests.support.pages import ORIGIN, SESSION_COOKIE

PARAMETER = re.compile(r"{(\w+)}")
BEFORE_MFA = {
    ("GET", "/me"), ("POST", "/auth/logout"), ("GET", "/me/mfa"), ("POST", "/me/mfa/enrolment"),
    ("POST", "/me/mfa/enrolment/confirm"), ("GET", "/mfa/enrol"), ("POST", "/mfa/enrol"), ("POST", "/logout"),
    ("POST", "/session/refresh"),
}


def logged_in_routes() -> list[RouteContract]:
    return sorted((c for c in ROUTE_CONTRACTS if c.auth or c.browser_session), key=lambda c: (c.path, c.method))


@pytest.fixture
def pending_token(api, active_user) -> str:
    """A session of an account with no second factor yet."""
    body = active_user()
    answer = api.post("/auth/login", {"username": body["username"], "password": body["password"]})
    assert answer.data["mfaEnrolmentRequired"] is True
    return answer.data["token"]


def call(client: Any, contract: RouteContract, token: str) -> tuple[int, Any, str]:
    path = PARAMETER.sub("x1", contract.path)
    if contract.browser_session:
        headers = {"Cookie": f"{SESSION_COOKIE}={token}"}
        body = None
        if contract.method == "POST":
            headers |= {"Origin": ORIGIN, "Content-Type": "application/x-www-form-urlencoded"}
            body = urlencode({browser.CSRF_FIELD: browser.csrf_token(token)}).encode()
        response = getattr(client.http, contract.method.lower())(path, headers=headers, body=body)
        return response.status_code, None, response.headers.get("Location", "")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = getattr(client.http, contract.method.lower())(path, headers=headers,
                                                             body="{}" if contract.method == "POST" else None)
    data = json.loads(response.body) if response.body and "json" in response.headers.get("Content-Type", "") else None
    return response.status_code, data, ""


def refusal_code(data: Any) -> str | None:
    if isinstance(data, dict) and data.get("resourceType") == "OperationOutcome":
        return data["issue"][0]["details"]["coding"][0]["code"]
    return data.get("code") if isinstance(data, dict) else None


def test_the_routes_a_session_without_a_second_factor_reaches_are_the_enrolments_me_and_logout(app):
    allowed = {(c.method, c.path) for c in ROUTE_CONTRACTS if c.before_mfa}
    assert allowed == BEFORE_MFA


def test_every_other_logged_in_route_refuses_a_session_without_a_second_factor(client, pending_token):
    leaks, asked = [], 0
    for contract in logged_in_routes():
        if (contract.method, contract.path) in BEFORE_MFA:
            continue
        asked += 1
        status, data, location = call(client, contract, pending_token)
        if contract.browser_session:
            if status != 303 or not location.startswith("/mfa/enrol"):
                leaks.append((contract.method, contract.path, status, location))
        elif status != 403 or refusal_code(data) != "MFA_ENROLMENT_REQUIRED":
            leaks.append((contract.method, contract.path, status, data))
    assert leaks == []
    assert asked > 90


def test_a_page_sends_the_browser_to_the_set_up_and_back_where_it_was_going(client, pending_token):
    home = next(c for c in ROUTE_CONTRACTS if (c.method, c.path) == ("GET", "/home"))
    assert call(client, home, pending_token)[2] == "/mfa/enrol?next=%2Fhome"


def test_the_enrolment_me_and_logout_work_for_it(api, pending_token):
    assert api.get("/me", token=pending_token).status_code == 200
    assert api.get("/me/mfa", token=pending_token).data["enrolled"] is False
    assert api.post("/me/mfa/enrolment", token=pending_token).status_code == 201
    assert api.post("/auth/logout", token=pending_token).status_code == 204
    assert api.get("/me", token=pending_token).status_code == 401
