"""A view of the portal as another user is read-only, enforced in one place: walked over every route of the app.

planadmin (plan support) views as demo.jdoe, who holds every provider permission. Every route that is not a GET
refuses the view's session (403 IMPERSONATION_READ_ONLY, the pages' 403 page saying so) before its view runs, with a
valid body and a real object in its path, and no AWS write is made; only the routes that end the view, log out,
start one (409) or choose the provider shown are let through. Every GET route answers the view as it answers
demo.jdoe's own session, and every plan-staff route refuses it. A route added later is walked as it is declared.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

from chalicelib.platform.permissions import PROVIDER_PERMISSIONS
from chalicelib.platform.web import browser
from chalicelib.platform.web.api import READ_METHODS, ROUTE_CONTRACTS, RouteContract
from tests.platform.test_authorization_matrix import BODIES, PARAMETER, Caller, ids_for, office_objects  # noqa: F401
from tests.support.pages import ORIGIN, SESSION_COOKIE

pytestmark = pytest.mark.usefixtures("fee_schedules", "prior_auth_rules", "roster_members")

WHILE_VIEWING = {
    ("POST", "/impersonations"), ("POST", "/impersonate"),  # starting another: 409 ALREADY_IMPERSONATING
    ("DELETE", "/impersonations/current"), ("POST", "/impersonate/end"),  # ending the view
    ("POST", "/auth/logout"), ("POST", "/logout"),  # logging out (the view ends first)
    ("POST", "/providers/select"),  # the provider the pages show: a cookie signed with the session, nothing stored
}
"""The only state-changing routes a view may call (``while_impersonating``)."""
WRITES = re.compile(r"^(Put|Update|Delete|BatchWrite|TransactWrite)|^(SendMessage|SendEmail|SendRawEmail|"
                    r"PutObject|CopyObject|DeleteObject|CreateMultipartUpload)")
VIEWER, USER = "view", "demo.jdoe"
CURRENT = "/impersonations/current"


def is_page(contract: RouteContract) -> bool:
    """``page_route``'s routes: they read the session cookie, the public ones too (``api_route``'s public ones read
    no session at all)."""
    return contract.tag == "Pages"


def takes_a_session(contract: RouteContract) -> bool:
    return contract.auth or is_page(contract)


@pytest.fixture
def viewing(client, api, token_for, office_objects):  # noqa: F811 - the matrix's fixture
    started = api.post("/impersonations", {"username": USER}, token=token_for("planadmin"))
    assert started.status_code == 201, started.data
    return Caller(client, {VIEWER: started.data["token"], USER: token_for(USER)}), office_objects


def ids(path: str, objects: dict[str, str]) -> dict[str, str]:
    """The matrix's objects of 310000001, a training module, an asset and a session ID (routes the matrix leaves out:
    open to any logged-in user)."""
    from chalicelib.platform.web.assets import asset_url

    return {**ids_for(path, objects), "moduleId": "model-of-care", "name": asset_url("portal.css").rsplit("/")[-1],
            "sessionId": "S0000000000000000"}


def call(caller: Caller, username: str, contract: RouteContract, objects: dict[str, str]) -> tuple[int, object]:
    """The matrix's caller for the API; a page (public ones too) with the session cookie, CSRF and Origin."""
    if not is_page(contract):
        return caller.call(username, contract, ids(contract.path, objects))
    path = PARAMETER.sub(lambda found: ids(contract.path, objects)[found.group(1)], contract.path)
    token = caller.tokens[username]
    headers = {"Cookie": f"{SESSION_COOKIE}={token}"}
    body = None
    if contract.method not in READ_METHODS:
        headers |= {"Origin": ORIGIN, "Content-Type": "application/x-www-form-urlencoded"}
        body = urlencode({browser.CSRF_FIELD: browser.csrf_token(token)}).encode()
    response = getattr(caller.client.http, contract.method.lower())(path, headers=headers, body=body)
    return response.status_code, response.body.decode("utf-8", errors="replace")


def refusal_of(status: int, answer: object) -> str | None:
    if status != 403:
        return None
    if isinstance(answer, dict) and answer.get("resourceType") == "OperationOutcome":
        return answer["issue"][0]["details"]["coding"][0]["code"]
    if isinstance(answer, dict):
        return answer.get("code")
    text = BeautifulSoup(str(answer), "html.parser").get_text(" ", strip=True)
    if f"viewing the portal as {USER}, read-only" in text:
        return "IMPERSONATION_READ_ONLY"
    return "FORBIDDEN" if "Your account does not have the permission" in text else text[:80]


def test_only_ending_starting_logging_out_and_choosing_the_provider_are_let_through(app):
    assert {(c.method, c.path) for c in ROUTE_CONTRACTS if c.while_impersonating} == WHILE_VIEWING
    assert all(c.method not in READ_METHODS for c in ROUTE_CONTRACTS if c.while_impersonating)


