"""Account Help's pages (plan support) and Manage Users' "Reset second factor", rendered through the app: find an
account by username (its field's error in place), its facts as a summary, the security answer checked (the result
in words, the answer never echoed), unlock, a fresh activation email, the second factor's reset after its
confirmation step; each POST with its CSRF token, refusals with their reason and nothing changed."""

from __future__ import annotations

from chalicelib import wiring
from chalicelib.accounts.store import AccountModel, account_key
from tests.support.moto import registration
from tests.support.pages import Browser

PAGE = "/account-help/jdoe.office"


def nav(answer) -> list[str]:
    return [link.get_text(strip=True) for link in answer.html.select("nav[aria-label='Portal sections'] a")]


def main_text(answer) -> str:
    return " ".join(answer.html.find("main").get_text(" ", strip=True).split())


def field_error(answer, name: str) -> str:
    found = answer.html.select_one(f"#{name}-error")
    return found.get_text(" ", strip=True) if found is not None else ""


def facts(answer) -> dict[str, str]:
    listed = answer.html.select_one("#account-facts")
    return {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
            for dt in listed.find_all("dt")}


def lock(api, username: str) -> None:
    for attempt in range(5):
        api.post("/auth/login", {"username": username, "password": f"Wrong-{attempt}-Pass-Word!"})


def locked(username: str) -> bool:
    return (AccountModel.get(account_key(username)).failed_logins or 0) >= 5


def test_account_help_is_plan_supports_an_office_gets_the_403_page(logged_in, client):
    staff = logged_in("planadmin")
    found = staff.get("/account-help")
    assert (found.status, found.html.h1.get_text(strip=True)) == (200, "Account Help")
    assert "Account Help" in nav(found)
    office = Browser(client)
    assert office.login("demo.group", "Demo-Portal-2026!").status == 303
    assert "Account Help" not in nav(office.get("/home"))
    refused = office.get("/account-help")
    assert refused.status == 403
    assert "Support (member and account look-ups, impersonation)" in refused.text


def test_finding_an_account_its_field_error_in_place(logged_in, active_user):
    active_user()
    staff = logged_in("planadmin")
    empty = staff.get("/account-help?username=")
    assert (empty.status, field_error(empty, "username")) == (400, "Enter the caller's username")
    assert empty.html.select_one("#error-summary a")["href"] == "#username"
    unknown = staff.get("/account-help?username=nobody.here")
    assert (unknown.status, field_error(unknown, "username")) == (
        404, "No account has this username: check the spelling with the caller")
    assert unknown.html.find("input", {"name": "username"})["value"] == "nobody.here"  # kept for correcting
    bad = staff.get("/account-help?username=%3Cscript%3E")
    assert bad.status == 400
    assert "<script>" not in bad.text
    found = staff.get("/account-help?username=JDOE.office")
    assert (found.status, found.location) == (303, PAGE)


def test_the_account_page_shows_the_facts_never_the_answer(logged_in, active_user):
    active_user()
    page = logged_in("planadmin").get(PAGE)
    assert (page.status, page.html.h1.get_text(strip=True)) == (200, "Account jdoe.office")
    assert page.html.select_one(".usa-summary-box #account-status").get_text(" ", strip=True) == "Pending approval"
    assert facts(page) == {
        "Name": "Jane Doe", "Email": "jdoe.office@example.org", "Role": "Office user",
        "Provider and Tax ID": "Jane Doe (100000000001, Practitioner), Tax ID 310000001",
        "Waiting for": "its administrator's approval", "Locked": "No", "Last login": "Never",
        "Registered": "11/23/2031 12:00 PM EST", "Two-step verification": "Not set up",
        "Security question": "What city were you born in?"}
    assert "Ask the caller: What city were you born in?" in main_text(page)
    assert "Muncie" not in page.text
    assert page.html.find("button", string="Unlock the account") is None  # not locked
    assert page.html.find("button", string="Resend the activation email") is None  # activated


def test_checking_the_answer_says_the_result_and_never_echoes_it(logged_in, active_user):
    active_user()
    staff = logged_in("planadmin")
    wrong = staff.submit(PAGE + "/security-answer", {"answer": "Gary"}, form_page=PAGE)
    assert wrong.status == 200
    assert "The answer does not match" in main_text(wrong)
    assert "4 more wrong answers are allowed in 24 hours" in main_text(wrong)
    assert wrong.html.find("input", {"name": "answer"})["value"] == ""
    assert "Gary" not in wrong.text
    right = staff.submit(PAGE + "/security-answer", {"answer": "Muncie"}, form_page=PAGE)
    assert "The answer matches" in main_text(right)
    assert "Muncie" not in right.text
    empty = staff.submit(PAGE + "/security-answer", {"answer": "  "}, form_page=PAGE)
    assert (empty.status, field_error(empty, "answer")) == (400, "Enter the answer the caller gives")
    assert "4 wrong answers left in 24 hours" in main_text(empty)  # an empty form is no check

    for n in range(4):
        staff.submit(PAGE + "/security-answer", {"answer": f"Town {n}"}, form_page=PAGE)
    stopped = staff.submit(PAGE + "/security-answer", {"answer": "Muncie"}, form_page=PAGE)
    assert stopped.status == 429
    assert stopped.header("Retry-After") == str(24 * 3600)
    assert field_error(stopped, "answer") == ("Security answer 5 wrong answers in 24 hours: no more checks until "
                                              "11/24/2031 12:00 PM EST")
    assert "The answer matches" not in stopped.text


