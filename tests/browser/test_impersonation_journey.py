"""Impersonate User in the browser: plan support (planadmin) views the portal as demo.jdoe to help them.

planadmin finds demo.jdoe on Impersonate User and views as them. The banner is on every page. Claim Search opens and
searches, but submitting a claim gets the 403 page saying the view is read-only. End brings planadmin back. The Audit
Trail then shows both names on what was read in the view, and demo.jdoe's mailbox has the notice.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from local.inbox import emails_to
from tests.browser.claim_form import charge, fill_header, fill_line
from tests.browser.member_search import PLAN_TODAY, us
from tests.browser.portal import PLANADMIN, expect_logged_in, log_in

USER = "demo.jdoe"
NOTICE = "Someone viewed the Heartland Health Plan Provider Portal as you"


def sections(page: Page):
    return page.get_by_role("navigation", name="Portal sections")


def banner(page: Page):
    return page.get_by_role("region", name="Viewing as another user")


def test_support_views_as_a_user_read_only_ends_it_and_the_audit_trail_names_both(page, check_page, stack):
    notices_before = len(emails_to(stack.moto_url, f"{USER}@example.org", NOTICE))
    page.goto("/login")
    log_in(page, *PLANADMIN)
    expect_logged_in(page, PLANADMIN[0])
    sections(page).get_by_role("link", name="Impersonate User").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impersonate User")
    page.get_by_label("Username", exact=True).fill("planadmin")
    page.get_by_role("button", name="Find user").click()
    expect(page.locator("#username-error")).to_contain_text("This user is your own account")
    check_page(page, "refused")
    page.get_by_label("Username", exact=True).fill(USER)
    page.get_by_role("button", name="Find user").click()
    expect(page.locator("#candidate-facts")).to_contain_text("Jane Doe, Tax ID 310000001")
    check_page(page, "found")

    page.get_by_role("button", name="View as this user").click()
    expect(page).to_have_url(re.compile(r"/home$"))
    expect(banner(page)).to_contain_text(f"Viewing as {USER} (Jane Doe, Tax ID 310000001)")
    expect(banner(page)).to_contain_text("read-only")
    expect(page.get_by_text(f"Logged in as {USER}")).to_be_attached()
    expect(sections(page).get_by_role("link", name="Audit Trail")).to_have_count(0)  # no plan-staff function
    check_page(page, "viewing-home")

    sections(page).get_by_role("link", name="Claim Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim Search")
    expect(banner(page)).to_be_visible()
    page.get_by_label("Member ID", exact=True).fill("10000000001")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_label("Member ID", exact=True)).to_have_value("10000000001")
    check_page(page, "viewing-claim-search")

    sections(page).get_by_role("link", name="Submit a Claim").click()
    expect(banner(page)).to_be_visible()
    fill_header(page, "10000000001", "100000000001", "E11.9")
    fill_line(page, 0, us(PLAN_TODAY - timedelta(days=3)), "99213", "A", charge(125))
    page.get_by_role("button", name="Submit the claim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This request could not be accepted")
    expect(page.get_by_role("main")).to_contain_text(
        f"You are viewing the portal as {USER}, read-only: nothing can be sent or changed in this view.")
    expect(banner(page)).to_be_visible()
    check_page(page, "read-only")

    banner(page).get_by_role("button", name="End").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impersonate User")
    expect(page.get_by_role("status")).to_contain_text(f"Your view as {USER} has ended: you are yourself again.")
    expect(page.get_by_text("Logged in as planadmin")).to_be_attached()
    expect(banner(page)).to_have_count(0)
    check_page(page, "ended")

    sections(page).get_by_role("link", name="Audit Trail").click()
    page.get_by_label("Username", exact=True).fill(USER)
    page.get_by_role("button", name="Show the audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Audit Trail: user {USER}")
    rows = page.locator("#audit-caption").locator("xpath=..").locator("tbody tr")
    newest = rows.first  # the end of the view, then what was read in it (newest first)
    expect(newest).to_contain_text(f"{USER}, impersonated by planadmin")
    expect(newest).to_contain_text("Impersonation Ended")
    expect(rows.filter(has_text="Claims Searched").first).to_contain_text(f"{USER}, impersonated by planadmin")
    check_page(page, "audit-trail")

    notice = stack.wait_for_email(f"{USER}@example.org", NOTICE, count=notices_before + 1)
    assert "planadmin (plan support staff) viewed the Provider Portal as you" in notice.body
