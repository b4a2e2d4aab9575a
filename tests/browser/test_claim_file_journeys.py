"""Claim Files (837) and claim attachments in the browser: a biller sends one of the 837 samples of
tests/fixtures/x12 through the page, reads its 999 in words (Accepted) with the TA1, the results with each claim's
number, and downloads the results CSV; a garbled sample shows its rejection with each segment named, and a file
that is not X12 its reason; and a PDF attached to a claim from the claim's page shows there, received."""

import csv
import io
import random
import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.member_search import PDF, PLAN_TODAY, expect_status
from tests.browser.portal import DEMO_GROUP, error_summary, expect_alert, expect_logged_in, log_in

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
FILE_PAGE = re.compile(r"/claims-center/claim-files/([0-9a-f-]+)(\?.*)?$")
CLAIM_PAGE = re.compile(r"/claims-center/claims/([0-9]{13})(\?.*)?$")
PROCESSED = 60_000  # the stack's pump checks the upload, then its batch worker makes the claims


def ccyymmdd(day: date) -> str:
    return day.strftime("%Y%m%d")


def sample_for_ava(first: date, second: date) -> str:
    """demo.example1.837 (LinuxForHealth, unchanged but for these) made to bill a demo member: its subscriber is Ava
    Thompson, its ICD-9 codes ICD-10-CM, its 2006 dates of service recent ones. The billing provider (NPI
    1912301953) is the Default Provider group already."""
    text = (SAMPLES / "demo.example1.837").read_text()
    for old, new in (("NM1*IL*1*SMITH*JANE****MI*JS00111223333", "NM1*IL*1*THOMPSON*AVA****MI*10000000001"),
                     ("HI*BK:0340*BF:V7389", "HI*ABK:E119*ABF:I10"),
                     ("DTP*472*D8*20061003", f"DTP*472*D8*{ccyymmdd(first)}"),
                     ("DTP*472*D8*20061010", f"DTP*472*D8*{ccyymmdd(second)}")):
        assert old in text, old
        text = text.replace(old, new)
    return text


def open_claim_files(page: Page) -> None:
    page.goto("/login")
    log_in(page, *DEMO_GROUP)
    expect_logged_in(page, DEMO_GROUP[0])
    page.get_by_role("navigation", name="Portal sections").get_by_role("link", name="Claim Files").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim Files (837)")


