"""The authorization matrix, generated from the app's routes (method, path, declared permission).

Every route declares what opens it; for each one that needs a permission: a user without it gets 403 FORBIDDEN
naming it, a user with it is not refused, and another Tax ID's user reaching an object of 310000001 gets 404.
The users are the demo accounts, their permissions changed through the accounts service between requests (which
also shows a change counts on the user's next request). Each column walks every route in one test: one stack,
one set of sessions, and the assertion lists every leak at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib import wiring
from chalicelib.platform.access import Principal
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, STAFF_PERMISSIONS, Permission
from chalicelib.platform.web import browser
from chalicelib.platform.web.api import ROUTE_CONTRACTS, RouteContract
from tests.support.moto import login
from tests.support.pages import ORIGIN, SESSION_COOKIE

pytestmark = pytest.mark.usefixtures("fee_schedules", "prior_auth_rules", "roster_members")
PROVIDER_COOKIE = "__Host-" + browser.PROVIDER

OPEN_ROUTES = {
    ("GET", "/health"), ("GET", "/openapi.json"), ("GET", "/assets/{name}"), ("GET", "/fhir/metadata"),
    ("GET", "/auth/security-questions"), ("POST", "/auth/register"), ("POST", "/auth/activate"),
    ("POST", "/auth/resend-activation"), ("POST", "/auth/login"), ("POST", "/auth/logout"),
    ("POST", "/auth/forgot-password"), ("POST", "/auth/reset-password"), ("GET", "/me"),
    ("GET", "/"), ("GET", "/home"), ("POST", "/providers/select"),
    ("GET", "/login"), ("POST", "/login"), ("POST", "/login/resend-activation"), ("POST", "/logout"),
    ("POST", "/session/refresh"), ("GET", "/activate"), ("POST", "/activate"), ("GET", "/email-verification"),
    ("GET", "/reset-password"), ("POST", "/reset-password"), ("GET", "/forgot-password"),
    ("POST", "/forgot-password"), ("GET", "/register"), ("POST", "/register"), ("GET", "/register/check-your-email"),
    ("GET", "/training"), ("POST", "/training/{moduleId}/attestations"),  # the user's own training (offices)
    ("GET", "/provider-training"), ("POST", "/provider-training/{moduleId}/attestation"),
    ("GET", "/practice-confirmation"), ("POST", "/practice-confirmation"), ("POST", "/practice-confirmation/code"),
    ("GET", "/confirm-practice"), ("POST", "/confirm-practice"), ("POST", "/confirm-practice/code"),
    ("POST", "/auth/login/mfa"), ("GET", "/me/mfa"), ("POST", "/me/mfa/enrolment"),
    ("POST", "/me/mfa/enrolment/confirm"), ("POST", "/me/mfa/recovery-codes"), ("GET", "/login/code"),
    ("POST", "/login/code"), ("GET", "/mfa/enrol"), ("POST", "/mfa/enrol"), ("GET", "/mfa"),
    ("POST", "/mfa/recovery-codes"),
    # Update My Account: the user's own account, sessions and sign-ins (offices and plan staff alike)
    ("GET", "/me/account"), ("POST", "/me/email"), ("POST", "/me/email/verify"), ("POST", "/me/password"),
    ("PUT", "/me/security-question"), ("GET", "/me/sessions"), ("DELETE", "/me/sessions"),
    ("DELETE", "/me/sessions/{sessionId}"), ("GET", "/me/sign-ins"),
    ("GET", "/my-account"), ("GET", "/my-account/email"), ("POST", "/my-account/email"),
    ("GET", "/my-account/email/verify"), ("POST", "/my-account/email/verify"), ("GET", "/my-account/password"),
    ("POST", "/my-account/password"), ("GET", "/my-account/security-question"),
    ("POST", "/my-account/security-question"), ("GET", "/my-account/sessions"),
    ("POST", "/my-account/sessions/{sessionId}/end"), ("POST", "/my-account/sessions/end-others"),
    ("GET", "/my-account/sign-ins"),
    # Account Linker: the login's own links (any office user links, unlinks and confirms its own; the service refuses
    # plan staff and accounts still waiting), so no permission opens them
    ("GET", "/me/links"), ("POST", "/me/links"), ("DELETE", "/me/links/{providerId}"),
    ("POST", "/me/links/{providerId}/code"), ("POST", "/me/links/{providerId}/confirmation"),
    ("GET", "/account-linker"), ("POST", "/account-linker"), ("POST", "/account-linker/{providerId}/code"),
    ("POST", "/account-linker/{providerId}/confirmation"), ("GET", "/account-linker/{providerId}/remove"),
    ("POST", "/account-linker/{providerId}/remove"),
    ("GET", "/impersonations/current"), ("DELETE", "/impersonations/current"), ("POST", "/impersonate/end"),
}
"""Public routes and the user's own account and session: any logged-in user (or anyone) may call them (a waiting
account's own Confirm your practice among them: it holds no permission yet; a view as another user's own end).
An impersonating session's column is tests/platform/test_impersonation_read_only.py."""

