"""Who gets in and Manage Users in the browser: an office manager registers Bluegrass Pediatrics, confirms it with the
code sent to the practice's address on record, approves a front desk with eligibility only and deactivates it; plan
support staff confirm a first administrator from the review desk.

Bluegrass Pediatrics (310000003) and Mountain State Clinic (310000004) keep no accounts in the demo data, so on the
run's own stack the first registration there waits for its practice's confirmation. A long-lived stack
(PORTAL_TEST_API_URL) where an earlier run already made their administrators skips these journeys.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.harness import DESKTOP, WINDOW_HEIGHT
from tests.browser.member_search import PLAN_TODAY, check_eligibility, expect_answer
from tests.browser.portal import (
    ACTIVATION_SUBJECT,
    APPROVAL_SUBJECT,
    BLUEGRASS,
    BLUEGRASS_CONTACT,
    MOUNTAIN_STATE,
    PASSWORD,
    choose_permissions,
    error_summary,
    expect_logged_in,
    expect_waiting_notice,
    log_in,
    new_identity,
    practice_code,
    register_group_in_browser,
    register_group_over_api,
)
from tests.support.local_stack import LocalStack

KENTUCKY_MEMBER = "30000001000"
"""The first generated Kentucky member (plan ID 3 and ten digits from 0000001000): a Bluegrass office checks it."""


@pytest.fixture
def second_page(browser: Browser, stack: LocalStack) -> Iterator[Page]:
    """Another person's browser (its own cookies), beside ``page``."""
    context = browser.new_context(base_url=stack.api_url,
                                  viewport={"width": DESKTOP, "height": WINDOW_HEIGHT[DESKTOP]})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def first_of_practice_or_skip(stack: LocalStack, username: str) -> str:
    """The session of the practice's first registrant, which must wait for its practice's confirmation."""
    token = stack.login(username, PASSWORD)
    state = stack.call("GET", "/practice-confirmation", token=token).json()["state"]
    if state != "CONFIRMATION_REQUIRED" and os.environ.get("PORTAL_TEST_API_URL"):
        pytest.skip("this long-lived stack's practice has an administrator already: run against a fresh stack")
    assert state == "CONFIRMATION_REQUIRED"
    return token


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def user_row(page: Page, username: str):
    return page.locator("#users-caption").locator("xpath=..").locator("tbody tr", has_text=username)


