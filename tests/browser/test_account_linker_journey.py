"""Account Linker in the browser: a biller of the Default Provider group (310000001) links Buckeye Family Medicine
(310000002, whose administrator is demo.buckeye) to the same login, sees it wait, demo.buckeye approves it in Manage
Users with the permissions it chooses, and the biller switches to Buckeye in the provider selector and works with
Buckeye's data, one Tax ID at a time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.harness import DESKTOP, WINDOW_HEIGHT
from tests.browser.member_search import PLAN_TODAY, check_eligibility, expect_answer
from tests.browser.portal import (
    PASSWORD,
    activate_over_api,
    approve_over_api,
    choose_permissions,
    expect_alert,
    expect_logged_in,
    log_in,
    new_identity,
)
from tests.support.local_stack import LocalStack

BUCKEYE = {"Tax ID": "310000002", "Provider ID": "200000000001", "ZIP code": "43215"}
BUCKEYE_ADMIN = ("demo.buckeye", "Demo-Portal-2026!")
LINK_SUBJECT = "A user asks to link your practice in the Heartland Health Plan Provider Portal"
OLIVIA = "20000000001"
"""Olivia Brooks, an Ohio member of Buckeye's Maria Garcia (README: fixed members): covered since 2022."""


@pytest.fixture
def second_page(browser: Browser, stack: LocalStack) -> Iterator[Page]:
    """demo.buckeye's browser (its own cookies), beside the biller's ``page``."""
    context = browser.new_context(base_url=stack.api_url,
                                  viewport={"width": DESKTOP, "height": WINDOW_HEIGHT[DESKTOP]})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def fill_group_facts(page: Page, group_name: str, facts: dict[str, str]) -> None:
    """Account Linker's form, as registration's: a Group and its facts, then Link this provider."""
    page.locator("label", has_text="Group").first.click()  # USWDS draws the radio on its label
    page.get_by_label("Group name (Group)").fill(group_name)
    for label, value in facts.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Link this provider").click()


def link_row(page: Page, name: str):
    return page.locator("#links-caption").locator("xpath=..").locator("tbody tr", has_text=name)


def test_a_biller_links_a_second_tax_id_waits_for_its_administrator_and_then_acts_for_it(
        page, second_page, stack, check_page):
    biller, biller_email = new_identity("dp.biller")
    activate_over_api(stack, biller, biller_email)  # setup: a Group account of 310000001 ...
    approve_over_api(stack, biller, ["ELIGIBILITY", "CLAIMS_VIEW"])  # ... that demo.group approved
    page.goto("/login")
    log_in(page, biller, PASSWORD)
    expect_logged_in(page, biller)
    page.get_by_role("navigation", name="Portal sections").get_by_role("link", name="Account Linker").click()
    expect_heading(page, "Account Linker")
    expect(link_row(page, "Default Provider (999999999999)")).to_contain_text("Registered")
    check_page(page, "account-linker")

    # Facts that do not match: registration's answer, the values kept
    fill_group_facts(page, "Buckeye Family Medicine", {**BUCKEYE, "ZIP code": "43216"})
    expect_alert(page, "We could not find the provider")
    expect(page.get_by_label("ZIP code", exact=True)).to_have_value("43216")
    check_page(page, "account-linker-not-found")

    fill_group_facts(page, "Buckeye Family Medicine", BUCKEYE)
    expect(page.get_by_role("status").filter(has_text="waits for the approval of that Tax ID's administrators")
           ).to_be_visible()
    expect(link_row(page, "Buckeye Family Medicine")).to_contain_text("Waiting for approval")
    check_page(page, "account-linker-pending")
    fill_group_facts(page, "Buckeye Family Medicine", BUCKEYE)
    expect_alert(page, "Already linked")
    check_page(page, "account-linker-already-linked")
    page.goto("/home")  # while it waits the selector offers the biller's own Tax ID only
    expect(page.get_by_label("Providers:").locator("option", has_text="Buckeye")).to_have_count(0)

    # demo.buckeye is emailed and approves it in Manage Users, with eligibility and claims (view)
    notice = stack.wait_for_email("demo.buckeye@example.org", LINK_SUBJECT)
    assert biller in notice.body
    assert biller_email not in notice.body
    second_page.goto("/login")
    log_in(second_page, *BUCKEYE_ADMIN)
    expect_logged_in(second_page, BUCKEYE_ADMIN[0])
    second_page.goto(stack.wait_for_link("demo.buckeye@example.org", LINK_SUBJECT, "/manage-users"))
    expect_heading(second_page, "Manage Users")
    requests = second_page.locator("#link-requests")
    expect(requests).to_contain_text(biller)
    expect(requests).to_contain_text("Buckeye Family Medicine (200000000001)")
    check_page(second_page, "manage-users-link-request")
    requests.get_by_role("link", name=re.compile(re.escape(biller))).click()
    expect_heading(second_page, f"Link request of {biller}")
    check_page(second_page, "link-request")
    choose_permissions(second_page, "Or choose the permissions", {"Eligibility and member search",
                                                                  "Claims (view)"})
    second_page.get_by_role("button", name="Approve with the permissions checked").click()
    expect(second_page.get_by_role("status").filter(has_text="The link is approved")).to_be_visible()
    linked = second_page.locator("#linked-users-caption").locator("xpath=..")
    expect(linked.locator("tbody tr", has_text=biller)).to_contain_text("Eligibility and member search, Claims (view)")
    check_page(second_page, "manage-users-linked")

    # The biller's next request: Buckeye in the selector; acting for it, Buckeye's members and claims
    page.goto("/account-linker")
    expect(link_row(page, "Buckeye Family Medicine")).to_contain_text("Linked")
    check_page(page, "account-linker-linked")
    page.goto("/home")
    expect_heading(page, "Indiana Provider Portal")
    page.get_by_label("Providers:").select_option("200000000001")  # the script submits the choice
    expect_heading(page, "Ohio Provider Portal")
    expect(page.get_by_label("Providers:")).to_have_value("200000000001")
    check_page(page, "home-acting-for-buckeye")
    nav = page.get_by_role("navigation", name="Portal sections")
    nav.get_by_role("link", name="Member Eligibility").click()
    check_eligibility(page, OLIVIA, PLAN_TODAY - timedelta(days=7))
    expect_answer(page, "Olivia Brooks", "Eligible")
    check_page(page, "eligibility-acting-for-buckeye")
    nav.get_by_role("link", name="Claim Search").click()
    expect_heading(page, "Claim Search")
    expect(page.get_by_text("Claims of every provider under Tax ID 310000002")).to_be_visible()
    check_page(page, "claims-acting-for-buckeye")

    # Back to its own Tax ID: Buckeye's member is another office's again
    page.get_by_label("Providers:").select_option("999999999999")
    expect(page.get_by_label("Providers:")).to_have_value("999999999999")
    nav.get_by_role("link", name="Member Eligibility").click()
    check_eligibility(page, OLIVIA, PLAN_TODAY - timedelta(days=7))
    expect(page.locator("#memberId-error")).to_contain_text("No member matches")
    check_page(page, "eligibility-own-tax-id")