OFFICE, OTHER_OFFICE, STAFF = "demo.jdoe", "demo.buckeye", "planadmin"
ADMIN = "demo.group"
LINKED = "buckeye.biller"
"""A user of 310000002 (Buckeye) whose login links the Default Provider group of 310000001 (Account Linker)."""
LINKED_PROVIDER = "999999999999"
DEFAULT_PROVIDER_FACTS = {"providerType": "Group", "groupName": "Default Provider", "taxId": "310000001",
                          "providerId": LINKED_PROVIDER, "zipCode": "46204"}
PARAMETER = re.compile(r"{(\w+)}")
ATTACHMENTS = {"attachments": [{"fileName": "notes.pdf", "contentType": "application/pdf"}]}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/members/{memberId}/consent-forms"): {
        "consentType": "STERILIZATION", "dateOfService": "2031-11-02", "fileName": "consent.pdf",
        "contentType": "application/pdf"},
    ("POST", "/claims/{claimNumber}/documents"): ATTACHMENTS,
    ("POST", "/prior-auths/{authorizationNumber}/documents"): ATTACHMENTS,
    ("POST", "/prior-auths/{authorizationNumber}/information"): {"information": "The sleep study is attached."},
    ("POST", "/prior-auths/{authorizationNumber}/appeal"): {"reason": "The sleep study shows an AHI of 31."},
    ("PUT", "/users/{username}/permissions"): {"permissions": ["ELIGIBILITY"]},
    ("POST", "/review/accounts/{username}/security-answer"): {"answer": "Indianapolis"},
}
"""Valid bodies for the routes with an object in the path, so the object is looked up (a body is checked first)."""


def guarded() -> list[RouteContract]:
    return sorted((c for c in ROUTE_CONTRACTS if c.permission), key=lambda c: (c.path, c.method))


@dataclass
class Caller:
    """Calls any route as a user: the bearer token for the API, the session cookie (and CSRF, Origin) for pages."""

    client: Any
    tokens: dict[str, str]

    def call(self, username: str, contract: RouteContract, ids: dict[str, str],
             acting: str | None = None) -> tuple[int, Any]:
        """``acting``: the provider the request acts for (Account Linker): the selector's cookie for a page, the
        route's own ``providerId`` (query or body) for the API."""
        path = PARAMETER.sub(lambda found: ids[found.group(1)], contract.path)
        token = self.tokens[username]
        if contract.browser_session:
            headers = {"Cookie": f"{SESSION_COOKIE}={token}" + (
                f"; {PROVIDER_COOKIE}={browser.signed(token, browser.PROVIDER_PURPOSE, acting)}" if acting else "")}
            body = None
            if contract.method == "POST":
                headers |= {"Origin": ORIGIN, "Content-Type": "application/x-www-form-urlencoded"}
                body = urlencode({browser.CSRF_FIELD: browser.csrf_token(token)}).encode()
            response = getattr(self.client.http, contract.method.lower())(path, headers=headers, body=body)
            return response.status_code, response.body.decode("utf-8", errors="replace")
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        sent = dict(BODIES.get((contract.method, contract.path), {}))
        if acting:
            path += f"?providerId={acting}"
        body = json.dumps(sent) if contract.method in ("POST", "PUT") else None
        response = getattr(self.client.http, contract.method.lower())(path, headers=headers, body=body)
        data = json.loads(response.body) if response.headers.get("Content-Type", "").startswith(
            ("application/json", "application/fhir+json")) and response.body else None
        return response.status_code, data


def named_permission(status: int, answer: Any) -> str | None:
    """The permission a 403 names: the JSON body's fields.permission, a FHIR outcome's, or the 403 page's words."""
    if status != 403:
        return None
    if isinstance(answer, dict) and answer.get("resourceType") == "OperationOutcome":
        return next((issue["diagnostics"].removeprefix("permission: ") for issue in answer["issue"]
                     if issue["diagnostics"].startswith("permission: ")), None)
    if isinstance(answer, dict):
        return (answer.get("fields") or {}).get("permission")
    return next((p.value for p in Permission if f"\u201c{p.words}\u201d" in answer.replace("&#34;", '"')), None)


