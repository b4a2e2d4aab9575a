"""CLAIMS pages: Claim Files (837): the list, the start of an upload, the shared upload page, a file's page (its
status refreshed while it waits or is processing, its 999 in words and as sent, the TA1, each claim's number or
reasons, the results CSV), a rejected or failed file's reason."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from chalicelib import wiring
from chalicelib.claims import batch
from local.x12_generate import GeneratedClaim, generate_837p
from tests.claims.test_claim_file_fanout import deliver, run_upload_handler_only, take_batch_messages
from tests.support.pages import ORIGIN, Browser

pytestmark = pytest.mark.usefixtures("fee_schedules")
FILES = "/claims-center/claim-files"
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
AVA = GeneratedClaim("10000000001", "THOMPSON", "AVA", date(1990, 4, 12), "F", date(2031, 11, 2))
NOBODY = GeneratedClaim("99999999999", "NOBODY", "NED", date(1980, 1, 1), "M", date(2031, 11, 2))


def text(soup, element_id):
    found = soup.find(id=element_id)
    assert found is not None, f"no #{element_id}"
    return " ".join(found.get_text(" ", strip=True).split())


def rows(soup, table_id):
    caption = soup.find(id=f"{table_id}-caption")
    assert caption is not None, f"no table {table_id}"
    return [[" ".join(td.get_text(" ", strip=True).split()) for td in tr.find_all("td")]
            for tr in caption.find_parent("table").select("tbody tr")]


def start(browser) -> tuple[str, dict[str, str], str]:
    """Send an 837 file: its upload page's form (the S3 address and fields) and the new file's ID."""
    started = browser.submit(FILES, {})
    assert started.status == 303
    found = re.fullmatch(r"/claims-center/claim-files/([0-9a-f-]+)/upload", started.location)
    assert found, started.location
    form = browser.get(started.location).html.find("form", attrs={"enctype": "multipart/form-data"})
    fields = {item["name"]: item["value"] for item in form.find_all("input", type="hidden")}
    return form["action"], fields, found.group(1)


def send(browser, content: bytes, name: str = "claims.837") -> str:
    """As the page's form does: the file straight to the presigned POST, which sends the browser back."""
    action, fields, document_id = start(browser)
    posted = requests.post(action, data=fields, files={"file": (name, content)}, allow_redirects=False, timeout=10)
    assert posted.status_code == 303
    assert posted.headers["Location"].startswith(f"{ORIGIN}{FILES}/{document_id}")
    return document_id


def file_page(browser, document_id, query=""):
    answer = browser.get(f"{FILES}/{document_id}{query}")
    assert answer.status == 200, answer.text
    return answer.html


def test_claim_files_is_in_the_nav_and_sends_to_the_shared_upload_page(logged_in):
    browser = logged_in("demo.group")
    listing = browser.get(FILES).html
    assert listing.find("h1").get_text(strip=True) == "Claim Files (837)"
    assert listing.find("nav", attrs={"aria-label": "Portal sections"}).find("a", string="Claim Files")["href"] == FILES
    assert text(listing, "claim-files-total") == "Records: 0"
    assert "No 837 files yet" in listing.find("main").get_text()

    started = browser.submit(FILES, {})
    page = browser.get(started.location)
    assert page.html.find("h1").get_text(strip=True) == "Send an 837 File"
    form = page.html.find("form", attrs={"enctype": "multipart/form-data"})
    assert form.has_attr("data-type-by-extension")  # browsers know no type for an 837: the page checks its name
    assert ".837" in form["data-extensions"]
    assert ".txt" in form["data-extensions"]
    fields = {item["name"]: item["value"] for item in form.find_all("input", type="hidden")}
    document_id = started.location.split("/")[-2]
    assert fields["Content-Type"] == "application/edi-x12"
    assert fields["key"].startswith(f"uploads/claim-files/{document_id}/")
    assert fields["success_action_redirect"] == f"{ORIGIN}{FILES}/{document_id}"
    assert form.find("input", type="file")["accept"].startswith("application/edi-x12,.837")
    assert form["action"].split("/")[2] in page.header("Content-Security-Policy")

    waiting = file_page(browser, document_id)
    status = waiting.find(id="document-status")
    assert (status["data-status"], status["data-poll"]) == ("AWAITING_UPLOAD", f"{FILES}/{document_id}")
    assert waiting.find("a", string="choose the file")["href"] == started.location
    assert text(waiting, "file-acknowledgment") == ""


