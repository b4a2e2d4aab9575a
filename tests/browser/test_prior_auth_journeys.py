"""PRIOR AUTHORIZATION in the browser: the requirements lookup, the search, a request's page and its letter."""

import re

from playwright.sync_api import expect

from tests.browser.portal import expect_logged_in, log_in

JDOE = ("demo.jdoe", "Demo-Portal-2026!")


def test_a_nurse_looks_up_requirements_then_reads_a_request_and_its_letter(page, check_page):
    page.goto("/login")
    log_in(page, *JDOE)
    expect_logged_in(page, JDOE[0])
    sections = page.get_by_role("navigation", name="Portal sections")
    sections.get_by_role("link", name="Requirements Lookup").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prior Authorization Requirements")
    page.get_by_label("Codes", exact=True).fill("E0601, 99213, 99999")
    page.get_by_role("button", name="Check").click()
    rows = page.locator("#requirements tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="E0601")).to_contain_text("Needed")
    expect(rows.filter(has_text="99213")).to_contain_text("Not needed")
    expect(rows.filter(has_text="99999")).to_contain_text("Not on our list")
    check_page(page, "requirements")
    page.get_by_label("Codes", exact=True).fill("E06;01")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#codes-error")).to_be_visible()
    check_page(page, "requirements-refused")

    sections.get_by_role("link", name="Prior Authorization Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prior Authorization Search")
    check_page(page, "search")
    page.get_by_label("Status", exact=True).select_option("APPROVED")
    page.get_by_role("button", name="Search", exact=True).click()
    first = page.locator("#prior-auths-caption").locator("xpath=..").locator("tbody tr").first
    expect(first).to_contain_text("Approved")
    first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/prior-authorization/requests/PA[0-9A-Z]+$"))
    expect(page.locator("#decision")).to_contain_text("Approved")
    check_page(page, "request")
    page.get_by_role("link", name="Decision letter (printable)").click()
    expect(page.locator("#letter-decision")).to_contain_text("Decision: Approved")
    check_page(page, "letter")
