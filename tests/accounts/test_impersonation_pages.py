"""Impersonate User's pages, rendered through the app: plan support finds a user and views as it, an administrator
starts from Manage Users, the banner with End on every page, the 403 page of a read-only view, the actor's own
session kept aside and back at the end (End, the time limit), logging out of a view, both names in the Audit Trail."""

from __future__ import annotations

from chalicelib.accounts.impersonation import is_impersonation_token
from tests.support.moto import sent_emails
from tests.support.pages import SESSION_COOKIE

OWN_COOKIE = "__Host-portal_own_session"
NOTICE = "Someone viewed the Heartland Health Plan Provider Portal as you"


def banner(answer) -> str | None:
    found = answer.html.find(id="impersonation-banner")
    return " ".join(found.get_text(" ", strip=True).split()) if found is not None else None


def nav(answer) -> list[str]:
    return [link.get_text(strip=True) for link in answer.html.select("nav[aria-label='Portal sections'] a")]


def field_error(answer) -> str:
    return answer.html.select_one("#username-error").get_text(" ", strip=True)


def view_as(browser, username: str, form_page: str):
    return browser.submit("/impersonate", {"username": username}, form_page=form_page)


def test_plan_support_finds_a_user_and_views_the_portal_as_it(logged_in):
    browser = logged_in("planadmin")
    own = browser.cookies[SESSION_COOKIE]
    found = browser.get("/impersonate")
    assert (found.status, found.html.h1.get_text(strip=True)) == (200, "Impersonate User")
    assert "Impersonate User" in nav(found)
    answer = browser.get("/impersonate?username=demo.jdoe")
    facts = answer.html.select_one("#candidate-facts").get_text(" ", strip=True)
    assert facts == "Office Jane Doe, Tax ID 310000001 Provider Administrator No"
    assert answer.html.find("button", string="View as this user") is not None

    started = view_as(browser, "demo.jdoe", "/impersonate?username=demo.jdoe")
    assert (started.status, started.location) == (303, "/home")
    assert browser.cookies[OWN_COOKIE] == own  # the actor's own session, kept aside
    assert is_impersonation_token(browser.cookies[SESSION_COOKIE])
    home = browser.get("/home")
    assert banner(home) == ("Viewing as demo.jdoe (Jane Doe, Tax ID 310000001) \u2014 read-only, until 11/23/2031 "
                            "12:30 PM EST. You are planadmin. End")
    assert "Logged in as demo.jdoe" in home.text
    assert "Submit a Claim" in nav(home)
    assert not {"Impersonate User", "Audit Trail", "Payment Cycles"} & set(nav(home))  # no plan-staff function
    idle = home.html.find(id="idle-timeout-config")
    assert (idle["data-end-url"], idle["data-warn"], idle["data-login-url"]) == ("/impersonate/end", "no", "/home")
    assert home.html.find(id="idle-timeout") is None  # nothing to stay logged in for: the end is fixed
    staff_page = browser.get("/audit-trail")
    assert staff_page.status == 403
    assert banner(staff_page).startswith("Viewing as demo.jdoe")  # the banner on error pages too


def test_a_view_cannot_submit_a_claim_the_403_page_says_it_is_read_only(logged_in, members):
    browser = logged_in("planadmin")
    view_as(browser, "demo.jdoe", "/impersonate?username=demo.jdoe")
    form = browser.get("/claims-center/new-claim")
    assert form.status == 200
    refused = browser.submit("/claims-center/new-claim", {"memberId": "10000000001"},
                             form_page="/claims-center/new-claim")
    assert refused.status == 403
    text = refused.html.find("main").get_text(" ", strip=True)
    assert "You are viewing the portal as demo.jdoe, read-only: nothing can be sent or changed in this view." in text
    assert "Nothing was changed." in text
    assert banner(refused).startswith("Viewing as demo.jdoe")
    again = view_as(browser, "demo.group", "/home")
    assert again.status == 409
    assert "You are already viewing the portal as another user" in again.text


def test_end_brings_back_the_actors_own_session_and_the_user_is_emailed(logged_in, pump):
    browser = logged_in("planadmin")
    own = browser.cookies[SESSION_COOKIE]
    view_as(browser, "demo.jdoe", "/impersonate?username=demo.jdoe")
    ended = browser.submit("/impersonate/end", {}, form_page="/home")
    assert (ended.status, ended.location) == (303, "/impersonate?done=ended&username=demo.jdoe")
    assert browser.cookies[SESSION_COOKIE] == own
    assert OWN_COOKIE not in browser.cookies
    back = browser.get(ended.location)
    assert "Your view as demo.jdoe has ended: you are yourself again." in back.text
    assert back.html.select_one("#username").get("value") == ""
    home = browser.get("/home")
    assert "Logged in as planadmin" in home.text
    assert banner(home) is None
    pump.drain_queues()
    assert [e["to"] for e in sent_emails() if e["subject"] == NOTICE] == [["demo.jdoe@example.org"]]