def principal_of(token: str) -> Principal:
    return wiring.current().accounts().authenticate(token)


@pytest.fixture
def office_objects(api, token_for, pump, active_user) -> dict[str, str]:
    """An object of 310000001 of every kind a route's path names, made through the API by its users (a user for
    Manage Users too: a registration its administrator approved; and a link request into it: a Buckeye user's)."""
    group, jdoe = token_for(ADMIN), token_for(OFFICE)
    front_desk = active_user()["username"]
    approved = api.post(f"/users/{front_desk}/approve", {}, token=group)
    assert approved.status_code == 200, approved.data
    biller = active_user(username=LINKED, email=f"{LINKED}@example.org", providerType="Group", firstName=None,
                         lastName=None, groupName="Buckeye Family Medicine", taxId="310000002",
                         providerId="200000000001", zipCode="43215")
    every = sorted(p.value for p in PROVIDER_PERMISSIONS)
    home = api.post(f"/users/{LINKED}/approve", {"permissions": every}, token=token_for(OTHER_OFFICE))
    assert home.status_code == 200, home.data
    asked = api.post("/me/links", DEFAULT_PROVIDER_FACTS, token=login(api, LINKED, biller["password"]))
    assert (asked.status_code, asked.data["status"]) == (201, "PENDING_APPROVAL"), asked.data
    from tests.claims.test_claims import office_visit
    from tests.priorauth.test_prior_auth import cpap

    claim = api.post("/claims", office_visit(), token=jdoe)
    assert claim.status_code == 201, claim.data
    cycle = api.post("/review/payment-cycles", token=token_for(STAFF))
    assert cycle.status_code == 201, cycle.data
    request = api.post("/prior-auths", cpap(), token=jdoe)
    assert request.status_code == 201, request.data
    number = request.data["priorAuth"]["authorizationNumber"]
    attached = api.post(f"/prior-auths/{number}/documents", {"attachments": [
        {"fileName": "notes.pdf", "contentType": "application/pdf"}]}, token=jdoe)
    assert attached.status_code == 201, attached.data
    consent = api.post("/members/10000000001/consent-forms", {
        "consentType": "STERILIZATION", "dateOfService": "2031-11-02", "fileName": "consent.pdf",
        "contentType": "application/pdf"}, token=jdoe)
    assert consent.status_code == 201, consent.data
    member_file = api.post("/members/eligibility-files", {"fileName": "members.csv"}, token=group)
    claim_file = api.post("/claim-files", {"fileName": "claims.837"}, token=group)
    export = api.post("/reports/membership-exports", {}, token=group)
    subscription = api.post("/reports/membership-export-subscriptions", {"frequency": "WEEKLY"}, token=group)
    assert (member_file.status_code, claim_file.status_code, export.status_code, subscription.status_code) == (
        201, 201, 202, 201), (member_file.data, claim_file.data, export.data, subscription.data)
    return {
        "memberId": "10000000001", "claim": claim.data["claimNumber"], "payment": cycle.data["payments"][0][
            "paymentId"], "request": number, "request_document": attached.data["uploads"][0]["document"]["documentId"],
        "consent": consent.data["document"]["documentId"], "member_file": member_file.data["file"]["documentId"],
        "claim_file": claim_file.data["file"]["documentId"], "exportId": export.data["exportId"],
        "subscriptionId": subscription.data["subscriptionId"], "username": OFFICE, "operation": "$submit",
        "office_user": front_desk, "providerId": LINKED_PROVIDER, "link_user": LINKED,
        "link_password": biller["password"],
    }


def ids_for(path: str, objects: dict[str, str]) -> dict[str, str]:
    """The path's parameters as the objects of 310000001 they name (``{number}`` is a claim's or a request's)."""
    documents = "claim_file" if "/claim-files/" in path else "member_file" if (
        "eligibility-files" in path or "member-files" in path) else "request_document" if (
        "/prior-authorization/" in path) else "consent"
    number = "request" if "prior-auth" in path else "claim"
    if path.startswith(("/users/", "/manage-users/")):  # Manage Users acts on the approved registration
        objects = {**objects, "username": objects["office_user"]}
    if "{providerId}" in path:  # a link request into 310000001 (the review desk's: none waits there)
        objects = {**objects, "username": objects["link_user"]}
    return {**objects, "documentId": objects[documents], "number": objects[number], "claimNumber": objects["claim"],
            "authorizationNumber": objects["request"], "paymentId": objects["payment"],
            "payment_id": objects["payment"]}


