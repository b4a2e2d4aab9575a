"""Every link in the emails the portal sends opens a page in a browser (after login if needed), never a JSON route."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.accounts.store import AccountModel, account_key
from chalicelib.emails.templates import EmailTemplate
from tests.support.moto import email_links, is_page_link, login, sent_emails, token_from
from tests.support.pages import ORIGIN, Browser

pytestmark = pytest.mark.usefixtures("prior_auth_rules", "roster_members")
NOTICES_WITHOUT_LINKS = {
    "A new email address was asked for your Heartland Health Plan Provider Portal account",
    "Your Heartland Health Plan Provider Portal email address was changed",
}


def follow(browser: Browser, path: str) -> tuple[str, Any]:
    """GET ``path`` and follow same-site redirects, as a browser does: the last path and its answer."""
    for _ in range(5):
        answer = browser.get(path)
        if answer.status not in (302, 303) or not answer.location.startswith("/"):
            return path, answer
        path = answer.location
    raise AssertionError(f"{path}: too many redirects")


def opens_a_page(client: Any, link: str, username: str, password: str) -> None:
    assert link.startswith(ORIGIN + "/"), f"{link} is not a link into the portal"
    path = link[len(ORIGIN):]
    assert is_page_link(link), f"{link} is not a page route (an API route answers a browser with JSON)"
    stranger = Browser(client)  # the email opened in a browser with no session
    landed, answer = follow(stranger, path)
    assert answer.status == 200, (link, landed, answer.status)
    assert answer.header("Content-Type").startswith("text/html"), (link, answer.header("Content-Type"))
    assert answer.html.find("h1") is not None
    if landed.startswith("/login"):  # log in from there: the login form sends the browser back to the link
        assert stranger.login(username, password, next_path=path).location == path
        landed, answer = follow(stranger, path)
        assert answer.status == 200, (link, landed, answer.status)
        assert answer.header("Content-Type").startswith("text/html")
        assert not landed.startswith("/login")


def test_every_emailed_link_opens_a_page_after_login(client, api, pump, token_for, active_user, clock):
    from local.demo_data import DEMO_USER_PASSWORD
    from tests.priorauth.test_prior_auth import cpap

    office = active_user()  # the activation email, the "your account is active" email, its administrators' notices
    group = token_for("demo.group")
    assert api.post(f"/users/{office['username']}/approve", {}, token=group).status_code == 200  # approved
    denied = active_user(username="frontdesk3", email="frontdesk3@example.org")
    assert api.post("/users/frontdesk3/deny", {}, token=group).status_code == 200  # not approved
    first = active_user(username="bluegrass.first", email="bluegrass.first@example.org", providerType="Group",
                        firstName=None, lastName=None, groupName="Bluegrass Pediatrics", taxId="310000003",
                        providerId="300000000001", zipCode="40202")
    assert api.post("/practice-confirmation/code", token=login(api, first["username"], first["password"])
                    ).status_code == 202  # the practice's one-time code
    assert api.post("/auth/forgot-password", {"username": office["username"]}).status_code == 202
    assert api.post("/auth/register", {**office, "username": "someone.else"}).status_code == 201  # already registered
    locked = active_user(username="frontdesk2", email="frontdesk2@example.org")
    for attempt in range(5):
        api.post("/auth/login", {"username": "frontdesk2", "password": f"Wrong-{attempt}-Pass!"})  # locked
    support = token_for("planadmin")  # Account Help: the unlock's notice, and a second factor's reset's
    assert api.post("/review/accounts/frontdesk2/unlock", token=support).status_code == 200
    assert api.post("/review/accounts/frontdesk2/mfa-reset", token=support).status_code == 204
    export = api.post("/reports/membership-exports", {}, token=token_for("demo.group"))
    assert export.status_code == 202
    auth = api.post("/prior-auths", cpap(), token=token_for("demo.jdoe"))
    assert auth.status_code == 201, auth.data
    buckeye = {"providerType": "Group", "groupName": "Buckeye Family Medicine", "taxId": "310000002",
               "providerId": "200000000001", "zipCode": "43215"}
    linker = login(api, office["username"], office["password"])  # Account Linker: its administrators' notice ...
    assert api.post("/me/links", buckeye, token=linker).status_code == 201
    assert api.post(f"/link-requests/{office['username']}/200000000001/approve", {},
                    token=token_for("demo.buckeye")).status_code == 200  # ... approved
    jdoe = token_for("demo.jdoe")  # its own hourly email allowance: the office's goes to My Account's emails below
    assert api.post("/me/links", buckeye, token=jdoe).status_code == 201
    assert api.post("/link-requests/demo.jdoe/200000000001/deny", {},
                    token=token_for("demo.buckeye")).status_code == 200  # a link not approved
    assert api.post("/me/links", {**buckeye, "groupName": "Bluegrass Pediatrics", "taxId": "310000003",
                                  "providerId": "300000000001", "zipCode": "40202"}, token=jdoe).status_code == 201
    assert api.post("/me/links/300000000001/code", token=jdoe).status_code == 202  # a link's one-time code
    view = api.post("/impersonations", {"username": "demo.jdoe"}, token=token_for("planadmin"))
    assert api.call("DELETE", "/impersonations/current", token=view.data["token"]).status_code == 200  # its notice
    pump.drain_queues()
    mine = login(api, office["username"], office["password"])  # Update My Account's emails
    moved = "office.moved@example.org"
    assert api.post("/me/email", {"email": moved, "currentPassword": office["password"]}, token=mine
                    ).status_code == 202  # the link to the new address, the notice to the old one
    assert api.call("PUT", "/me/security-question", {"currentPassword": office["password"], "securityQuestion":
                    "What city were you born in?", "securityAnswer": "Gary"}, token=mine).status_code == 200
    new_password = "Quartz-Meadow-Fern-77"
    assert api.post("/me/password", {"currentPassword": office["password"], "newPassword": new_password},
                    token=mine).status_code == 200
    clock.advance(seconds=1)  # browsers remembered from now on postdate the change (it forgot the earlier ones)
    pump.drain_queues()
    link = [e for e in sent_emails() if e["to"] == [moved]][-1]
    assert api.post("/me/email/verify", {"token": token_from(link)}, token=mine).status_code == 200  # the notice
    taken = api.post("/me/email", {"email": "demo.group@example.org", "currentPassword": DEMO_USER_PASSWORD},
                     token=token_for("demo.jdoe"))
    assert taken.status_code == 202  # its owner is told the address is registered already
    pump.drain_queues()
    idle = active_user(username="idle.office", email="idle.office@example.org")  # unused for 91 days: deactivated
    AccountModel(pk=account_key("idle.office")).update(actions=[
        AccountModel.last_active_at.set(clock.now - timedelta(days=91))])
    assert wiring.current().inactivity().deactivate_unused().deactivated == ("idle.office",)
    pump.drain_queues()

    passwords = {f"{name}@example.org": (name, DEMO_USER_PASSWORD) for name in ("demo.group", "demo.jdoe",
                                                                                 "demo.buckeye")}
    passwords[office["email"]] = passwords[moved] = (office["username"], new_password)
    passwords[locked["email"]] = (locked["username"], locked["password"])
    passwords[denied["email"]] = (denied["username"], denied["password"])  # closed: its link is the landing page
    passwords[idle["email"]] = (idle["username"], idle["password"])  # deactivated: its link is Forgot password
    passwords[first["email"]] = passwords["office@bluegrass-pediatrics.example.org"] = (first["username"],
                                                                                 first["password"])
    emails = sent_emails()
    subjects = {email["subject"] for email in emails}
    assert len(subjects) >= len(EmailTemplate), subjects  # every template the portal has was sent
    checked = 0
    for email in emails:
        found = email_links(email)
        if email["subject"] in NOTICES_WITHOUT_LINKS:
            assert not found, email["subject"]  # to an address the account is leaving: nothing to click
            continue
        assert found, email["subject"]
        username, password = passwords[email["to"][0]]
        for link in found:
            assert "/prior-auths/" not in link, link  # the API's paths
            assert "/reports/" not in link, link
            opens_a_page(client, link, username, password)
            checked += 1
    assert checked >= len(EmailTemplate) - len(NOTICES_WITHOUT_LINKS)