def test_an_accepted_file_shows_its_999_in_words_and_as_sent_and_each_claims_number_or_reasons(logged_in, pump):
    browser = logged_in("demo.group")
    document_id = send(browser, generate_837p([AVA, NOBODY], "1912301953", "310000001").encode())
    pump.drain_queues()
    soup = file_page(browser, document_id)
    status = soup.find(id="document-status")
    assert status["data-status"] == "COMPLETED"
    assert not status.has_attr("data-poll")
    assert soup.find("a", attrs={"data-refresh-status": True}) is None
    facts = text(soup, "file-facts")
    assert "Claims in the file 2 Claims made 1 Claims refused 1" in facts
    summary = soup.find(id="acknowledgment-summary")
    assert summary.find(class_="usa-alert--success").find("h2").get_text(strip=True) == "Accepted"
    assert "Transaction set 0001 (837, 005010X222A2): Accepted" in text(soup, "acknowledgment-summary")
    assert "No segment in error" in text(soup, "acknowledgment-summary")
    shown = soup.find(id="acknowledgment-text").get_text()
    assert "AK2*837*0001*005010X222A2~" in shown
    assert "IK5*A~" in shown
    assert requests.get(soup.find(id="acknowledgment-download")["href"], timeout=10).text == shown

    made, refused = rows(soup, "results")
    number = made[4]
    assert re.fullmatch(r"\d{13}", number)
    assert made[:4] == ["GEN0000000", "10000000001", "$125.00", "Accepted"]
    assert made[5] == "Approved, to be paid"
    link = soup.find(id="results-caption").find_parent("table").find("a", string=number)
    assert link["href"] == f"/claims-center/claims/{number}"
    assert refused[:5] == ["GEN0000001", "99999999999", "$125.00", "Refused", ""]
    assert refused[6].startswith("MEMBER_NOT_FOUND")
    assert text(soup, "results-total") == "Records: 2"

    results = requests.get(soup.find(id="results-download")["href"], timeout=10)
    assert "attachment" in results.headers["Content-Disposition"]
    csv_rows = list(csv.DictReader(io.StringIO(results.text)))
    assert [(row["patientControlNumber"], row["outcome"], row["claimNumber"]) for row in csv_rows] == [
        ("GEN0000000", "ACCEPTED", number), ("GEN0000001", "REJECTED", "")]

    listed = rows(browser.get(FILES).html, "claim-files")
    assert listed[0][1:] == ["demo.group", "999999999999", "Completed", "Accepted", "2", "1", "1"]


def test_a_garbled_sample_is_rejected_naming_each_segment_its_position_and_element(logged_in, pump):
    browser = logged_in("demo.group")
    document_id = send(browser, (SAMPLES / "demo.example6.837").read_bytes(), name="demo.example6.837")
    pump.drain_queues()
    soup = file_page(browser, document_id)
    summary = soup.find(id="acknowledgment-summary")
    assert summary.find(class_="usa-alert--error").find("h2").get_text(strip=True) == "Rejected"
    assert "Nothing in the file was taken" in text(soup, "acknowledgment-summary")
    assert ("Interchange acknowledgment (TA1): interchange 000000907, sent 10/31/2013 11:47, was received without "
            "errors") in text(soup, "ta1")
    assert "Rejected: one or more segments in error. 5 segments in error" in text(soup, "acknowledgment-summary")
    errors = rows(soup, "set-3701-errors")
    assert errors[0] == ["CLM (claim information)", "19", "CLM05-1 (data element 1331)", "11>B>1",
                         "Data element too long"]
    assert errors[1][2:] == ["CLM05-2 (data element 1332)", "", "Required data element missing"]
    assert ["SV1 (professional service)", "27", "", "", "Required segment missing"] in errors
    refused = rows(soup, "results")
    assert refused[0][3] == "Refused"
    assert "Place of Service Code" in refused[0][6]
    listed = rows(browser.get(FILES).html, "claim-files")
    assert listed[0][3:5] == ["Completed", "Rejected"]