def test_an_office_manager_confirms_the_practice_and_approves_the_front_desk_with_eligibility_only(
        page, second_page, stack, check_page):
    manager, manager_email = new_identity("bg.manager")
    register_group_in_browser(page, manager, manager_email, BLUEGRASS)
    page.goto(stack.wait_for_link(manager_email, ACTIVATION_SUBJECT, "/activate"))
    page.get_by_role("button", name="Activate Account").click()
    expect_heading(page, "Email Verification")
    page.goto("/login")
    log_in(page, manager, PASSWORD)
    expect_logged_in(page, manager)
    token = first_of_practice_or_skip(stack, manager)

    # Unconfirmed: no member, claim or payment data, in the pages or the API
    expect_waiting_notice(page, "Confirm your practice first")
    expect(page.get_by_role("navigation", name="Portal sections").get_by_role("link")).to_have_count(0)
    check_page(page, "unconfirmed-home")
    page.goto("/member-search/eligibility")
    expect_heading(page, "This request could not be accepted")
    expect_waiting_notice(page, "Confirm your practice first")
    check_page(page, "unconfirmed-eligibility-403")
    for path, permission in ((f"/members/eligibility?memberId={KENTUCKY_MEMBER}&dateOfService="
                              f"{(PLAN_TODAY - timedelta(days=1)).isoformat()}", "ELIGIBILITY"),
                             ("/claims", "CLAIMS_VIEW"), ("/payments", "PAYMENTS")):
        refused = stack.call("GET", path, token=token)
        assert (refused.status_code, refused.json()["fields"]) == (403, {"permission": permission}), path

    # The code goes to the practice's address on record, never the one typed at registration
    page.get_by_role("link", name="Confirm your practice").first.click()
    expect_heading(page, "Confirm Your Practice")
    expect(page.get_by_text("o•••••@bluegrass-pediatrics.example.org")).to_be_visible()
    check_page(page, "confirm-practice")
    page.get_by_role("button", name="Email the code").click()
    expect(page.get_by_role("status").filter(has_text="A code is on its way")).to_be_visible()
    code = practice_code(stack, BLUEGRASS_CONTACT)
    page.get_by_label("Code", exact=True).fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Confirm my practice").click()
    expect(error_summary(page)).to_contain_text("is not the code we sent (4 more tries)")
    check_page(page, "confirm-practice-wrong-code")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Confirm my practice").click()
    expect(page.get_by_role("heading", name="Your account is approved")).to_be_visible()
    check_page(page, "confirmed")

    # A front desk registers: it waits, and the manager is emailed
    front_desk, front_desk_email = new_identity("bg.frontdesk")
    register_group_over_api(stack, front_desk, front_desk_email, BLUEGRASS)
    second_page.goto("/login")
    log_in(second_page, front_desk, PASSWORD)
    expect_waiting_notice(second_page, "Waiting for your administrator's approval")
    check_page(second_page, "front-desk-waiting")
    link = stack.wait_for_link(manager_email, APPROVAL_SUBJECT, "/manage-users")
    assert front_desk in stack.wait_for_email(manager_email, APPROVAL_SUBJECT).body

    page.goto(link)
    expect_heading(page, "Manage Users")
    waiting = page.locator("#waiting")
    expect(waiting).to_contain_text(front_desk)
    expect(user_row(page, manager)).to_contain_text("Provider Administrator (every permission)")
    check_page(page, "manage-users")
    waiting.get_by_role("link", name=re.compile(re.escape(front_desk))).click()
    expect_heading(page, f"User {front_desk}")
    check_page(page, "user-waiting")
    choose_permissions(page, "Or choose the permissions", {"Eligibility and member search"})
    page.get_by_role("button", name="Approve with the permissions checked").click()
    expect(page.get_by_role("status").filter(has_text="The user is approved")).to_be_visible()
    expect(page.locator("#user-facts")).to_contain_text("Eligibility and member search")
    check_page(page, "user-approved")

    # The front desk checks eligibility, and cannot open payments
    second_page.goto("/home")
    expect(second_page.get_by_role("status").filter(has_text="Waiting for")).to_have_count(0)
    nav = second_page.get_by_role("navigation", name="Portal sections")
    expect(nav.get_by_role("link", name="Member Eligibility")).to_be_visible()
    expect(nav.get_by_role("link", name="Payments and EOPs")).to_have_count(0)
    day = PLAN_TODAY - timedelta(days=1)
    answer = stack.call("GET", f"/members/eligibility?memberId={KENTUCKY_MEMBER}&dateOfService={day.isoformat()}",
                        token=stack.login(front_desk, PASSWORD))
    assert answer.status_code == 200, answer.text
    member = answer.json()
    nav.get_by_role("link", name="Member Eligibility").click()
    check_eligibility(second_page, KENTUCKY_MEMBER, day)
    expect_answer(second_page, f"{member['firstName']} {member['lastName']}",
                  "Eligible" if member["eligible"] else "Not eligible")
    check_page(second_page, "front-desk-eligibility")
    second_page.goto("/claims-center/payments")
    expect_heading(second_page, "This request could not be accepted")
    expect(second_page.get_by_text("Payments and remittance (EOP, 835)")).to_be_visible()
    check_page(second_page, "front-desk-payments-403")

    # Someone else changed the user meanwhile: the page says reload, nothing saved
    stale_page_version = page.locator("input[name=version]").get_attribute("value")
    assert stale_page_version
    changed = stack.call("PUT", f"/users/{front_desk}/permissions",
                         {"permissions": ["ELIGIBILITY", "CLAIMS_VIEW"]}, token=token)
    assert changed.status_code == 200, changed.text
    choose_permissions(page, f"What {front_desk} may do", {"Eligibility and member search",
                                                           "Payments and remittance (EOP, 835)"})
    page.get_by_role("button", name="Save permissions").click()
    expect(page.get_by_role("alert").get_by_role("heading", name="Someone else changed this user")).to_be_visible()
    check_page(page, "user-changed-meanwhile")
    page.get_by_role("link", name="Reload the user").click()
    expect(page.locator("#user-facts")).to_contain_text("Claims (view)")
    expect(page.locator("#user-facts")).not_to_contain_text("Payments")

    # Deactivated: the front desk's open session stops at once
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status").filter(has_text="The user is deactivated")).to_be_visible()
    expect(page.locator("#user-facts")).to_contain_text("Deactivated")
    check_page(page, "user-deactivated")
    second_page.goto("/member-search/eligibility")
    expect(second_page).to_have_url(re.compile(r"/login\?reason=ended"))
    check_page(second_page, "front-desk-session-ended")
    log_in(second_page, front_desk, PASSWORD)
    expect(second_page.get_by_text("Your account is deactivated")).to_be_visible()
    check_page(second_page, "front-desk-deactivated-login")

    page.goto("/manage-users/default-permissions")
    expect_heading(page, "Default Permission Set")
    check_page(page, "default-permissions")
    page.goto(f"/manage-users/users/{front_desk}/remove")
    expect_heading(page, f"Remove {front_desk} from the Tax ID")
    check_page(page, "remove-confirmation")
    page.get_by_role("button", name=f"Remove {front_desk}").click()
    expect(page.get_by_role("status").filter(has_text="The user is removed")).to_be_visible()
    expect(user_row(page, front_desk)).to_have_count(0)


def test_plan_support_staff_confirm_a_first_administrator_from_the_review_desk(page, stack, check_page):
    manager, manager_email = new_identity("ms.manager")
    register_group_over_api(stack, manager, manager_email, MOUNTAIN_STATE)
    first_of_practice_or_skip(stack, manager)
    page.goto("/login")
    log_in(page, "planadmin", "PlanAdmin-Local-2026!")
    page.get_by_role("navigation", name="Portal sections").get_by_role("link", name="Practice Confirmations").click()
    expect_heading(page, "Practice Confirmations")
    row = page.locator("#confirmations tbody tr", has_text=manager)
    expect(row).to_contain_text("office@mountain-state-clinic.example.org")
    check_page(page, "review-desk")
    row.get_by_role("button", name=re.compile("Confirm as administrator")).click()
    expect(page.get_by_role("status").filter(has_text="Provider Administrator now")).to_be_visible()
    expect(page.locator("#confirmations tbody tr", has_text=manager)).to_have_count(0)
    check_page(page, "review-desk-confirmed")
    me = stack.call("GET", "/me", token=stack.login(manager, PASSWORD)).json()
    assert me["access"] == "APPROVED"
