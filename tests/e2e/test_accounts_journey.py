"""A person's journeys through the running local stack, over HTTP, reading real (moto) email."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.e2e

PASSWORD = "Juniper-Harbor-81!"


def register(stack, username, email, **changes):
    body = {
        "providerType": "Group", "groupName": "Default Provider", "taxId": "310000001",
        "providerId": "999999999999", "zipCode": "46204", "acceptAgreement": True, "username": username,
        "password": PASSWORD, "email": email, "securityQuestion": "What city were you born in?",
        "securityAnswer": "Carmel", **changes,
    }
    return stack.call("POST", "/auth/register", body)


def activate(stack, username, email):
    assert register(stack, username, email).status_code == 201
    token = stack.wait_for_email(email, "Activate Your Provider Portal Account").token()
    assert stack.call("POST", "/auth/activate", {"token": token}).status_code == 200


def test_stack_serves_health_and_its_api_description(stack):
    assert stack.call("GET", "/health").json() == {"status": "ok"}
    document = stack.call("GET", "/openapi.json").json()
    assert "/auth/register" in document["paths"]
    assert "/me" in document["paths"]


def test_register_activate_from_the_email_login_me_logout(stack):
    response = register(stack, "e2e.office", "e2e.office@example.org")
    assert response.status_code == 201
    assert response.json() == {"status": "PENDING_ACTIVATION"}

    email = stack.wait_for_email("e2e.office@example.org", "Activate Your Provider Portal Account")
    assert email.sender == "webmaster <no-reply@portal.example.org>"
    [link] = email.links
    assert link.startswith(stack.api_url + "/activate?token=")
    page = requests.get(link, timeout=10)
    assert page.status_code == 200
    assert "Activate Account" in page.text
    script_policy = next(part for part in page.headers["Content-Security-Policy"].split(";")
                         if part.strip().startswith("script-src"))
    assert script_policy.strip() == "script-src 'self'"  # the pages carry no inline script at all

    assert stack.call("POST", "/auth/login", {"username": "e2e.office", "password": PASSWORD}).status_code == 403
    assert stack.call("POST", "/auth/activate", {"token": email.token()}).json() == {"status": "ACTIVE"}
    verification = stack.wait_for_email("e2e.office@example.org", "Email Verification")
    assert verification.links == [stack.api_url + "/"]

    token = stack.login("e2e.office", PASSWORD)
    me = stack.call("GET", "/me", token=token)
    assert me.status_code == 200
    assert me.json()["providerType"] == "Group"
    assert [p["providerId"] for p in me.json()["providers"]] == ["100000000001", "100000000002", "999999999999"]
    assert stack.call("POST", "/auth/logout", token=token).status_code == 204
    assert stack.call("GET", "/me", token=token).status_code == 401


def test_lockout_then_reset_from_the_email_unlocks_and_ends_sessions(stack):
    activate(stack, "e2e.reset", "e2e.reset@example.org")
    earlier = stack.login("e2e.reset", PASSWORD)
    statuses = [stack.call("POST", "/auth/login", {"username": "e2e.reset", "password": f"Nope-{i}-Nope!"})
                .status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 423]
    assert stack.call("POST", "/auth/login", {"username": "e2e.reset", "password": PASSWORD}).status_code == 423

    known = stack.call("POST", "/auth/forgot-password", {"username": "e2e.reset"})
    unknown = stack.call("POST", "/auth/forgot-password", {"username": "e2e.nobody"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    email = stack.wait_for_email("e2e.reset@example.org", "Heartland Health Plan Provider Portal Password")
    assert email.links[0].startswith(stack.api_url + "/reset-password?token=")
    new_password = "Saffron-Meadow-19?"
    assert stack.call("POST", "/auth/reset-password", {"token": email.token(), "password": new_password}
                      ).status_code == 200
    assert stack.call("GET", "/me", token=earlier).status_code == 401
    assert stack.login("e2e.reset", new_password)


def test_parallel_guesses_over_http_cannot_pass_the_lockout(stack):
    activate(stack, "e2e.parallel", "e2e.parallel@example.org")

    def guess(i):
        return stack.call("POST", "/auth/login", {"username": "e2e.parallel", "password": f"G-{i}-wrong-G!"}
                          ).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(guess, range(30)))
    assert statuses.count(401) <= 4
    assert statuses.count(423) >= 26
    assert stack.call("POST", "/auth/login", {"username": "e2e.parallel", "password": PASSWORD}).status_code == 423


def test_demo_identities_work(stack):
    token = stack.login("demo.group", "Demo-Portal-2026!")
    me = stack.call("GET", "/me", token=token).json()
    assert {p["name"] for p in me["providers"]} == {"Default Provider", "Jane Doe", "Robert Smith"}
    admin = stack.call("GET", "/me", token=stack.login("planadmin", "PlanAdmin-Local-2026!")).json()
    assert admin["role"] == "PLAN_STAFF"


HOSTILE_BODIES = [
    "{", "[]", "null", '{"username": {"$ne": null}}', '{"username": "\' OR 1=1 --", "password": "x"}',
    '{"token": "' + "A" * 300 + '"}', '{"password": 12345}', "\u0000\u0001", '{"a": ' * 50 + "1" + "}" * 50,
]


def test_no_documented_route_answers_5xx_to_hostile_input(stack):
    document = stack.call("GET", "/openapi.json").json()
    for path, operations in document["paths"].items():
        for method in operations:
            for raw in HOSTILE_BODIES:
                response = requests.request(method.upper(), stack.api_url + path, data=raw.encode(),
                                            headers={"Content-Type": "application/json"}, timeout=10)
                assert response.status_code < 500, (method, path, raw, response.text)
                if method == "post":
                    assert 400 <= response.status_code < 500, (path, raw)
                    if response.headers.get("Content-Type", "").startswith("text/html"):
                        # a browser form's POST: the 403 page (no CSRF token or Origin) or the 404 page, never JSON
                        assert "<h1" in response.text, path
                    elif response.headers.get("Content-Type") == "application/fhir+json":
                        assert response.json()["issue"][0]["diagnostics"], path  # a FHIR OperationOutcome
                    else:
                        assert response.json()["code"], path
