"""The pages of who gets in and Manage Users, rendered through the app: what a waiting account sees instead of data,
Confirm your practice, the review desk, Manage Users, one user's page and its refusals."""

from __future__ import annotations

from chalicelib import wiring
from chalicelib.accounts.store import AccountModel, account_key
from chalicelib.platform.permissions import Permission
from tests.accounts.test_practice_confirmation import BLUEGRASS, CODE_SUBJECT, emailed_code
from tests.support.moto import sent_emails
from tests.support.pages import Browser


def logged_in_as(client, username: str, password: str) -> Browser:
    browser = Browser(client)
    assert browser.login(username, password).status == 303
    return browser


def alert_text(answer) -> str:
    return " ".join(alert.get_text(" ", strip=True) for alert in answer.html.select(".usa-alert"))


def test_a_waiting_account_sees_the_notice_instead_of_data(client, active_user, members):
    body = active_user(username="bg.manager", email="bg.manager@example.org", **BLUEGRASS)
    browser = logged_in_as(client, body["username"], body["password"])
    home = browser.get("/home")
    assert "Confirm your practice first" in alert_text(home)
    nav = [link.get_text(strip=True) for link in home.html.select("nav[aria-label='Portal sections'] a")]
    assert nav == []  # no screen with data is offered
    for path in ("/member-search/eligibility", "/claims-center/claims", "/claims-center/payments",
                 "/member-reports/membership", "/manage-users"):
        page = browser.get(path)
        assert page.status == 403, path
        assert "Confirm your practice first" in alert_text(page), path
        assert page.html.select_one("a[href='/confirm-practice']") is not None


def test_confirm_your_practice_sends_the_code_and_takes_it(client, active_user, pump):
    body = active_user(username="bg.manager", email="bg.manager@example.org", **BLUEGRASS)
    browser = logged_in_as(client, body["username"], body["password"])
    page = browser.get("/confirm-practice")
    assert page.html.h1.get_text(strip=True) == "Confirm Your Practice"
    assert "o•••••@bluegrass-pediatrics.example.org" in page.text
    sent = browser.submit("/confirm-practice/code", {}, form_page="/confirm-practice")
    assert (sent.status, sent.location) == (303, "/confirm-practice?sent=1")
    assert "A code is on its way" in alert_text(browser.get(sent.location))
    code = emailed_code(pump)

    empty = browser.submit("/confirm-practice", {"code": ""}, form_page="/confirm-practice")
    assert empty.status == 400
    assert empty.html.select_one("#code-error").get_text(strip=True).endswith("Enter the 6 digits of the code from "
                                                                               "the email")
    wrong = browser.submit("/confirm-practice", {"code": "999999" if code != "999999" else "111111"},
                           form_page="/confirm-practice")
    assert wrong.status == 400
    assert "is not the code we sent (4 more tries)" in wrong.html.select_one("#code-error").get_text()
    confirmed = browser.submit("/confirm-practice", {"code": code}, form_page="/confirm-practice")
    assert confirmed.location == "/confirm-practice?confirmed=1"
    done = browser.get(confirmed.location)
    assert "You are the Provider Administrator of Bluegrass Pediatrics" in alert_text(done)
    nav = [link.get_text(strip=True) for link in browser.get("/home").html.select("nav a")]
    assert "Manage Users" in nav
    assert "Member Eligibility" in nav


def test_the_review_desk_lists_and_confirms_first_administrators(client, active_user, logged_in):
    active_user(username="bg.manager", email="bg.manager@example.org", **BLUEGRASS)
    desk = logged_in("planadmin")
    page = desk.get("/practice-confirmations")
    [row] = page.html.select("#confirmations tbody tr")
    assert "bg.manager" in row.get_text()
    assert "office@bluegrass-pediatrics.example.org" in row.get_text()
    done = desk.submit("/practice-confirmations/bg.manager/approve", {}, form_page="/practice-confirmations")
    assert done.location == "/practice-confirmations?done=approved"
    assert "No first administrator waits" in desk.get("/practice-confirmations").text
    twice = desk.submit("/practice-confirmations/bg.manager/approve", {}, form_page="/practice-confirmations")
    assert "Already decided" in alert_text(desk.get(twice.location))
    assert AccountModel.get(account_key("bg.manager")).approval is None


def test_manage_users_lists_the_waiting_and_approves_with_the_default_set(client, active_user, pump, logged_in):
    active_user()
    admin = logged_in("demo.group")
    page = admin.get("/manage-users")
    assert page.html.h1.get_text(strip=True) == "Manage Users"
    [waiting] = page.html.select("#waiting tbody tr")
    assert "jdoe.office" in waiting.get_text()
    assert "Jane Doe" in waiting.get_text()
    table = page.html.find(id="users-caption").find_parent("table")
    users = {row.select("td")[0].get_text(strip=True): row for row in table.select("tbody tr")}
    assert set(users) == {"demo.group", "demo.jdoe", "jdoe.office"}
    assert "Pending approval" in users["jdoe.office"].get_text()
    assert "Provider Administrator (every permission)" in users["demo.group"].get_text()

    user = admin.get("/manage-users/users/jdoe.office")
    checked = [box["value"] for box in user.html.select("input[name=permissions][checked]")]
    assert checked == ["ELIGIBILITY", "CLAIMS_VIEW", "PRIOR_AUTH_VIEW"]  # the default set, to apply in one step
    approved = admin.submit("/manage-users/users/jdoe.office/approve", {"use": "defaults"},
                            form_page="/manage-users/users/jdoe.office")
    assert approved.location == "/manage-users/users/jdoe.office?done=approved"
    after = admin.get(approved.location)
    assert "The user is approved" in alert_text(after)
    assert "Eligibility and member search, Claims (view), Prior authorization (view)" in after.text
    assert "User Approved" in after.html.select_one("#history").get_text()