def test_a_file_that_is_not_an_837_is_rejected_with_its_reason_and_no_999(logged_in, pump):
    browser = logged_in("demo.group")
    document_id = send(browser, b"member,dateOfService\n1,2031-11-02\n", name="members.txt")
    pump.drain_queues()
    soup = file_page(browser, document_id)
    assert soup.find(id="document-status")["data-status"] == "REJECTED"
    assert text(soup, "rejection-reason") == ("Reason: not an 837 this portal accepts: the file does not start with "
                                              "an ISA segment.")
    assert soup.find(id="acknowledgment-text") is None
    assert text(soup, "file-results") == ""


def test_while_processing_the_page_refreshes_with_the_999_and_the_claims_made_so_far(logged_in, pump, app,
                                                                                      monkeypatch):
    monkeypatch.setattr(batch, "BATCH_CLAIMS", 1)
    browser = logged_in("demo.group")
    claims = [GeneratedClaim(**{**AVA.__dict__, "service_date": date(2031, 11, day)}) for day in (3, 4, 5)]
    document_id = send(browser, generate_837p(claims, "1912301953", "310000001").encode())
    run_upload_handler_only(pump)
    soup = file_page(browser, document_id)
    status = soup.find(id="document-status")
    assert (status["data-status"], status["data-poll"]) == ("PROCESSING", f"{FILES}/{document_id}")
    assert text(soup, "file-progress").endswith("Its claims are being made: 0 of 3 so far.")
    assert soup.find(id="acknowledgment-summary").find("h2").get_text(strip=True) == "Accepted"
    assert soup.find(id="file-acknowledgment").has_attr("data-follows-status")
    assert text(soup, "file-results") == ""  # the results come with the last batch
    messages, arn = take_batch_messages()
    deliver(app, messages[0], arn)
    assert text(file_page(browser, document_id), "file-progress").endswith("1 of 3 so far.")
    for message in messages[1:]:
        deliver(app, message, arn)
    done = file_page(browser, document_id)
    assert done.find(id="document-status")["data-status"] == "COMPLETED"
    assert len(rows(done, "results")) == 3


def test_a_file_that_failed_shows_the_reason_with_its_reference(logged_in, pump):
    browser = logged_in("demo.group")
    document_id = send(browser, generate_837p([AVA], "1912301953", "310000001").encode())
    run_upload_handler_only(pump)
    wiring.current().claim_file_failed(document_id, "msg-42")
    soup = file_page(browser, document_id)
    assert soup.find(id="document-status")["data-status"] == "FAILED"
    assert not soup.find(id="document-status").has_attr("data-poll")
    assert "reference msg-42" in text(soup, "rejection-reason")
    assert rows(browser.get(FILES).html, "claim-files")[0][3] == "Failed"


def test_results_page_fifty_claims_at_a_time(logged_in, pump):
    browser = logged_in("demo.group")
    claims = [GeneratedClaim(**{**NOBODY.__dict__, "charge": f"{100 + index}.00"}) for index in range(52)]
    document_id = send(browser, generate_837p(claims, "1912301953", "310000001").encode())
    pump.drain_queues()
    first = file_page(browser, document_id)
    assert len(rows(first, "results")) == 50
    assert rows(first, "results")[0][0] == "GEN0000000"
    more = first.find("a", rel="next")
    assert more.get_text(strip=True) == "Next claims"
    assert parse_qs(urlsplit(more["href"]).query) == {"from": ["50"]}
    second = file_page(browser, document_id, "?from=50")
    assert [row[0] for row in rows(second, "results")] == ["GEN0000050", "GEN0000051"]
    assert second.find("a", rel="next") is None
    assert second.find("a", rel="prev")["href"] == f"{FILES}/{document_id}"
    assert "Claims 51 to 52" in text(second, "file-results")


