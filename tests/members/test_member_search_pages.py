"""MEMBER SEARCH pages: Member Eligibility, Coordination of Benefits, Upload Consent Form, Member File Upload."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from chalicelib.documents.store import DocumentModel
from tests.support.pages import ORIGIN

pytestmark = pytest.mark.usefixtures("members")
ELIGIBILITY = "/member-search/eligibility"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def search(browser, **values):
    return browser.submit(ELIGIBILITY, values)


def text(soup, element_id):
    found = soup.find(id=element_id)
    assert found is not None, f"no #{element_id}"
    return found.get_text(" ", strip=True)


def facts(soup):
    dl = soup.select_one("#answer .portal-facts")
    return {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True) for dt in dl.find_all("dt")}


def field_error(soup, name):
    error = soup.find(id=f"{name}-error")
    return error.get_text(" ", strip=True) if error else None


def summary_links(soup):
    return [(a["href"], a.get_text(" ", strip=True)) for a in soup.select("#error-summary a")]


def test_the_search_form_asks_for_the_date_of_service_today_by_default_and_posts(logged_in):
    soup = logged_in("demo.group").get(ELIGIBILITY).html
    assert [h.get_text(strip=True) for h in soup.find_all("h1")] == ["Member Eligibility"]
    form = soup.find("input", id="memberId").find_parent("form")
    assert form["method"] == "post"
    assert form.find("input", {"name": "csrf_token"})
    assert soup.find("label", attrs={"for": "memberId"}).get_text(strip=True) == "Member ID"
    assert "plan member ID or the Medicaid ID" in text(soup, "memberId-hint")
    assert soup.find("input", id="dateOfService")["value"] == "11/23/2031"
    assert "date of service is required" in text(soup, "dateOfService-hint")
    assert "up to 24 months ago" in text(soup, "dateOfService-hint")
    for name in ("lastName", "firstName", "birthDate"):
        assert soup.find("input", id=name) is not None
    assert soup.find(id="provider-selector") is not None
    nav = soup.find("nav", attrs={"aria-label": "Portal sections"})
    assert nav.find("a", string="Member Eligibility")["aria-current"] == "page"


def test_the_home_tile_and_the_navigation_lead_to_member_search(logged_in):
    soup = logged_in("demo.group").get("/home").html
    assert soup.find("a", class_="portal-tile", string="Check Member Eligibility")["href"] == ELIGIBILITY
    nav = soup.find("nav", attrs={"aria-label": "Portal sections"})
    assert nav.find("a", string="Coordination of Benefits")["href"] == "/member-search/coordination-of-benefits"
    assert nav.find("a", string="Member File Upload")["href"] == "/member-search/member-files"


def test_ava_thompson_is_eligible_inside_her_coverage_with_program_and_pcp(logged_in):
    answer = search(logged_in("demo.group"), memberId="10000000001", dateOfService="11/02/2031")
    assert answer.status == 200
    soup = answer.html
    heading = text(soup, "answer-heading")
    assert heading.startswith("Ava Thompson")
    assert heading.endswith("Eligible")
    shown = facts(soup)
    assert shown["Program"] == "Indiana - State Health Plans - Healthy Indiana Plan (HIP)"
    assert shown["PCP"] == "Jane Doe (100000000001)"
    assert shown["Plan type"] == "Medicaid"
    assert shown["Coverage"] == "01/01/2029 to open (no end date)"
    assert shown["Medicaid ID"] == "700000000001"
    assert text(soup, "other-insurance") == "No other insurance on this date."
    consent = soup.find(id="upload-consent-form").find("form")
    assert consent["action"] == "/member-search/members/10000000001/consent-forms"


def test_the_member_id_box_takes_the_medicaid_id_too(logged_in):
    soup = search(logged_in("demo.group"), memberId="700000000002", dateOfService="11/02/2031").html
    assert text(soup, "answer-heading").startswith("Liam Carter")
    assert facts(soup)["Member ID"] == "10000000002"


def test_liam_carter_is_not_eligible_in_his_gap_and_the_nearest_coverage_is_named(logged_in):
    soup = search(logged_in("demo.group"), memberId="10000000002", dateOfService="08/15/2030").html
    assert text(soup, "answer-heading").endswith("Not eligible")
    assert "Not eligible on this date" in soup.find(id="answer").get_text()
    nearest = text(soup, "nearest-coverage")
    assert "Before: Indiana - State Health Plans - Hoosier Healthwise (HHW), 07/01/2028 to 06/30/2030" in nearest
    assert "After: Indiana - State Health Plans - Hoosier Healthwise (HHW), from 09/01/2030" in nearest
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in soup.select("#coverage-spans tbody tr")]
    assert [row[:2] for row in rows] == [["07/01/2028", "06/30/2030"], ["09/01/2030", "Open"]]
    other = [td.get_text(strip=True) for td in soup.select("#other-insurance tbody td")]
    assert other[:4] == ["Anthem Blue Cross", "ANT-55821934", "Commercial", "Primary"]
    assert soup.find(id="upload-consent-form").find("form") is None


def test_a_name_search_is_a_post_answered_in_place_with_no_phi_in_any_url(logged_in):
    browser = logged_in("demo.group")
    answer = search(browser, lastName="thompson", firstName="AVA", birthDate="04/12/1990", dateOfService="11/02/2031")
    assert answer.status == 200
    assert answer.location == ""
    assert text(answer.html, "answer-heading").startswith("Ava Thompson")
    urls = [a["href"] for a in answer.html.find_all("a", href=True)] + \
        [f["action"] for f in answer.html.find_all("form", action=True)]
    for url in urls:
        assert not re.search(r"thompson|1990-04-12|04/12/1990|lastName|birthDate", url, re.I), url
    assert answer.header("Cache-Control") == "no-store"
    # The GET of the page never reads a name from the URL.
    ignored = browser.get(f"{ELIGIBILITY}?lastName=Thompson&firstName=Ava&birthDate=1990-04-12"
                          "&dateOfService=2031-11-02")
    assert ignored.status == 200
    assert ignored.html.find(id="answer") is None


def test_missing_and_half_given_fields_come_back_beside_their_fields_with_values_kept(logged_in):
    answer = search(logged_in("demo.group"), lastName="Thompson", firstName="", birthDate="", dateOfService="")
    assert answer.status == 400
    soup = answer.html
    assert field_error(soup, "dateOfService") == "Date of service is required"
    assert soup.find("input", id="lastName")["value"] == "Thompson"
    assert field_error(soup, "firstName") == "First name is required for a name search"
    assert field_error(soup, "birthDate") == "Birth date is required for a name search"
    assert summary_links(soup)[0] == ("#firstName", "First name is required for a name search")
    assert {href for href, _ in summary_links(soup)} == {"#firstName", "#birthDate", "#dateOfService"}
    assert soup.find(id="answer") is None


def test_neither_or_both_search_methods_are_refused_on_the_member_id_box(logged_in):
    browser = logged_in("demo.group")
    neither = search(browser, dateOfService="11/02/2031").html
    assert field_error(neither, "memberId") == "Enter a Member ID, or a last name, first name and birth date"
    both = search(browser, memberId="10000000001", lastName="Thompson", dateOfService="11/02/2031").html
    assert "not both" in field_error(both, "memberId")
    assert both.find("input", id="memberId")["value"] == "10000000001"
    garbled = search(browser, memberId="10000000001", dateOfService="13/45/2031").html
    assert field_error(garbled, "dateOfService") == "Date of service must be a date as MM/DD/YYYY"
    assert garbled.find("input", id="dateOfService")["value"] == "13/45/2031"


@pytest.mark.parametrize(("day", "words"), [
    ("11/24/2031", "Date of service must not be in the future"),
    ("11/22/2029", "Date of service must be within the last 24 months (on or after 2029-11-23)"),
])
def test_a_date_of_service_outside_the_window_is_refused_with_the_services_words(logged_in, day, words):
    answer = search(logged_in("demo.group"), memberId="10000000001", dateOfService=day)
    assert answer.status == 400
    assert field_error(answer.html, "dateOfService") == words
    assert summary_links(answer.html) == [("#dateOfService", words)]
    assert answer.html.find("input", id="dateOfService")["value"] == day


def test_another_offices_member_answers_not_found_beside_the_member_id(logged_in):
    answer = search(logged_in("demo.group"), memberId="20000000001", dateOfService="11/02/2031")  # Ohio
    assert answer.status == 404
    assert field_error(answer.html, "memberId").startswith("No member matches.")
    assert answer.html.find("input", id="memberId")["value"] == "20000000001"
    assert "Olivia" not in answer.text


def test_a_name_that_matches_no_one_answers_not_found_beside_the_last_name(logged_in):
    answer = search(logged_in("demo.group"), lastName="Thompson", firstName="Ava", birthDate="04/13/1990",
                    dateOfService="11/02/2031")
    assert answer.status == 404
    assert field_error(answer.html, "lastName").startswith("No member matches.")


def test_coordination_of_benefits_lists_every_policy_and_which_is_active_on_the_date(logged_in):
    browser = logged_in("demo.group")
    soup = browser.get("/member-search/coordination-of-benefits?memberId=10000000002&dateOfService=2031-11-02").html
    assert [h.get_text(strip=True) for h in soup.find_all("h1")] == ["Coordination of Benefits"]
    cells = [td.get_text(strip=True) for td in soup.select("#coordination-of-benefits tbody td")]
    assert cells == ["Anthem Blue Cross", "ANT-55821934", "Commercial", "Primary", "07/01/2028", "Open", "Active"]
    empty = browser.get("/member-search/coordination-of-benefits").html
    assert empty.find("input", id="memberId").find_parent("form")["method"] == "get"
    assert empty.find(id="coordination-of-benefits") is None


def consent_ticket(browser, **changes):
    path = "/member-search/members/10000000001/consent-forms"
    data = {"dateOfService": "2031-11-02", "consentType": "STERILIZATION", "claimNumber": "", "contentType":
            "application/pdf", **changes}
    return browser.submit(path, data, form_page=f"{path}?dateOfService=2031-11-02")


def test_the_consent_form_page_words_the_claim_number_note_and_lists_the_forms_on_file(logged_in):
    soup = logged_in("demo.group").get("/member-search/members/10000000001/consent-forms?dateOfService=2031-11-02").html
    note = text(soup, "consent-note")
    assert "applies only to this member's claims of that type received on or after the form's receipt date" in note
    assert "01/06/2020" in note
    labels = [label.get_text(strip=True) for label in soup.select("#consentType ~ * label, fieldset label")]
    assert {"Sterilization", "Hysterectomy", "Abortion"} <= set(labels)
    assert soup.find("label", attrs={"for": "claimNumber"}).get_text(" ", strip=True) == "Claim number (optional)"
    assert text(soup, "forms-on-file") == "No consent forms on file from your office for this member."


def test_the_upload_page_posts_the_file_straight_to_the_presigned_url_and_back_to_the_status_page(logged_in, pump):
    browser = logged_in("demo.group")
    started = consent_ticket(browser)
    assert started.status == 303
    document_id = re.fullmatch(r"/member-search/documents/([0-9a-f-]+)/upload", started.location).group(1)
    page = browser.get(started.location)
    assert page.status == 200
    form = page.html.find("form", attrs={"enctype": "multipart/form-data"})
    assert form["method"] == "post"
    assert urlsplit(form["action"]).netloc.endswith("amazonaws.com")
    inputs = form.find_all("input")
    fields = {i["name"]: i.get("value") for i in inputs if i.get("type") == "hidden"}
    assert fields["success_action_redirect"] == f"{ORIGIN}/member-search/documents/{document_id}"
    assert fields["Content-Type"] == "application/pdf"
    assert fields["key"].startswith("uploads/consent-forms/")
    assert "policy" in fields
    assert inputs[-1]["name"] == "file"
    assert inputs[-1]["type"] == "file"
    assert "application/pdf" in inputs[-1]["accept"]
    assert "csrf_token" not in fields  # the session's token never goes to S3
    assert "form-action 'self' https://" in page.header("Content-Security-Policy")
    assert form["action"].split("/")[2] in page.header("Content-Security-Policy")

    posted = requests.post(form["action"], data=fields, files={"file": ("consent.pdf", PDF)}, allow_redirects=False,
                           timeout=10)
    assert posted.status_code == 303
    assert posted.headers["Location"].startswith(fields["success_action_redirect"])
    waiting = browser.get(f"/member-search/documents/{document_id}").html
    assert waiting.find(id="document-status")["data-status"] == "AWAITING_UPLOAD"
    assert waiting.find(id="document-status").has_attr("data-poll")
    assert waiting.find("a", attrs={"data-refresh-status": True})["href"] == f"/member-search/documents/{document_id}"
    pump.drain_queues()
    done = browser.get(urlsplit(posted.headers["Location"]).path + "?" + urlsplit(posted.headers["Location"]).query)
    assert done.status == 200
    status = done.html.find(id="document-status")
    assert status["data-status"] == "RECEIVED"
    assert not status.has_attr("data-poll")
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in done.html.select("#forms-on-file tbody tr")]
    assert rows[0][0] == "Sterilization"
    assert rows[0][4] == "Received"
    assert browser.get(started.location).location == f"/member-search/documents/{document_id}"  # uploaded: no new form


def test_a_rejected_upload_shows_the_reason_on_its_status_page(logged_in, pump):
    browser = logged_in("demo.group")
    started = consent_ticket(browser, contentType="image/png")
    form = browser.get(started.location).html.find("form", attrs={"enctype": "multipart/form-data"})
    fields = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
    requests.post(form["action"], data=fields, files={"file": ("consent.png", PDF)}, allow_redirects=False,
                  timeout=10)
    pump.drain_queues()
    soup = browser.get(fields["success_action_redirect"].removeprefix(ORIGIN)).html
    assert soup.find(id="document-status")["data-status"] == "REJECTED"
    assert text(soup, "rejection-reason") == "Reason: the file was declared image/png but is application/pdf."


def test_consent_form_errors_come_back_beside_their_fields(logged_in):
    browser = logged_in("demo.group")
    answer = consent_ticket(browser, consentType="", claimNumber="C 12!")
    assert answer.status == 400
    assert field_error(answer.html, "consentType") == "Consent type is required"
    assert field_error(answer.html, "claimNumber") == "Claim number has the wrong format"
    assert answer.html.find("input", id="claimNumber")["value"] == "C 12!"
    gap = browser.submit("/member-search/members/10000000002/consent-forms",
                         {"dateOfService": "2030-08-15", "consentType": "STERILIZATION",
                          "contentType": "application/pdf"},
                         form_page="/member-search/members/10000000002/consent-forms?dateOfService=2030-08-15")
    assert gap.status == 409
    assert field_error(gap.html, "dateOfService") == "Date of service the member is not eligible on this date"
    assert DocumentModel.count() == 0


def test_a_consent_form_without_the_csrf_token_is_refused_and_makes_no_record(logged_in):
    browser = logged_in("demo.group")
    answer = browser.post("/member-search/members/10000000001/consent-forms",
                          {"dateOfService": "2031-11-02", "consentType": "STERILIZATION",
                           "contentType": "application/pdf"})
    assert answer.status == 403
    foreign = browser.submit("/member-search/members/10000000001/consent-forms",
                             {"dateOfService": "2031-11-02", "consentType": "STERILIZATION",
                              "contentType": "application/pdf"},
                             form_page="/member-search/members/10000000001/consent-forms", origin="https://evil.test")
    assert foreign.status == 403
    assert DocumentModel.count() == 0


def test_another_offices_member_has_no_consent_form_page(logged_in):
    assert logged_in("demo.group").get("/member-search/members/20000000001/consent-forms").status == 404


def test_member_file_upload_from_the_template_to_the_results(logged_in, pump):
    browser = logged_in("demo.group")
    listing = browser.get("/member-search/member-files").html
    assert text(listing, "files-total") == "Records: 0"
    template_link = listing.find("a", string=re.compile("Download the template"))["href"]
    template = browser.get(template_link)
    assert template.header("Content-Type").startswith("text/csv")
    assert template.text == "dateOfService,memberId,medicaidId,lastName,firstName,birthDate\r\n"

    started = browser.submit("/member-search/member-files", {})
    assert started.status == 303
    form = browser.get(started.location).html.find("form", attrs={"enctype": "multipart/form-data"})
    fields = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
    assert fields["Content-Type"] == "text/csv"
    document_id = started.location.split("/")[-2]
    assert fields["success_action_redirect"] == f"{ORIGIN}/member-search/member-files/{document_id}"
    csv = (template.text + "2031-11-02,10000000001,,,,\r\n2030-08-15,10000000002,,,,\r\n"
           "2031-11-02,,,Thompson,Ava,1990-04-12\r\n2031-11-02,99999999999,,,,\r\n")
    posted = requests.post(form["action"], data=fields, files={"file": ("members.csv", csv.encode())},
                           allow_redirects=False, timeout=10)
    assert posted.status_code == 303
    pump.drain_queues()
    soup = browser.get(f"/member-search/member-files/{document_id}").html
    assert soup.find(id="document-status")["data-status"] == "COMPLETED"
    counts = dict(zip([dt.get_text(strip=True) for dt in soup.select("#file-counts dt")],
                      [dd.get_text(strip=True) for dd in soup.select("#file-counts dd")], strict=True))
    assert counts == {"Rows": "4", "Eligible": "2", "Not eligible": "1", "Not found": "1", "Rejected rows": "0"}
    result = requests.get(soup.find(id="results-download")["href"], timeout=10)
    assert result.status_code == 200
    assert result.text.splitlines()[0].startswith("row,memberId,medicaidId")
    assert len(result.text.strip().splitlines()) == 5
    listed = browser.get("/member-search/member-files").html
    assert text(listed, "files-total") == "Records: 1"
    assert listed.select_one("#member-files tbody a")["href"] == f"/member-search/member-files/{document_id}"


def test_member_file_uploads_are_listed_newest_first_with_paging(logged_in, clock):
    browser = logged_in("demo.group")
    for _ in range(22):
        assert browser.submit("/member-search/member-files", {}).status == 303
        clock.advance(minutes=1)
    first = browser.get("/member-search/member-files").html
    assert text(first, "files-total") == "Records: 22"
    rows = first.select("#member-files tbody tr")
    assert len(rows) == 20
    stamps = [row.find("td").get_text(strip=True) for row in rows]
    assert stamps == sorted(stamps, reverse=True)
    older = first.find("a", string="Older uploads")["href"]
    assert parse_qs(urlsplit(older).query)["nextToken"]
    second = browser.get(older).html
    assert len(second.select("#member-files tbody tr")) == 2
    assert second.find("a", string="Newest uploads")["href"] == "/member-search/member-files"
