"""CLAIMS in the browser: a biller searches the group's claims, opens one, and reads a paid claim's EOP."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.member_search import PLAN_TODAY
from tests.browser.portal import DEMO_GROUP, error_summary, expect_logged_in, log_in


def results(page):
    return page.locator("#claims-caption").locator("xpath=..").locator("tbody tr")


def test_a_biller_searches_claims_opens_one_and_reads_the_eop_of_a_paid_claim(page, check_page):
    page.goto("/login")
    log_in(page, *DEMO_GROUP)
    expect_logged_in(page, DEMO_GROUP[0])
    sections = page.get_by_role("navigation", name="Portal sections")
    sections.get_by_role("link", name="Claim Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim Search")
    expect(page.locator("#results-scope")).to_contain_text("Tax ID 310000001")
    expect(results(page)).to_have_count(20)
    expect(page.get_by_role("link", name="More results")).to_be_visible()
    check_page(page, "claim-search")

    page.get_by_label("Member ID", exact=True).fill("abc-1")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(error_summary(page)).to_be_visible()
    expect(page.locator("#memberId-error")).to_contain_text("Member ID")
    expect(page.get_by_label("Member ID", exact=True)).to_have_value("abc-1")
    check_page(page, "claim-search-refused")

    page.get_by_label("Member ID", exact=True).fill("10000000001")
    page.get_by_label("Service from", exact=True).fill((PLAN_TODAY - timedelta(days=400)).strftime("%m/%d/%Y"))
    page.get_by_role("button", name="Search", exact=True).click()
    expect(results(page).first).to_contain_text("Ava Thompson")
    results(page).first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/claims-center/claims/[0-9]{13}$"))
    expect(page.locator("#claim-facts")).to_contain_text("Ava Thompson (10000000001)")
    expect(page.locator("#service-lines")).to_be_visible()
    check_page(page, "claim")

    page.goto("/claims-center/claims")
    page.get_by_label("Status", exact=True).select_option("PAID")
    page.get_by_label("Received to", exact=True).fill((PLAN_TODAY - timedelta(days=21)).strftime("%m/%d/%Y"))
    page.get_by_role("button", name="Search", exact=True).click()
    first = results(page).first
    expect(first).to_contain_text("Paid")
    first.get_by_role("link").click()
    expect(page.locator("#claim-status")).to_have_text("Paid")
    check_page(page, "claim-paid")
    payment = page.locator("#claim-payment").get_by_role("link")
    payment_id = payment.inner_text().split(":")[0].strip()
    payment.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Explanation of Payment {payment_id}")
    expect(page.locator("#eop-totals")).to_contain_text("Paid")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    expect(page.locator("section.eop-claim").first.locator("table")).to_be_visible()
    check_page(page, "eop")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the 835").click()
    assert download.value.suggested_filename == f"{payment_id}.835"

    sections.get_by_role("link", name="Payments and EOPs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments and EOPs")
    expect(page.locator("#payments-caption")).to_be_visible()
    check_page(page, "payments")
