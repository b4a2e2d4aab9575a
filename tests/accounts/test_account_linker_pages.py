"""Account Linker's pages, rendered through the app: the user's own page (its providers and their status, the facts
form and its refusals, the practice's code, unlinking), Manage Users' link requests and linked users, the review desk's
links, and the provider selector acting for a linked Tax ID."""

from __future__ import annotations

import pytest

from chalicelib.accounts.store import AccountModel, account_key
from tests.accounts.test_account_linker import BLUEGRASS, BUCKEYE, emailed_code
from tests.accounts.test_user_pages import alert_text, logged_in_as
from tests.support.pages import Browser

PASSWORD = "Lantern-Orchid-42!"


@pytest.fixture
def biller(api, active_user, token_for, pump, client) -> Browser:
    """dp.biller (a Group account of 310000001 approved with the default set), logged in in its own browser."""
    active_user(username="dp.biller", email="dp.biller@example.org", providerType="Group", firstName=None,
                lastName=None, groupName="Default Provider", providerId="999999999999", zipCode="46204")
    assert api.post("/users/dp.biller/approve", {}, token=token_for("demo.group")).status_code == 200
    return logged_in_as(client, "dp.biller", PASSWORD)


def linked_rows(answer) -> dict[str, str]:
    table = answer.html.find(id="links-caption").find_parent("table")
    return {row.select("td")[0].get_text(" ", strip=True): row.get_text(" ", strip=True)
            for row in table.select("tbody tr")}


def link(browser: Browser, facts: dict[str, str]) -> object:
    return browser.submit("/account-linker", facts, form_page="/account-linker")


def test_the_account_linker_page_lists_the_providers_and_offers_the_facts_form(biller):
    page = biller.get("/account-linker")
    assert page.status == 200
    assert page.html.h1.get_text(strip=True) == "Account Linker"
    assert linked_rows(page) == {"Default Provider (999999999999)": "Default Provider (999999999999) 310000001 "
                                 "Indiana Registered the provider your account registered for"}
    form = page.html.find("form", action="/account-linker")
    assert {field["name"] for field in form.select("input[name], select[name]")} >= {
        "providerType", "firstName", "lastName", "groupName", "taxId", "providerId", "zipCode"}
    nav = [a.get_text(strip=True) for a in biller.get("/home").html.select("nav[aria-label='Portal sections'] a")]
    assert "Account Linker" in nav


def test_linking_from_the_page_waits_for_approval_and_its_refusals_keep_the_values(biller):
    wrong = link(biller, {**BUCKEYE, "zipCode": "43216"})
    assert wrong.status == 404
    assert "We could not find the provider" in alert_text(wrong)
    assert "must match your Explanation of Benefits or welcome letter exactly" in alert_text(wrong)
    assert wrong.html.select_one("#zipCode")["value"] == "43216"  # the values are kept
    missing = link(biller, {**BUCKEYE, "groupName": ""})
    assert missing.status == 400
    assert missing.html.select_one("#groupName-error").get_text(strip=True).endswith("is required for a Group")
    assert missing.html.select_one("#error-summary a[href='#groupName']") is not None

    asked = link(biller, BUCKEYE)
    assert (asked.status, asked.location) == (303, "/account-linker?done=PENDING_APPROVAL")
    page = biller.get(asked.location)
    assert "waits for the approval of that Tax ID's administrators" in alert_text(page)
    assert "Waiting for approval by its Tax ID's administrator" in linked_rows(page)[
        "Buckeye Family Medicine (200000000001)"]
    again = link(biller, BUCKEYE)
    assert again.status == 409
    assert "Already linked" in alert_text(again)


def test_manage_users_shows_link_requests_beside_registrations_and_approves_with_the_default_set(
        biller, client, active_user):
    link(biller, BUCKEYE)
    active_user(username="bk.frontdesk", email="bk.frontdesk@example.org", providerType="Group", firstName=None,
                lastName=None, groupName="Buckeye Family Medicine", taxId="310000002", providerId="200000000001",
                zipCode="43215")
    admin = logged_in_as(client, "demo.buckeye", "Demo-Portal-2026!")
    page = admin.get("/manage-users")
    assert "bk.frontdesk" in page.html.select_one("#waiting").get_text()
    [request] = page.html.select("#link-requests tbody tr")
    assert "dp.biller" in request.get_text()
    assert "Buckeye Family Medicine (200000000001)" in request.get_text()
    path = request.select_one("a")["href"]
    assert path == "/manage-users/link-requests/dp.biller/200000000001"

    detail = admin.get(path)
    assert detail.html.h1.get_text(strip=True) == "Link request of dp.biller"
    checked = [box["value"] for box in detail.html.select("input[name=permissions][checked]")]
    assert checked == ["ELIGIBILITY", "CLAIMS_VIEW", "PRIOR_AUTH_VIEW"]
    done = admin.submit(path + "/approve", {"use": "defaults"}, form_page=path)
    assert done.location == "/manage-users?done=link-approved"
    after = admin.get(done.location)
    assert "The link is approved" in alert_text(after)
    assert "No link request is waiting" in after.text
    linked = after.html.find(id="linked-users-caption").find_parent("table")
    assert "dp.biller" in linked.get_text()
    assert "Eligibility and member search, Claims (view), Prior authorization (view)" in linked.get_text()

    user = admin.get("/manage-users/users/dp.biller")
    assert "is a user of another Tax ID" in user.text
    assert user.html.find("button", string="Deactivate") is None
    assert user.html.find("a", string="Remove from the Tax ID") is not None
    twice = admin.submit(path + "/approve", {"use": "defaults"}, form_page="/manage-users")
    assert twice.status == 409
    assert "This link is approved" in twice.text
    assert admin.get("/manage-users/link-requests/dp.biller/999999999999").status == 404