def test_approving_with_the_permissions_checked_eligibility_only(client, active_user, logged_in):
    active_user()
    admin = logged_in("demo.group")
    done = admin.submit("/manage-users/users/jdoe.office/approve", {"use": "checked", "permissions": "ELIGIBILITY"},
                        form_page="/manage-users/users/jdoe.office")
    assert done.status == 303
    assert AccountModel.get(account_key("jdoe.office")).grants.as_dict()["310000001"]["permissions"] == [
        "ELIGIBILITY"]


def test_a_permission_change_on_a_stale_page_says_someone_else_changed_the_user(client, logged_in, token_for):
    admin = logged_in("demo.group")
    form_page = "/manage-users/users/demo.jdoe"
    stale = admin.get(form_page)
    version = stale.html.select_one("input[name=version]")["value"]
    other = wiring.current().accounts()
    other.change_permissions(other.authenticate(token_for("demo.group")), "demo.jdoe",
                             frozenset({Permission.CLAIMS_VIEW}))  # another administrator, meanwhile
    refused = admin.submit(form_page + "/permissions", {"permissions": "PAYMENTS", "version": version},
                           form_page=form_page)
    assert refused.status == 409
    assert "Someone else changed this user" in alert_text(refused)
    assert form_page in [link["href"] for link in refused.html.select(".usa-alert a")]  # reload
    assert AccountModel.get(account_key("demo.jdoe")).grants.as_dict()["310000001"]["permissions"] == [
        "CLAIMS_VIEW"]


def test_deactivating_from_the_page_stops_the_users_open_session(client, logged_in):
    jdoe = logged_in_as(client, "demo.jdoe", "Demo-Portal-2026!")
    assert jdoe.get("/claims-center/claims").status == 200
    admin = logged_in("demo.group")
    done = admin.submit("/manage-users/users/demo.jdoe/deactivate", {}, form_page="/manage-users/users/demo.jdoe")
    assert done.location == "/manage-users/users/demo.jdoe?done=deactivated"
    assert "Deactivated" in admin.get(done.location).html.select_one("#user-facts").get_text()
    stopped = jdoe.get("/claims-center/claims")
    assert (stopped.status, stopped.location.split("?")[0]) == (303, "/login")


def test_the_last_administrator_refusal_is_said_on_the_users_page(client, logged_in):
    jdoe = logged_in_as(client, "demo.jdoe", "Demo-Portal-2026!")  # user administration, no administrator
    refused = jdoe.submit("/manage-users/users/demo.group/deactivate", {}, form_page="/manage-users/users/demo.group")
    assert refused.status == 409
    assert "The Tax ID needs an administrator" in alert_text(refused)
    remove = jdoe.get("/manage-users/users/demo.group/remove")
    assert remove.html.h1.get_text(strip=True) == "Remove demo.group from the Tax ID"


def test_another_tax_ids_user_is_the_404_page(client, logged_in):
    buckeye = logged_in("demo.buckeye")
    assert buckeye.get("/manage-users/users/demo.jdoe").status == 404
    refused = buckeye.submit("/manage-users/users/demo.jdoe/deactivate", {}, form_page="/manage-users")
    assert refused.status == 404
    assert AccountModel.get(account_key("demo.jdoe")).status == "ACTIVE"


def test_the_default_permission_set_page(client, logged_in):
    admin = logged_in("demo.group")
    saved = admin.submit("/manage-users/default-permissions", {"permissions": "ELIGIBILITY"})
    assert saved.location == "/manage-users/default-permissions?done=defaults"
    page = admin.get(saved.location)
    assert [box["value"] for box in page.html.select("input[name=permissions][checked]")] == ["ELIGIBILITY"]
    bad = admin.submit("/manage-users/default-permissions", {"permissions": "NOPE"})
    assert bad.status == 400
    assert bad.html.select_one("#permissions-error") is not None


def test_the_code_email_is_the_only_one_to_the_practice(client, active_user, pump):
    body = active_user(username="bg.manager", email="bg.manager@example.org", **BLUEGRASS)
    browser = logged_in_as(client, body["username"], body["password"])
    browser.submit("/confirm-practice/code", {}, form_page="/confirm-practice")
    emailed_code(pump)
    to_practice = [e["subject"] for e in sent_emails() if e["to"] == ["office@bluegrass-pediatrics.example.org"]]
    assert to_practice == [CODE_SUBJECT]