@pytest.fixture
def matrix(client, token_for, office_objects) -> tuple[Caller, dict[str, str], Callable[..., None]]:
    users = (ADMIN, OFFICE, OTHER_OFFICE, STAFF)
    caller = Caller(client, {username: token_for(username) for username in users})
    admin, staff = principal_of(caller.tokens[ADMIN]), principal_of(caller.tokens[STAFF])
    accounts = wiring.current().accounts()

    def holding(username: str, permissions: frozenset[Permission]) -> None:
        accounts.change_permissions(staff if username == STAFF else admin, username, permissions)

    return caller, office_objects, holding


def test_every_route_of_the_app_declares_its_permission(app):
    declared = {(c.method, c.path): c for c in ROUTE_CONTRACTS}
    served = {(method, path) for path, methods in app.routes.items() for method in methods}
    assert served - set(declared) == set()
    undeclared = sorted(key for key, c in declared.items() if c.permission is None and key not in OPEN_ROUTES)
    assert undeclared == [], "a route that is not public nor the user's own must declare a permission"
    assert len(guarded()) > 80


def test_without_the_permission_every_route_answers_403_naming_it(matrix):
    caller, objects, holding = matrix
    leaks = []
    for contract in guarded():
        needs = set(contract.permission or ())
        for username, kind in ((OFFICE, PROVIDER_PERMISSIONS), (STAFF, STAFF_PERMISSIONS)):
            wanted = next((p for p in contract.permission or () if p in kind), contract.permission[0])
            holding(username, kind - needs)
            status, answer = caller.call(username, contract, ids_for(contract.path, objects))
            named = named_permission(status, answer)
            if status != 403 or named != wanted.value:
                leaks.append((contract.method, contract.path, username, status, named))
            holding(username, kind)
    assert leaks == []


def test_with_the_permission_no_route_answers_403(matrix):
    caller, objects, _ = matrix
    refused = []
    for contract in guarded():
        needs = set(contract.permission or ())
        for username, kind in ((ADMIN, PROVIDER_PERMISSIONS), (STAFF, STAFF_PERMISSIONS)):
            if needs & kind:
                status, answer = caller.call(username, contract, ids_for(contract.path, objects))
                if status == 403 or status >= 500:
                    refused.append((contract.method, contract.path, username, status, answer))
    assert refused == []


def test_another_tax_ids_user_gets_404_for_every_object_of_310000001(matrix):
    caller, objects, _ = matrix
    leaks, asked = [], set()
    for contract in guarded():
        office_route = set(contract.permission or ()) & PROVIDER_PERMISSIONS
        parameters = set(PARAMETER.findall(contract.path)) - {"operation"}
        if not (office_route and parameters):
            continue
        asked.add((contract.method, contract.path))
        status, answer = caller.call(OTHER_OFFICE, contract, ids_for(contract.path, objects))
        if status != 404:
            leaks.append((contract.method, contract.path, status, answer))
    assert leaks == []
    assert len(asked) > 25
    assert {("PUT", "/users/{username}/permissions"), ("DELETE", "/users/{username}"),
            ("POST", "/users/{username}/deactivate"), ("POST", "/manage-users/users/{username}/remove")} <= asked
    untouched = wiring.current().users().user(principal_of(caller.tokens[ADMIN]), objects["office_user"])
    assert (untouched.status.value, set(untouched.permissions)) == (  # another office's tries changed nothing
        "ACTIVE", {Permission.ELIGIBILITY, Permission.CLAIMS_VIEW, Permission.PRIOR_AUTH_VIEW})


def test_an_office_user_on_a_staff_route_gets_403_naming_the_staff_permission(matrix):
    caller, objects, _ = matrix
    staff_routes = [c for c in guarded() if not set(c.permission or ()) & PROVIDER_PERMISSIONS]
    answers = {(c.method, c.path): caller.call(ADMIN, c, ids_for(c.path, objects)) for c in staff_routes}
    wrong = {key: (status, named_permission(status, answer)) for key, (status, answer) in answers.items()
             if status != 403 or named_permission(status, answer) is None}
    assert wrong == {}
    assert ("POST", "/review/payment-cycles") in answers
    assert ("GET", "/audit/users/{username}") in answers
    assert ("POST", "/review/practice-confirmations/{username}/approve") in answers
    assert {("GET", "/review/accounts/{username}"), ("POST", "/review/accounts/{username}/security-answer"),
            ("POST", "/review/accounts/{username}/unlock"), ("POST", "/review/accounts/{username}/activation-email"),
            ("GET", "/account-help"), ("GET", "/account-help/{username}"),
            ("POST", "/account-help/{username}/security-answer"), ("POST", "/account-help/{username}/unlock"),
            ("POST", "/account-help/{username}/activation-email"), ("GET", "/account-help/{username}/mfa-reset"),
            ("POST", "/account-help/{username}/mfa-reset")} <= set(answers)  # Account Help: plan support's