def test_the_selector_acts_for_the_linked_provider_with_its_tax_ids_grant(biller, client, token_for, api, members):
    link(biller, BUCKEYE)
    assert api.post("/link-requests/dp.biller/200000000001/approve", {"permissions": ["ELIGIBILITY"]},
                    token=token_for("demo.buckeye")).status_code == 200
    home = biller.get("/home")
    options = {o["value"] for o in home.html.select("select[name=providerId] option")}
    assert {"999999999999", "200000000001", "200000000002"} <= options
    assert home.html.h1.get_text(strip=True) == "Indiana Provider Portal"
    chosen = biller.submit("/providers/select", {"providerId": "200000000002", "next": "/home"}, form_page="/home")
    assert chosen.status == 303
    ohio = biller.get("/home")
    assert ohio.html.h1.get_text(strip=True) == "Ohio Provider Portal"
    nav = [a.get_text(strip=True) for a in ohio.html.select("nav[aria-label='Portal sections'] a")]
    assert "Member Eligibility" in nav
    assert "Claim Search" not in nav  # Buckeye gave eligibility only
    assert biller.get("/claims-center/claims").status == 403
    back = biller.submit("/providers/select", {"providerId": "999999999999", "next": "/home"}, form_page="/home")
    assert back.status == 303
    assert biller.get("/claims-center/claims").status == 200  # its own Tax ID's grant again


def test_unlinking_from_the_page_asks_first(biller, api, token_for):
    link(biller, BUCKEYE)
    assert api.post("/link-requests/dp.biller/200000000001/approve", {}, token=token_for("demo.buckeye")
                    ).status_code == 200
    confirm = biller.get("/account-linker/200000000001/remove")
    assert confirm.html.h1.get_text(strip=True) == "Remove Buckeye Family Medicine"
    assert biller.get("/account-linker/999999999999/remove").status == 404  # the registration's provider stays
    done = biller.submit("/account-linker/200000000001/remove", {}, form_page="/account-linker/200000000001/remove")
    assert done.location == "/account-linker?done=removed"
    assert list(linked_rows(biller.get(done.location))) == ["Default Provider (999999999999)"]


def test_a_link_into_a_practice_without_an_administrator_is_confirmed_with_its_code(biller, pump, logged_in):
    asked = link(biller, BLUEGRASS)
    assert asked.location == "/account-linker?done=CONFIRMATION_REQUIRED"
    page = biller.get(asked.location)
    assert page.html.find("h2", string="Confirm Bluegrass Pediatrics") is not None
    assert "o•••••@bluegrass-pediatrics.example.org" in page.text
    sent = biller.submit("/account-linker/300000000001/code", {}, form_page="/account-linker")
    assert sent.location == "/account-linker?done=sent"
    code = emailed_code(pump)
    short = biller.submit("/account-linker/300000000001/confirmation", {"code": "12"}, form_page="/account-linker")
    assert short.status == 400
    assert short.html.select_one("#code-error").get_text(strip=True).endswith("Enter the 6 digits of the code from "
                                                                               "the email")
    wrong = biller.submit("/account-linker/300000000001/confirmation",
                          {"code": "999999" if code != "999999" else "111111"}, form_page="/account-linker")
    assert wrong.status == 400
    assert "is not the code we sent (4 more tries)" in wrong.html.select_one("#code-error").get_text()
    done = biller.submit("/account-linker/300000000001/confirmation", {"code": code}, form_page="/account-linker")
    assert done.location == "/account-linker?done=confirmed"
    assert "Linked" in linked_rows(biller.get(done.location))["Bluegrass Pediatrics (300000000001)"]
    assert AccountModel.get(account_key("dp.biller")).grants.as_dict()["310000003"]["administrator"] is True


def test_the_review_desk_lists_links_waiting_for_their_practice(biller, client):
    link(biller, BLUEGRASS)
    desk = logged_in_as(client, "planadmin", "PlanAdmin-Local-2026!")
    page = desk.get("/practice-confirmations")
    [row] = page.html.select("#link-confirmations tbody tr")
    assert "dp.biller" in row.get_text()
    assert "office@bluegrass-pediatrics.example.org" in row.get_text()
    done = desk.submit("/practice-confirmations/links/dp.biller/300000000001/deny", {},
                       form_page="/practice-confirmations")
    assert done.location == "/practice-confirmations?done=link-denied"
    assert "No link waits for its practice's confirmation" in desk.get(done.location).text
    assert desk.get("/account-linker").status == 403  # plan staff act for no provider
