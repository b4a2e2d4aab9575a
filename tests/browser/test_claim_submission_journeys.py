"""Submit a Claim in the browser: a biller submits a professional claim with the diagnosis combo box, corrects it and
voids the correction from its page; and a professional claim from an empty form to Approved by keyboard only."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.claim_form import CLAIM_PAGE, charge, fill_line, line, outcome
from tests.browser.harness import KeyboardOnly
from tests.browser.member_search import PLAN_TODAY
from tests.browser.portal import DEMO_GROUP, error_summary, expect_logged_in, log_in


def test_a_biller_submits_corrects_and_voids_a_professional_claim(page, check_page):
    day = (PLAN_TODAY - timedelta(days=3)).strftime("%m/%d/%Y")
    page.goto("/login")
    log_in(page, *DEMO_GROUP)
    expect_logged_in(page, DEMO_GROUP[0])
    page.get_by_role("navigation", name="Portal sections").get_by_role("link", name="Submit a Claim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit a Professional Claim")
    check_page(page, "claim-form")

    page.get_by_label("Member ID", exact=True).fill("10000000001")
    page.get_by_label("Billing provider", exact=True).select_option("100000000001")
    page.get_by_label("Place of service", exact=True).first.fill("11")
    fill_line(page, 0, day, "99213", "A, B", charge(125))
    fill_line(page, 1, day, "36415", "A", "abc")
    diagnosis = page.get_by_label("Diagnosis A", exact=True)
    expect(diagnosis).to_have_attribute("role", "combobox")
    diagnosis.press_sequentially("type 2 diabetes without complications")
    option = page.get_by_role("option", name=re.compile(r"^E11\.9 Type 2 diabetes mellitus without complications"))
    expect(option).to_be_visible()
    expect(diagnosis).to_have_attribute("aria-expanded", "true")
    check_page(page, "claim-form-combobox")
    if diagnosis.get_attribute("aria-expanded") != "true":  # the checks' resizing may have moved the focus away
        diagnosis.press("ArrowDown")
        expect(option).to_be_visible()
    diagnosis.press("ArrowDown")
    expect(diagnosis).to_have_attribute("aria-activedescendant", "diagnosisCodes.0-option-0")
    diagnosis.press("Enter")
    expect(diagnosis).to_have_value("E11.9")
    expect(diagnosis).to_have_attribute("aria-expanded", "false")
    page.get_by_label("Diagnosis B", exact=True).fill("I10")
    page.get_by_role("button", name="More service lines").click()  # with the script: one blank line, in place
    expect(line(page, 2).get_by_label("Date of service", exact=True)).to_be_focused()
    expect(line(page, 3)).to_have_count(0)  # the server would have drawn two more
    expect(line(page, 2).get_by_label("Procedure code", exact=True)).to_have_value("")
    expect(line(page, 0).get_by_label("Procedure code", exact=True)).to_have_value("99213")

    page.get_by_role("button", name="Submit the claim").click()
    expect(error_summary(page)).to_be_visible()
    expect(page.locator("[id='serviceLines.1.charge-error']")).to_contain_text("Line 2 charge")
    expect(line(page, 1).get_by_label("Charge", exact=True)).to_have_value("abc")
    expect(page.get_by_label("Diagnosis A", exact=True)).to_have_value("E11.9")
    check_page(page, "claim-form-refused")
    line(page, 1).get_by_label("Charge", exact=True).fill(charge(25))
    page.get_by_role("button", name="Submit the claim").click()

    expect(page).to_have_url(CLAIM_PAGE)
    original = CLAIM_PAGE.search(page.url).group(1)
    # 99213 $75 + 36415 $3 (Medicaid); the local stack's payment schedule may already have paid it
    expect(page.locator("#outcome")).to_contain_text(outcome(78))
    check_page(page, "claim-approved")

    page.get_by_role("link", name="Submit a corrected claim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit a Corrected Professional Claim")
    expect(page.get_by_label("Original claim number", exact=True)).to_have_value(original)
    expect(line(page, 1).get_by_label("Procedure code", exact=True)).to_have_value("36415")
    line(page, 0).get_by_label("Charge", exact=True).fill(charge(140))
    page.get_by_role("button", name="Submit the claim").click()
    expect(page).to_have_url(CLAIM_PAGE)
    corrected = CLAIM_PAGE.search(page.url).group(1)
    assert corrected != original
    expect(page.locator("#claim-links")).to_contain_text(f"Corrects the original claim {original}")
    expect(page.locator("#outcome")).to_contain_text(outcome(78))

    page.get_by_role("link", name="Void this claim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Void claim {corrected}")
    check_page(page, "void-confirmation")
    page.get_by_role("button", name=f"Void claim {corrected}").click()
    expect(page).to_have_url(CLAIM_PAGE)
    expect(page.locator("#outcome")).to_contain_text("Void request accepted")
    expect(page.locator("#claim-links")).to_contain_text(f"Voids the original claim {corrected}")
    check_page(page, "void-accepted")


def test_a_professional_claim_from_an_empty_form_to_approved_by_keyboard_only(page, check_page):
    keyboard = KeyboardOnly(page, max_tabs=60)
    day = (PLAN_TODAY - timedelta(days=4)).strftime("%m/%d/%Y")
    page.goto("/login")
    log_in(page, *DEMO_GROUP)
    expect_logged_in(page, DEMO_GROUP[0])
    page.goto("/claims-center/new-claim")
    keyboard.type_into(page.get_by_label("Member ID", exact=True), "10000000001")
    keyboard.type_into(page.get_by_label("Place of service", exact=True).first, "11")
    diagnosis = page.get_by_label("Diagnosis A", exact=True)
    keyboard.type_into(diagnosis, "E11.9")
    expect(page.get_by_role("option", name=re.compile(r"^E11\.9 "))).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(diagnosis).to_have_value("E11.9")
    first = line(page, 0)
    keyboard.type_into(first.get_by_label("Date of service", exact=True), day)
    keyboard.type_into(first.get_by_label("Procedure code", exact=True), "99213")
    keyboard.type_into(first.get_by_label("Diagnosis pointers", exact=True), "A")
    keyboard.type_into(first.get_by_label("Charge", exact=True), charge(125))
    keyboard.press(page.get_by_role("button", name="Submit the claim"))
    expect(page).to_have_url(CLAIM_PAGE)
    expect(page.locator("#outcome")).to_contain_text(outcome(75))
    check_page(page, "keyboard-claim-approved")