# Account Linker: a login acting in one Tax ID at a time, with that Tax ID's grant

@pytest.fixture
def linked(api, client, token_for, office_objects) -> tuple[Caller, dict[str, str], Callable[..., None]]:
    """buckeye.biller (every provider permission on its own 310000002) with its link to the Default Provider group
    approved by demo.group; ``granting(permissions)`` sets its grant on 310000001 as demo.group would."""
    approved = api.post(f"/link-requests/{LINKED}/{LINKED_PROVIDER}/approve", {"permissions": []},
                        token=token_for(ADMIN))
    assert (approved.status_code, approved.data["status"]) == (200, "ACTIVE"), approved.data
    caller = Caller(client, {LINKED: login(api, LINKED, office_objects["link_password"])})
    accounts = wiring.current().accounts()
    admin = principal_of(token_for(ADMIN))

    def granting(permissions: frozenset[Permission]) -> None:
        accounts.change_permissions(admin, LINKED, permissions)

    return caller, office_objects, granting


def test_a_linked_user_acting_for_its_own_tax_id_gets_404_for_every_object_of_the_linked_one(linked):
    """Every provider permission on both Tax IDs, acting for its own (no provider named): 310000001's objects are
    another office's, as for demo.buckeye."""
    caller, objects, granting = linked
    granting(PROVIDER_PERMISSIONS)
    leaks, asked = [], 0
    for contract in guarded():
        parameters = set(PARAMETER.findall(contract.path)) - {"operation"}
        if not (set(contract.permission or ()) & PROVIDER_PERMISSIONS and parameters):
            continue
        asked += 1
        status, answer = caller.call(LINKED, contract, ids_for(contract.path, objects))
        if status != 404:
            leaks.append((contract.method, contract.path, status, answer))
    assert leaks == []
    assert asked > 25


def test_a_linked_user_acting_for_the_linked_tax_id_holds_that_tax_ids_grant_only(linked):
    """No permission on 310000001 (every one on its own): acting for the linked provider (the selector's cookie on a
    page, ?providerId= on the API) every office route answers 403 naming a permission."""
    caller, objects, _ = linked
    leaks, pages, api_routes = [], 0, 0
    for contract in guarded():
        needs = set(contract.permission or ())
        if not needs & PROVIDER_PERMISSIONS:
            continue
        pages, api_routes = pages + contract.browser_session, api_routes + (not contract.browser_session)
        status, answer = caller.call(LINKED, contract, ids_for(contract.path, objects), acting=LINKED_PROVIDER)
        named = named_permission(status, answer)
        if status != 403 or named not in {p.value for p in needs}:
            leaks.append((contract.method, contract.path, status, named))
    assert leaks == []
    assert pages > 30
    assert api_routes > 40


def test_permissions_follow_the_tax_id_acted_for(linked, api):
    """Eligibility only on 310000001: acting for it, eligibility answers and claims are 403; acting for its own Tax
    ID the same routes answer with its own claims; the linked group's claims appear only when it acts for it."""
    caller, objects, granting = linked
    granting(frozenset({Permission.ELIGIBILITY}))
    token = caller.tokens[LINKED]
    asked = f"/members/eligibility?memberId=10000000001&dateOfService=2031-11-01&providerId={LINKED_PROVIDER}"
    assert api.get(asked, token=token).data["eligible"] is True  # Ava Thompson, an Indiana member, for 310000001
    refused = api.get(f"/claims?providerId={LINKED_PROVIDER}", token=token)
    assert (refused.status_code, refused.data["fields"]) == (403, {"permission": "CLAIMS_VIEW"})
    own = api.get("/claims", token=token)  # its own Tax ID: every permission, none of 310000001's claims
    assert own.status_code == 200
    assert objects["claim"] not in {item["claimNumber"] for item in own.data["items"]}
    assert api.get(f"/claims/{objects['claim']}", token=token).status_code == 404

    granting(frozenset({Permission.ELIGIBILITY, Permission.CLAIMS_VIEW}))
    theirs = api.get("/claims?providerId=100000000001", token=token)  # Jane Doe, under the linked group's Tax ID
    assert objects["claim"] in {item["claimNumber"] for item in theirs.data["items"]}
    me = api.get("/me", token=token).data  # the selector's list: every provider of both Tax IDs
    assert {p["providerId"] for p in me["providers"]} == {
        "200000000001", "200000000002", "999999999999", "100000000001", "100000000002"}
    assert me["actingTaxId"] == "310000002"