def test_every_state_changing_route_refuses_the_view_and_writes_nothing(viewing, aws_calls):
    caller, objects = viewing
    walked = [c for c in ROUTE_CONTRACTS if c.method not in READ_METHODS and takes_a_session(c)
              and (c.method, c.path) not in WHILE_VIEWING]
    made = len(aws_calls)
    leaks = []
    for contract in walked:
        status, answer = call(caller, VIEWER, contract, objects)
        if refusal_of(status, answer) != "IMPERSONATION_READ_ONLY":
            leaks.append((contract.method, contract.path, status, refusal_of(status, answer) or answer))
    assert leaks == []
    assert [name for name in aws_calls[made:] if WRITES.match(name)] == []
    assert len(walked) > 60
    assert {("POST", "/claims"), ("POST", "/claims-center/new-claim"), ("PUT", "/users/{username}/permissions"),
            ("POST", "/manage-users/users/{username}/deactivate"), ("POST", "/login"),
            ("POST", "/session/refresh")} <= {(c.method, c.path) for c in walked}


def test_the_routes_a_view_may_call_do_only_what_they_say(viewing, api):
    caller, objects = viewing
    by_key = {(c.method, c.path): c for c in ROUTE_CONTRACTS}
    api_start = api.post("/impersonations", {"username": "demo.group"}, token=caller.tokens[VIEWER])
    assert (api_start.status_code, api_start.data["code"]) == (409, "ALREADY_IMPERSONATING")
    page_start = call(caller, VIEWER, by_key[("POST", "/impersonate")], objects)
    assert page_start[0] == 409
    assert "already viewing the portal as another user" in str(page_start[1])
    chosen = caller.client.http.post("/providers/select", headers={
        "Cookie": f"{SESSION_COOKIE}={caller.tokens[VIEWER]}", "Origin": ORIGIN,
        "Content-Type": "application/x-www-form-urlencoded"}, body=urlencode({
            browser.CSRF_FIELD: browser.csrf_token(caller.tokens[VIEWER]), "providerId": "100000000001"}).encode())
    assert chosen.status_code == 303
    assert caller.call(VIEWER, by_key[("GET", "/me")], {})[1]["impersonatedBy"] == "planadmin"  # still the view


def test_every_get_route_answers_the_view_as_it_answers_the_user(viewing):
    caller, objects = viewing
    differ, opened = [], 0
    for contract in ROUTE_CONTRACTS:
        if contract.method not in READ_METHODS or not takes_a_session(contract) or contract.path == CURRENT:
            continue
        if contract.permission and not set(contract.permission) & PROVIDER_PERMISSIONS:
            continue  # plan staff's: below
        own_status, own = call(caller, USER, contract, objects)
        status, viewed = call(caller, VIEWER, contract, objects)
        if status != own_status or status == 401 or status >= 500 or refusal_of(status, viewed) in (
                "IMPERSONATION_READ_ONLY", "FORBIDDEN"):  # a 403 both get is the domain's (a practitioner's 835)
            differ.append((contract.path, own_status, status))
        elif status == 200 and isinstance(own, str) and own.lstrip().startswith("<!doctype"):
            pages = [BeautifulSoup(text, "html.parser") for text in (own, viewed)]
            if pages[0].h1.get_text(" ", strip=True) != pages[1].h1.get_text(" ", strip=True):
                differ.append((contract.path, pages[0].h1, pages[1].h1))
            banners = [found.find(id="impersonation-banner") for found in pages]
            assert banners[0] is None, contract.path
            assert banners[1].get_text(" ", strip=True).startswith("Viewing as demo.jdoe (Jane Doe"), contract.path
        opened += status == 200
    assert differ == []
    assert opened > 50
    current = {c.method: c for c in ROUTE_CONTRACTS if c.path == CURRENT}["GET"]
    assert [call(caller, name, current, objects)[0] for name in (USER, VIEWER)] == [404, 200]  # only a view is one


def test_no_plan_staff_route_opens_in_the_view(viewing):
    caller, objects = viewing
    staff_routes = [c for c in ROUTE_CONTRACTS if c.permission and not set(c.permission) & PROVIDER_PERMISSIONS]
    answers = {(c.method, c.path): call(caller, VIEWER, c, objects) for c in staff_routes}
    wrong = {key: (status, refusal_of(status, answer)) for key, (status, answer) in answers.items()
             if status != 403 or (key[0] in READ_METHODS and refusal_of(status, answer) != "FORBIDDEN")}
    assert wrong == {}  # a GET names the plan-staff permission the view lacks; the rest are read-only first
    assert {("GET", "/impersonate"), ("GET", "/audit-trail"), ("GET", "/review/prior-auths")} <= set(answers)
    assert answers[("GET", "/audit/users/{username}")][1]["fields"] == {"permission": "AUDIT_READER"}
