"""Provider Training in the browser: an Ohio office with the Model of Care overdue sees the banner on every page,
opens Provider Training from it, is told to check the box, attests, and the banner is gone; its administrator
reads the office's standing."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.portal import error_summary, expect_logged_in, log_in

BUCKEYE = ("demo.buckeye", "Demo-Portal-2026!")


def test_an_office_attests_the_overdue_model_of_care_and_the_banner_goes(page, check_page):
    page.goto("/login")
    log_in(page, *BUCKEYE)
    expect_logged_in(page, BUCKEYE[0])
    banner = page.locator("#training-overdue")
    expect(banner).to_contain_text("Training overdue: Model of Care")
    page.get_by_role("navigation", name="Portal sections").get_by_role("link", name="Member Eligibility").click()
    expect(banner).to_contain_text("Model of Care")  # every page, and the work goes on
    check_page(page, "banner")

    banner.get_by_role("link", name="Complete it in Provider Training").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Provider Training")
    model_of_care = page.locator("#module-model-of-care")
    expect(model_of_care).to_contain_text("Overdue")
    expect(model_of_care).to_contain_text("Required, due 12/31/")
    expect(page.locator("#module-fraud-waste-abuse")).to_contain_text("Due")  # attested last training year
    check_page(page, "modules")

    model_of_care.get_by_role("button", name="Attest to Model of Care").click()
    expect(error_summary(page)).to_be_visible()
    expect(page.locator("#confirm-model-of-care-error")).to_contain_text("Check the box")
    check_page(page, "refused")

    page.locator("#module-model-of-care").locator("label", has_text="I completed Model of Care").click()
    page.locator("#module-model-of-care").get_by_role("button", name="Attest to Model of Care").click()
    expect(page.get_by_role("status")).to_contain_text("You attested that you completed Model of Care")
    expect(page.locator("#module-model-of-care")).to_contain_text("Complete")
    page.goto("/home")
    expect(page.locator("#training-overdue")).to_have_count(0)

    page.goto("/provider-training/office")
    expect(page.get_by_role("heading", level=1)).to_have_text("Provider Training for the office")
    row = page.locator("#office-training tbody tr", has_text="demo.buckeye")
    expect(row).to_contain_text("Model of Care: Complete")
    check_page(page, "office")