def send_file(page: Page, path: Path) -> str:
    """From Claim Files: Send an 837 file, choose it, Upload; back on the file's page once S3 has it."""
    page.get_by_role("button", name="Send an 837 file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send an 837 File")
    page.get_by_label("837 file").set_input_files(path)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page).to_have_url(FILE_PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim File (837)")
    return FILE_PAGE.search(page.url).group(1)


def results(page: Page):
    return page.locator("#results-caption").locator("xpath=..").locator("tbody tr")


def test_a_biller_sends_an_837_sample_and_reads_its_999_and_the_claims_it_made(page, check_page, tmp_path):
    open_claim_files(page)
    check_page(page, "claim-files")
    page.get_by_role("button", name="Send an 837 file").click()
    check_page(page, "send-837")
    wrong = tmp_path / "claims.pdf"
    wrong.write_bytes(PDF)
    page.get_by_label("837 file").set_input_files(wrong)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#file-error")).to_be_visible()  # checked in the page: never sent to S3
    expect(page.locator("#file-error")).to_contain_text(".837")
    expect(page).to_have_url(re.compile(r"/claims-center/claim-files/[0-9a-f-]+/upload$"))
    check_page(page, "send-837-wrong-file")

    sample = tmp_path / "demo.example1.837"
    sample.write_text(sample_for_ava(PLAN_TODAY - timedelta(days=random.randint(8, 20)),
                                     PLAN_TODAY - timedelta(days=random.randint(2, 7))))
    page.get_by_label("837 file").set_input_files(sample)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page).to_have_url(FILE_PAGE)
    expect_status(page, "COMPLETED", timeout=PROCESSED)  # portal.js refreshes the page while it waits
    summary = page.locator("#acknowledgment-summary")
    expect(summary.get_by_role("heading", name="Accepted", exact=True)).to_be_visible()
    expect(summary).to_contain_text("Transaction set 0021 (837, 005010X222A2): Accepted")
    expect(page.locator("#ta1")).to_contain_text("interchange 000000907, sent 10/31/2013 11:47, was received "
                                                 "without errors")
    expect(page.locator("#acknowledgment-text")).to_contain_text("AK2*837*0021*005010X222A2~")
    expect(page.locator("#acknowledgment-text")).to_contain_text("IK5*A~")
    expect(results(page)).to_have_count(1)
    row = results(page).first
    expect(row).to_contain_text("26463774")  # the sample's CLM01
    expect(row).to_contain_text("Accepted")
    number = row.get_by_role("link").inner_text().strip()
    assert re.fullmatch(r"\d{13}", number), number
    check_page(page, "837-accepted")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the results (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert [(r["patientControlNumber"], r["memberId"], r["totalCharge"], r["outcome"], r["claimNumber"])
            for r in rows] == [("26463774", "10000000001", "100.00", "ACCEPTED", number)]
    with page.expect_download() as acknowledgment:
        page.get_by_role("link", name="Download the 999").click()
    assert "IK5*A~" in acknowledgment.value.path().read_text()

    row.get_by_role("link", name=number).click()
    expect(page).to_have_url(CLAIM_PAGE)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Claim {number}")
    expect(page.locator("#claim-facts")).to_contain_text("Ava Thompson (10000000001)")
    page.go_back()
    page.get_by_role("link", name="All your 837 files").click()
    first = page.locator("#claim-files-caption").locator("xpath=..").locator("tbody tr").first
    expect(first).to_contain_text("Completed")
    expect(first).to_contain_text("Accepted")
    check_page(page, "claim-files-listed")


def test_a_garbled_sample_is_rejected_naming_its_segments_and_a_file_that_is_not_x12_says_why(page, check_page,
                                                                                               tmp_path):
    open_claim_files(page)
    garbled = tmp_path / "demo.example6.txt"  # sent as text: the page checks an 837's name, not its type
    garbled.write_bytes((SAMPLES / "demo.example6.837").read_bytes())
    send_file(page, garbled)
    expect_status(page, "COMPLETED", timeout=PROCESSED)
    summary = page.locator("#acknowledgment-summary")
    expect(summary.get_by_role("heading", name="Rejected", exact=True)).to_be_visible()
    expect(summary).to_contain_text("Nothing in the file was taken")
    errors = page.locator("#set-3701-errors-caption").locator("xpath=..").locator("tbody tr")
    expect(errors.first).to_contain_text("CLM (claim information)")
    expect(errors.first).to_contain_text("CLM05-1 (data element 1331)")
    expect(errors.first).to_contain_text("Data element too long")
    expect(errors.filter(has_text="SV1 (professional service)").first).to_contain_text("26")
    expect(results(page).first).to_contain_text("Refused")
    expect(results(page).first).to_contain_text("Place of Service Code")
    check_page(page, "837-rejected")

    page.get_by_role("link", name="All your 837 files").click()
    not_x12 = tmp_path / "members.837"
    not_x12.write_text("dateOfService,memberId\n2026-11-02,10000000001\n")
    send_file(page, not_x12)
    expect_status(page, "REJECTED", timeout=PROCESSED)
    expect_alert(page, "The file was rejected")
    expect(page.locator("#rejection-reason")).to_have_text(
        "Reason: not an 837 this portal accepts: the file does not start with an ISA segment.")
    expect(page.locator("#acknowledgment-text")).to_have_count(0)
    check_page(page, "837-not-x12")


def test_a_biller_attaches_a_pdf_to_a_claim_from_its_page(page, check_page, stack, tmp_path):
    token = stack.login(*DEMO_GROUP)
    charge = f"{random.randint(130, 480)}.{random.randint(0, 99):02d}"  # no earlier run's duplicate
    made = stack.call("POST", "/claims", {
        "claimType": "PROFESSIONAL", "billingProviderId": "100000000001", "memberId": "10000000001",
        "placeOfService": "11", "diagnosisCodes": ["E11.9"], "totalCharge": charge,
        "serviceLines": [{"procedureCode": "99213", "charge": charge, "units": 1, "diagnosisPointers": [1],
                          "serviceDate": (PLAN_TODAY - timedelta(days=4)).isoformat()}]}, token=token)
    assert made.status_code == 201, made.text
    number = made.json()["claimNumber"]

    page.goto("/login")
    log_in(page, *DEMO_GROUP)
    expect_logged_in(page, DEMO_GROUP[0])
    page.goto(f"/claims-center/claims/{number}")
    expect(page.locator("#documents")).to_have_text("No attachments.")
    page.get_by_role("link", name="Add an attachment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Add an Attachment to Claim {number}")
    check_page(page, "attachment-form")
    page.get_by_role("button", name="Continue to choose the file").click()
    expect(error_summary(page)).to_be_visible()
    expect(page.locator("#description-error")).to_contain_text("Description is required")
    check_page(page, "attachment-refused")

    page.get_by_label("Document type").select_option("application/pdf")
    page.get_by_label("Description").fill("Operative report")
    page.get_by_role("button", name="Continue to choose the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an Attachment")
    check_page(page, "attachment-choose-file")
    report = tmp_path / "operative-report.pdf"
    report.write_bytes(PDF)
    page.get_by_label("Attachment file").set_input_files(report)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page).to_have_url(CLAIM_PAGE)  # S3 sends the browser back to the claim
    documents = page.locator("#documents")
    expect(documents).to_have_attribute("data-status", "RECEIVED", timeout=30_000)  # refreshed in place
    expect(documents).to_contain_text("Operative-report.pdf (PDF): Received")
    check_page(page, "claim-with-attachment")