def test_unlock_from_the_page_and_a_second_unlock_says_it_is_not_locked(logged_in, active_user, api):
    active_user()
    lock(api, "jdoe.office")
    staff = logged_in("planadmin")
    page = staff.get(PAGE)
    assert facts(page)["Locked"] == "Yes, until 11/24/2031 12:00 PM EST unless unlocked"
    assert "Locked" in page.html.select_one("#account-status").get_text(" ", strip=True)
    forged = staff.post(PAGE + "/unlock", {"csrf_token": "not-the-token"})
    assert forged.status == 403
    assert locked("jdoe.office")  # nothing changed
    done = staff.submit(PAGE + "/unlock", {}, form_page=PAGE)
    assert (done.status, done.location) == (303, PAGE + "?done=unlocked")
    after = staff.get(done.location)
    assert "The account is unlocked: it can log in again, and its owner was emailed." in main_text(after)
    assert facts(after)["Locked"] == "No"
    assert not locked("jdoe.office")
    again = staff.submit(PAGE + "/unlock", {}, form_page=PAGE)
    assert again.status == 409
    assert "Not locked This account is not locked" in main_text(again)


def test_the_activation_email_from_the_page_and_refused_for_an_active_account(logged_in, api, pump):
    assert api.post("/auth/register", registration()).status_code == 201
    staff = logged_in("planadmin")
    page = staff.get(PAGE)
    assert "Pending activation" in page.html.select_one("#account-status").get_text(" ", strip=True)
    done = staff.submit(PAGE + "/activation-email", {}, form_page=PAGE)
    assert (done.status, done.location) == (303, PAGE + "?done=activation")
    assert "A new activation email is on its way" in main_text(staff.get(done.location))
    refused = staff.submit("/account-help/demo.jdoe/activation-email", {}, form_page="/account-help/demo.jdoe")
    assert refused.status == 409
    assert "Not waiting for its activation" in main_text(refused)
    assert "The account is active." in main_text(refused)


def test_support_resets_a_second_factor_after_the_confirmation_step(logged_in):
    staff = logged_in("planadmin")
    mfa = wiring.current().mfa()
    assert facts(staff.get("/account-help/demo.buckeye"))["Two-step verification"] == "Set up"
    confirm = staff.get("/account-help/demo.buckeye/mfa-reset")
    assert (confirm.status, confirm.html.h1.get_text(strip=True)) == (200, "Reset the Second Factor of demo.buckeye")
    assert mfa.enrolled("demo.buckeye")  # the confirmation changes nothing
    done = staff.submit("/account-help/demo.buckeye/mfa-reset", {}, form_page="/account-help/demo.buckeye/mfa-reset")
    assert (done.status, done.location) == (303, "/account-help/demo.buckeye?done=mfa-reset")
    assert not mfa.enrolled("demo.buckeye")
    assert facts(staff.get(done.location))["Two-step verification"] == "Not set up"


def test_manage_users_resets_a_users_second_factor_a_linked_user_is_its_own_tax_ids(
        logged_in, api, active_user, token_for):
    admin = logged_in("demo.group")
    user = admin.get("/manage-users/users/demo.jdoe")
    link = user.html.find("a", string="Reset second factor")
    assert link["href"] == "/manage-users/users/demo.jdoe/mfa-reset"
    confirm = admin.get(link["href"])
    assert confirm.html.h1.get_text(strip=True) == "Reset the Second Factor of demo.jdoe"
    done = admin.submit(link["href"], {}, form_page=link["href"])
    assert (done.status, done.location) == (303, "/manage-users/users/demo.jdoe?done=mfa-reset")
    assert "The user's second factor is reset" in main_text(admin.get(done.location))
    assert not wiring.current().mfa().enrolled("demo.jdoe")

    biller = active_user(username="buckeye.biller", email="buckeye.biller@example.org", providerType="Group",
                         firstName=None, lastName=None, groupName="Buckeye Family Medicine", taxId="310000002",
                         providerId="200000000001", zipCode="43215")
    assert api.post("/users/buckeye.biller/approve", {}, token=token_for("demo.buckeye")).status_code == 200
    from tests.support.moto import login

    biller_token = login(api, "buckeye.biller", biller["password"])
    assert api.post("/me/links", {"providerType": "Group", "groupName": "Default Provider", "taxId": "310000001",
                                  "providerId": "999999999999", "zipCode": "46204"}, token=biller_token
                    ).status_code == 201
    assert api.post("/link-requests/buckeye.biller/999999999999/approve", {"permissions": []},
                    token=token_for("demo.group")).status_code == 200
    linked_page = admin.get("/manage-users/users/buckeye.biller")
    assert linked_page.html.find("a", string="Reset second factor") is None
    refused = admin.submit("/manage-users/users/buckeye.biller/mfa-reset", {},
                           form_page="/manage-users/users/buckeye.biller/mfa-reset")
    assert refused.status == 409
    assert "A user of another Tax ID" in main_text(refused)
    assert wiring.current().mfa().enrolled("buckeye.biller")  # nothing changed
