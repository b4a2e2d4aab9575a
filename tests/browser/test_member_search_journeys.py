"""MEMBER SEARCH journeys through the browser: eligibility, a consent form upload, Member File Upload."""

import csv
import io
import re

from playwright.sync_api import expect

from tests.browser.member_search import (
    AVA_COVERED,
    LIAM_GAP,
    PLAN_TODAY,
    check_eligibility,
    date_of_service_field,
    expect_answer,
    expect_status,
    member_id_field,
    search_button,
    upload_a_sterilization_form,
    us,
)
from tests.browser.portal import (
    DEMO_GROUP,
    expect_logged_in,
    fact,
    log_in,
    log_in_button,
    password_field,
    remembered_browser,
    username_field,
)


def sections(page):
    return page.get_by_role("navigation", name="Portal sections")


def log_in_as_the_group(page):
    page.goto("/login")
    log_in(page, *DEMO_GROUP)
    expect_logged_in(page, DEMO_GROUP[0])


def test_a_group_office_checks_eligibility_and_uploads_a_sterilization_consent_form(page, check_page, tmp_path):
    log_in_as_the_group(page)
    page.get_by_role("link", name="Check Member Eligibility").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Member Eligibility")
    expect(date_of_service_field(page)).to_have_value(us(PLAN_TODAY))
    check_page(page, "eligibility-form")

    search_button(page).click()  # nothing entered: the error summary, then each field
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Enter a Member ID, or a last name, first name and birth date")
    check_page(page, "eligibility-nothing-entered")

    check_eligibility(page, "10000000001", PLAN_TODAY.replace(year=PLAN_TODAY.year + 1))
    expect(page.locator("#dateOfService-error")).to_have_text("Date of service must not be in the future")
    expect(member_id_field(page)).to_have_value("10000000001")
    check_page(page, "eligibility-future-date")

    check_eligibility(page, "20000000001", AVA_COVERED)  # an Ohio member: not this Indiana office's
    expect(page.locator("#memberId-error")).to_contain_text("No member matches")
    check_page(page, "eligibility-not-found")

    check_eligibility(page, "700000000002", LIAM_GAP)  # Liam Carter by Medicaid ID, a date in his gap
    expect_answer(page, "Liam Carter", "Not eligible")
    expect(page.get_by_role("heading", name="Not eligible on this date")).to_be_visible()
    expect(page.locator("#nearest-coverage")).to_contain_text("Before:")
    expect(page.locator("#nearest-coverage")).to_contain_text("After:")
    assert "Carter" not in page.url
    assert "700000000002" not in page.url
    check_page(page, "eligibility-not-eligible")
    page.get_by_role("link", name="Coordination of Benefits").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coordination of Benefits")
    expect(page.locator("#coordination-of-benefits")).to_contain_text("Anthem Blue Cross")
    check_page(page, "coordination-of-benefits")

    sections(page).get_by_role("link", name="Member Eligibility").click()
    page.get_by_label("Last name").fill("Thompson")
    page.get_by_label("First name").fill("Ava")
    page.get_by_label("Birth date").fill("04/12/1990")
    date_of_service_field(page).fill(us(AVA_COVERED))
    search_button(page).click()
    expect_answer(page, "Ava Thompson", "Eligible")
    expect(page.locator("#answer")).to_contain_text("Healthy Indiana Plan (HIP)")
    expect(page.locator("#answer")).to_contain_text("Jane Doe")
    assert "Thompson" not in page.url
    assert "1990" not in page.url
    check_page(page, "eligibility-eligible")

    upload_a_sterilization_form(page, check_page, tmp_path)


def test_keyboard_only_log_in_and_an_eligibility_check(page, keyboard, check_page):
    username, password = DEMO_GROUP
    page.goto("/login")
    remembered_browser(page, username)  # this browser was remembered at an earlier login: no code step
    keyboard.type_into(username_field(page), username)
    keyboard.type_into(password_field(page), password)
    keyboard.press(log_in_button(page))
    expect_logged_in(page, username)
    keyboard.press(sections(page).get_by_role("link", name="Member Eligibility"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Member Eligibility")
    keyboard.tab_to(date_of_service_field(page))
    page.keyboard.press("Control+A")
    page.keyboard.type(us(AVA_COVERED))
    keyboard.type_into(member_id_field(page), "10000000001")
    keyboard.press(search_button(page))
    expect_answer(page, "Ava Thompson", "Eligible")
    check_page(page, "keyboard-eligible")


def test_member_file_upload_of_a_small_csv_and_its_results(page, check_page, tmp_path):
    log_in_as_the_group(page)
    sections(page).get_by_role("link", name="Member File Upload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Member File Upload")
    check_page(page, "member-files")
    with page.expect_download() as template_download:
        page.get_by_role("link", name=re.compile("Download the template")).click()
    header = template_download.value.path().read_text().strip()
    assert header == "dateOfService,memberId,medicaidId,lastName,firstName,birthDate"

    rows = [header, f"{AVA_COVERED},10000000001,,,,", f"{LIAM_GAP},,700000000002,,,",
            f"{AVA_COVERED},,,Thompson,Ava,1990-04-12", f"{AVA_COVERED},99999999999,,,,"]
    members = tmp_path / "members.csv"
    members.write_text("\r\n".join(rows) + "\r\n")
    page.get_by_role("button", name="Upload a member file").click()
    check_page(page, "member-file-choose")
    page.get_by_label("Member file").set_input_files(members)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page).to_have_url(re.compile(r"/member-search/member-files/[0-9a-f-]+(\?.*)?$"))
    expect_status(page, "COMPLETED")
    counts = page.locator("#file-counts")
    expect(fact(counts, "Rows")).to_have_text("4")
    expect(fact(counts, "Eligible")).to_have_text("2")
    expect(fact(counts, "Not eligible")).to_have_text("1")
    expect(fact(counts, "Not found")).to_have_text("1")
    check_page(page, "member-file-completed")
    link = page.get_by_role("link", name="Download the results (CSV)")
    results = list(csv.DictReader(io.StringIO(page.request.get(link.get_attribute("href")).text())))
    assert [row["status"] for row in results] == ["ELIGIBLE", "NOT_ELIGIBLE", "ELIGIBLE", "NOT_FOUND"]

    page.get_by_role("link", name="All your member file uploads").click()
    expect(page.locator("#member-files tbody tr").first).to_contain_text("Completed")


def test_a_file_the_upload_check_refuses_shows_rejected_with_the_reason(page, check_page, tmp_path):
    """A program named .pdf passes the page's check (its name and type) and reaches S3; the event handler reads the
    bytes, refuses it, and the status page says so with the reason."""
    log_in_as_the_group(page)
    sections(page).get_by_role("link", name="Member Eligibility").click()
    check_eligibility(page, "10000000001", AVA_COVERED)
    expect_answer(page, "Ava Thompson", "Eligible")
    page.locator("label", has_text="Sterilization").click()
    page.get_by_role("button", name="Continue to choose the file").click()
    disguised = tmp_path / "consent.pdf"
    disguised.write_bytes(b"MZ\x90\x00" + b"\x00" * 512)
    page.get_by_label("Consent form file").set_input_files(disguised)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent Form Status")
    expect_status(page, "REJECTED")
    expect(page.locator("#rejection-reason")).to_have_text("Reason: the file is not a PDF, TIFF, JPEG or PNG.")
    check_page(page, "consent-rejected")