def test_the_find_page_says_why_a_user_cannot_be_viewed_as(logged_in):
    browser = logged_in("planadmin")
    answers = {name: browser.get(f"/impersonate?username={name}") for name in ("planadmin", "nobody.here", "a%20b")}
    assert {name: (a.status, field_error(a)) for name, a in answers.items()} == {
        "planadmin": (403, "This user is your own account"),
        "nobody.here": (404, "This user is not an office user you may view as"),
        "a%20b": (400, "Enter a username: letters, digits and . _ @ - only"),
    }
    assert answers["planadmin"].html.select_one("#error-summary a[href='#username']") is not None
    assert answers["nobody.here"].html.select_one("#username")["value"] == "nobody.here"  # kept
    refused = view_as(browser, "planadmin", "/impersonate")
    assert (refused.status, field_error(refused)) == (403, "This user is your own account")
    assert OWN_COOKIE not in browser.cookies


def test_an_administrator_views_as_its_user_from_manage_users(logged_in):
    browser = logged_in("demo.group")
    user_page = browser.get("/manage-users/users/demo.jdoe")
    assert user_page.html.find("button", string="View as this user") is not None
    assert browser.get("/manage-users/users/demo.group").html.find("button", string="View as this user") is None
    started = view_as(browser, "demo.jdoe", "/manage-users/users/demo.jdoe")
    assert started.location == "/home"
    assert banner(browser.get("/home")).startswith("Viewing as demo.jdoe (Jane Doe, Tax ID 310000001)")
    assert "You are demo.group" in banner(browser.get("/home"))
    ended = browser.submit("/impersonate/end", {}, form_page="/home")
    assert ended.location == "/manage-users/users/demo.jdoe?done=viewed"
    assert "Your view as this user has ended" in browser.get(ended.location).text


def test_a_user_administrator_is_offered_no_view_of_an_administrator(client, demo_users):
    from local.demo_data import DEMO_USER_PASSWORD
    from tests.accounts.test_user_pages import logged_in_as

    browser = logged_in_as(client, "demo.jdoe", DEMO_USER_PASSWORD)
    assert browser.get("/manage-users/users/demo.group").html.find("button", string="View as this user") is None
    refused = view_as(browser, "demo.group", "/manage-users/users/demo.group")
    assert refused.status == 403
    assert "a higher rank than yours: only an administrator views as one" in refused.text


def test_at_the_time_limit_the_actors_own_session_comes_back_and_the_views_forms_are_not_sent(logged_in, clock):
    browser = logged_in("planadmin")
    own = browser.cookies[SESSION_COOKIE]
    view_as(browser, "demo.jdoe", "/impersonate?username=demo.jdoe")
    view = browser.cookies[SESSION_COOKIE]
    clock.advance(minutes=29)
    form_token = browser.csrf("/member-search/eligibility")  # activity in the view keeps the actor's session alive
    clock.advance(minutes=1)
    home = browser.get("/home")
    assert "Logged in as planadmin" in home.text
    assert banner(home) is None
    assert (browser.cookies[SESSION_COOKIE], OWN_COOKIE in browser.cookies) == (own, False)

    def as_a_tab_of_the_ended_view() -> None:
        browser.cookies[SESSION_COOKIE], browser.cookies[OWN_COOKIE] = view, own

    as_a_tab_of_the_ended_view()
    sent = browser.post("/member-search/eligibility", {"csrf_token": form_token, "memberId": "10000000001"})
    assert sent.status == 403
    assert "The view as another user has ended, so this form, made in that view, was not sent." in sent.text
    as_a_tab_of_the_ended_view()
    late_end = browser.post("/impersonate/end", {"csrf_token": form_token})
    assert (late_end.status, late_end.location) == (303, "/home")  # End is let through: back home, as oneself
    assert browser.cookies[SESSION_COOKIE] == own


def test_logging_out_of_a_view_ends_it_and_the_actors_own_session(logged_in, api):
    browser = logged_in("planadmin")
    own = browser.cookies[SESSION_COOKIE]
    view_as(browser, "demo.jdoe", "/impersonate?username=demo.jdoe")
    view = browser.cookies[SESSION_COOKIE]
    out = browser.submit("/logout", {}, form_page="/home")
    assert out.location == "/login?reason=logged-out"
    assert not {SESSION_COOKIE, OWN_COOKIE} & set(browser.cookies)
    assert [api.get("/me", token=token).status_code for token in (view, own)] == [401, 401]


def test_the_audit_trail_names_both(logged_in, members):
    browser = logged_in("planadmin")
    view_as(browser, "demo.jdoe", "/impersonate?username=demo.jdoe")
    answer = browser.get("/member-search/eligibility?memberId=10000000001&dateOfService=2031-11-01")
    assert answer.status == 200
    browser.submit("/impersonate/end", {}, form_page="/home")
    trail = browser.get("/audit-trail/members/10000000001")
    table = trail.html.find(id="audit-caption").find_parent("table")
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in table.select("tbody tr")]
    assert [(row[1], row[5]) for row in rows] == [("demo.jdoe, impersonated by planadmin", "Eligibility Check")]
    account = browser.get("/audit-trail/users/demo.jdoe")
    assert "Impersonation Ended" in account.text
    assert "demo.jdoe, impersonated by planadmin" in account.text
