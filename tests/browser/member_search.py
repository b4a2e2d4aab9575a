"""What the journeys know about the MEMBER SEARCH pages: the steps a front desk takes on them.

Locators go by role and label, as in tests/browser/portal.py; dates are typed as offices type them.
The demo members' dates move with the calendar (local/demo_calendar.py), as the stack loaded them today.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from local.demo_calendar import DemoCalendar

PLAN_TODAY = datetime.now(ZoneInfo("America/New_York")).date()  # the day the stack loaded its demo data on
AVA_COVERED = PLAN_TODAY - timedelta(days=7)  # Ava Thompson's coverage is open since 2024 (authored)
LIAM_GAP = DemoCalendar(PLAN_TODAY).on("2025-08-15")  # between Liam Carter's two spans (authored)


def minimal_pdf() -> bytes:
    """The smallest PDF a reader opens: a catalog, one empty page, a cross-reference table with true offsets."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF = minimal_pdf()


def us(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def member_id_field(page: Page) -> Locator:
    return page.get_by_label("Member ID", exact=True)


def date_of_service_field(page: Page) -> Locator:
    return page.get_by_label("Date of service", exact=True)


def search_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Search", exact=True)


def answer_heading(page: Page) -> Locator:
    return page.locator("#answer-heading")


def check_eligibility(page: Page, member_id: str, day: date) -> None:
    """On Member Eligibility: the Member ID box and the date of service, then Search."""
    member_id_field(page).fill(member_id)
    date_of_service_field(page).fill(us(day))
    search_button(page).click()


def expect_answer(page: Page, name: str, status: str) -> None:
    expect(answer_heading(page)).to_contain_text(name)
    expect(answer_heading(page).locator(".usa-tag")).to_have_text(status)


def document_status(page: Page) -> Locator:
    return page.locator("#document-status")


def expect_status(page: Page, status: str, timeout: float = 30_000) -> None:
    """The status page refreshes itself (portal.js) until the upload has been checked."""
    expect(document_status(page)).to_have_attribute("data-status", status, timeout=timeout)


def upload_a_sterilization_form(page: Page, check_page: Callable[[Page, str], None], tmp_path: Path) -> None:
    """From an eligible answer: Upload Consent Form (sterilization), a wrong file refused in the page, the PDF sent
    to S3, the status page once the upload is checked, and the form in the member's forms on file."""
    page.locator("label", has_text="Sterilization").click()  # USWDS draws the radio on its label
    expect(page.get_by_role("radio", name="Sterilization")).to_be_checked()
    page.get_by_role("button", name="Continue to choose the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload Consent Form")
    check_page(page, "consent-choose-file")
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a consent form")
    page.get_by_label("Consent form file").set_input_files(wrong)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page).to_have_url(re.compile(r"/member-search/documents/[0-9a-f-]+/upload$"))  # never sent to S3
    expect(page.locator("#file-error")).to_be_visible()
    check_page(page, "consent-wrong-file")

    form = tmp_path / "sterilization-consent.pdf"
    form.write_bytes(PDF)
    page.get_by_label("Consent form file").set_input_files(form)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page).to_have_url(re.compile(r"/member-search/documents/[0-9a-f-]+(\?.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent Form Status")
    expect_status(page, "RECEIVED")
    expect(document_status(page)).to_contain_text("Received")
    check_page(page, "consent-received")
    found = re.search(r"/member-search/documents/([0-9a-f-]+)", page.url)
    assert found is not None, page.url
    on_file = page.locator("#forms-on-file tbody tr").filter(
        has=page.locator(f'a[href^="/member-search/documents/{found.group(1)}"]'))
    expect(on_file).to_contain_text("Sterilization")
    expect(on_file).to_contain_text("Received")