def test_values_the_csv_defuses_are_shown_as_the_file_sent_them(logged_in, pump):
    browser = logged_in("demo.group")
    content = generate_837p([AVA], "1912301953", "310000001").replace("CLM*GEN0000000*", "CLM*=2+5*")
    document_id = send(browser, content.encode())
    pump.drain_queues()
    soup = file_page(browser, document_id)
    assert rows(soup, "results")[0][0] == "=2+5"
    results = requests.get(soup.find(id="results-download")["href"], timeout=10).text
    assert next(iter(csv.DictReader(io.StringIO(results))))["patientControlNumber"] == "'=2+5"


def another(client, username: str) -> Browser:
    """A second browser, logged in as another demo user (``logged_in`` keeps one browser)."""
    from local.demo_data import DEMO_USER_PASSWORD

    other = Browser(client)
    password = "PlanAdmin-Local-2026!" if username == "planadmin" else DEMO_USER_PASSWORD
    assert other.login(username, password).status == 303
    return other


def test_another_offices_file_is_not_found_and_a_practitioner_sees_its_own_files_only(logged_in, client, pump):
    group = logged_in("demo.group")
    document_id = send(group, generate_837p([AVA], "1912301953", "310000001").encode())
    pump.drain_queues()
    other = another(client, "demo.buckeye")
    assert other.get(f"{FILES}/{document_id}").status == 404
    assert other.get(f"{FILES}/{document_id}/upload").status == 404
    assert text(other.get(FILES).html, "claim-files-total") == "Records: 0"
    jdoe = another(client, "demo.jdoe")
    assert text(jdoe.get(FILES).html, "claim-files-total") == "Records: 0"  # the group's file is the group's list's
    assert jdoe.get(f"{FILES}/{document_id}").status == 404  # sent for the group, not for Jane Doe
    own = send(jdoe, generate_837p([AVA], "1407345679", "310000001").encode())
    assert [row[2] for row in rows(jdoe.get(FILES).html, "claim-files")] == ["100000000001"]
    assert len(rows(group.get(FILES).html, "claim-files")) == 2  # the group lists its Tax ID's files
    assert own in {a["href"].rsplit("/", 1)[-1] for a in group.get(FILES).html.select("#claim-files-caption ~ tbody a")}
    assert group.get(f"{FILES}/{document_id}/upload").location == f"{FILES}/{document_id}"  # uploaded: no new form


def test_a_member_file_is_not_a_claim_file(logged_in):
    browser = logged_in("demo.group")
    started = browser.submit("/member-search/member-files", {})
    member_file = started.location.split("/")[-2]
    assert browser.get(f"{FILES}/{member_file}").status == 404
    assert browser.get(f"{FILES}/{member_file}/upload").status == 404


def test_plan_staff_open_an_offices_file_by_its_link_and_are_offered_no_upload(logged_in, client, pump):
    document_id = send(logged_in("demo.group"), generate_837p([AVA], "1912301953", "310000001").encode())
    pump.drain_queues()
    staff = another(client, "planadmin")
    listing = staff.get(FILES).html
    assert listing.find("button", string="Send an 837 file") is None  # sending needs CLAIMS_SUBMIT
    assert staff.submit(FILES, {}, form_page="/claims-center/claims").status == 403
    soup = file_page(staff, document_id)
    assert soup.find(id="acknowledgment-summary").find("h2").get_text(strip=True) == "Accepted"
    assert len(rows(soup, "results")) == 1
