"""CLAIMS pages: add an attachment from a claim's page: its type and description, the shared upload page, then the
claim's page with the attachment and its status (refreshed until checked; a refused file with its reason)."""

from __future__ import annotations

import re

import pytest
import requests

from chalicelib.documents.store import DocumentModel
from tests.claims.test_claim_file_pages import another, text
from tests.claims.test_claims import office_visit, submit
from tests.support.pages import ORIGIN

pytestmark = pytest.mark.usefixtures("fee_schedules")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def claim_number(api, token_for) -> str:
    answer = submit(api, token_for("demo.jdoe"), office_visit())
    assert answer.status_code == 201, answer.data
    return answer.data["claimNumber"]


def attachments_path(number: str) -> str:
    return f"/claims-center/claims/{number}/attachments"


def start(browser, number: str, **values: str):
    return browser.submit(attachments_path(number), {"contentType": "application/pdf",
                                                     "description": "Operative report", **values})


def upload_form(browser, location: str) -> tuple[str, dict[str, str]]:
    form = browser.get(location).html.find("form", attrs={"enctype": "multipart/form-data"})
    return form["action"], {item["name"]: item["value"] for item in form.find_all("input", type="hidden")}


def test_a_claims_page_adds_an_attachment_and_shows_it_received(logged_in, claim_number, pump):
    browser = logged_in("demo.jdoe")
    claim_page = f"/claims-center/claims/{claim_number}"
    soup = browser.get(claim_page).html
    assert soup.find(id="add-attachment")["href"] == attachments_path(claim_number)
    assert text(soup, "documents") == "No attachments."

    form = browser.get(attachments_path(claim_number)).html
    assert form.find("h1").get_text(strip=True) == f"Add an Attachment to Claim {claim_number}"
    assert "Member: Ava Thompson (10000000001)." in " ".join(form.find("main").get_text(" ").split())
    assert [option["value"] for option in form.find(id="contentType").find_all("option")] == [
        "application/pdf", "image/tiff", "image/jpeg", "image/png"]
    assert form.find("label", attrs={"for": "description"}).get_text(strip=True) == "Description"

    started = start(browser, claim_number)
    assert started.status == 303
    found = re.fullmatch(rf"/claims-center/claims/{claim_number}/attachments/([0-9a-f-]+)/upload", started.location)
    assert found, started.location
    page = browser.get(started.location)
    assert page.html.find("h1").get_text(strip=True) == "Add an Attachment"
    assert "Operative-report.pdf" in page.html.find("main").get_text()
    action, fields = upload_form(browser, started.location)
    assert fields["Content-Type"] == "application/pdf"
    assert fields["success_action_redirect"] == f"{ORIGIN}{claim_page}"
    assert fields["key"].startswith(f"uploads/clinical-documents/{found.group(1)}/Operative-report.pdf")
    assert action.split("/")[2] in page.header("Content-Security-Policy")

    posted = requests.post(action, data=fields, files={"file": ("report.pdf", PDF)}, allow_redirects=False,
                           timeout=10)
    assert posted.status_code == 303
    waiting = browser.get(claim_page).html
    region = waiting.find(id="documents")  # the S3 event not handled yet: the page refreshes itself
    assert (region["data-status"], region["data-poll"]) == ("AWAITING_UPLOAD", claim_page)
    assert text(waiting, "documents") == "Operative-report.pdf (PDF): Awaiting upload"
    assert waiting.find("a", attrs={"data-refresh-status": True})["href"] == claim_page
    pump.drain_queues()
    done = browser.get(claim_page).html
    assert done.find(id="documents")["data-status"] == "RECEIVED"
    assert not done.find(id="documents").has_attr("data-poll")
    assert text(done, "documents") == "Operative-report.pdf (PDF): Received"
    assert browser.get(started.location).location == claim_page  # uploaded: the upload page sends back
    document = DocumentModel.get(found.group(1))
    assert (document.claim_number, document.kind, document.member_id) == (
        claim_number, "clinical-documents", "10000000001")


def test_a_refused_attachment_shows_its_reason_on_the_claims_page(logged_in, claim_number, pump):
    browser = logged_in("demo.jdoe")
    started = start(browser, claim_number, contentType="image/png", description="X-ray")
    action, fields = upload_form(browser, started.location)
    requests.post(action, data=fields, files={"file": ("x-ray.png", PDF)}, allow_redirects=False, timeout=10)
    pump.drain_queues()
    soup = browser.get(f"/claims-center/claims/{claim_number}").html
    assert "X-ray.png (PNG): Rejected" in text(soup, "documents")
    assert text(soup, "attachment-1-reason") == "Reason: the file was declared image/png but is application/pdf."


def test_a_refused_form_says_why_beside_each_field_keeps_the_values_and_makes_nothing(logged_in, claim_number):
    browser = logged_in("demo.jdoe")
    refused = start(browser, claim_number, contentType="text/html", description="  ")
    assert refused.status == 400
    soup = refused.html
    assert text(soup, "contentType-error").endswith("Document type is required: choose the file's type (PDF, TIFF, "
                                                    "JPEG or PNG)")
    assert "Description is required" in text(soup, "description-error")
    assert [a["href"] for a in soup.select("#error-summary a")] == ["#contentType", "#description"]
    too_long = start(browser, claim_number, description="x" * 81)
    assert too_long.status == 400
    assert "at most 80 characters" in text(too_long.html, "description-error")
    assert too_long.html.find(id="description")["value"] == "x" * 81
    assert DocumentModel.count() == 0


def test_a_full_claim_takes_no_more_attachments(api, token_for, logged_in, claim_number):
    token = token_for("demo.jdoe")
    full = api.post(f"/claims/{claim_number}/documents", {"attachments": [
        {"fileName": f"page-{n}.pdf", "contentType": "application/pdf"} for n in range(10)]}, token=token)
    assert full.status_code == 201, full.data
    refused = start(logged_in("demo.jdoe"), claim_number)
    assert refused.status == 400
    assert "No more attachments on this claim: a claim holds at most 10 attachments" in text(
        refused.html, "description-error")


def test_another_offices_claim_has_no_attachment_pages(client, claim_number, logged_in):
    jdoe = logged_in("demo.jdoe")
    document_id = start(jdoe, claim_number).location.split("/")[-2]
    other = another(client, "demo.buckeye")
    assert other.get(attachments_path(claim_number)).status == 404
    assert other.submit(attachments_path(claim_number), {"contentType": "application/pdf", "description": "Notes"},
                        form_page="/claims-center/claims").status == 404
    assert other.get(f"{attachments_path(claim_number)}/{document_id}/upload").status == 404
    assert DocumentModel.count() == 1  # jdoe's only


def test_plan_staff_read_a_claim_without_the_attachment_button(client, claim_number, logged_in):
    staff = logged_in("planadmin")
    soup = staff.get(f"/claims-center/claims/{claim_number}").html
    assert soup.find("h1") is not None
    assert soup.find(id="add-attachment") is None
    assert staff.get(attachments_path(claim_number)).status == 403
