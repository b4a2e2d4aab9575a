"""PRIOR AUTHORIZATION pages: the requirements lookup, the search, a request's page and its decision letter."""

from __future__ import annotations

import pytest

from tests.priorauth.test_prior_auth import cpap, submit

pytestmark = pytest.mark.usefixtures("prior_auth_rules")


def text(soup, element_id):
    return soup.find(id=element_id).get_text(" ", strip=True)


def test_requirements_lookup_shows_needed_not_needed_and_not_listed(logged_in):
    browser = logged_in("demo.jdoe")
    soup = browser.get("/prior-authorization/requirements?state=Indiana&program=Medicaid&codes=E0601, 99213,99999").html
    rows = {tr.find("th").get_text(strip=True): tr.get_text(" ", strip=True)
            for tr in soup.select("#requirements tbody tr")}
    assert list(rows) == ["E0601", "99213", "99999"]
    assert "Needed" in rows["E0601"]
    assert "sleep study" in rows["E0601"].lower()
    assert "Not needed" in rows["99213"]
    assert "Not on our list" in rows["99999"]


def test_requirements_lookup_refuses_bad_codes_beside_the_field(logged_in):
    page = "/prior-authorization/requirements?state=Indiana&program=Medicaid&codes=E06;01"
    soup = logged_in("demo.jdoe").get(page).html
    assert "Codes" in text(soup, "codes-error")
    assert soup.find("input", attrs={"name": "codes"})["value"] == "E06;01"
    assert soup.find(id="requirements") is None


def test_search_lists_the_offices_requests_and_links_each_page(api, token_for, logged_in):
    token = token_for("demo.jdoe")
    approved = submit(api, token, cpap()).data["priorAuth"]
    pended = submit(api, token, cpap(serviceLines=[{"code": "64635", "units": 1}],
                                     diagnosisCodes=["M47.816"], clinicalCriteria=[])).data["priorAuth"]
    browser = logged_in("demo.jdoe")
    soup = browser.get("/prior-authorization/requests").html
    links = [a["href"] for a in soup.select("table tbody tr a")]
    assert {f"/prior-authorization/requests/{made['referenceNumber']}" for made in (approved, pended)} <= set(links)
    assert soup.select_one(".portal-table__total") is None  # no count: DECISIONS, lists and counts

    only_pended = browser.get("/prior-authorization/requests?search=1&status=PENDED").html
    statuses = {tr.select("td")[4].get_text(" ", strip=True) for tr in only_pended.select("table tbody tr")}
    assert statuses == {"Pended for clinical review"}

    waiting = browser.get(f"/prior-authorization/requests/{pended['referenceNumber']}").html
    assert "Pended for clinical review" in text(waiting, "decision")
    assert "64635" in text(waiting, "pend-reasons")
    assert "64635" in text(waiting, "service-lines")

    refused = browser.get("/prior-authorization/requests?search=1&memberId=abc-1&receivedFrom=13/45/2031").html
    assert "Member ID" in text(refused, "memberId-error")
    assert text(refused, "receivedFrom-error").endswith("Received from must be a date (mm/dd/yyyy)")
    assert refused.find("input", attrs={"name": "memberId"})["value"] == "abc-1"
    assert refused.find(id="prior-auths-caption") is None


def test_a_requests_page_and_its_letter_say_the_decision(api, token_for, logged_in):
    approved = submit(api, token_for("demo.jdoe"), cpap()).data["priorAuth"]
    number = approved["authorizationNumber"]
    browser = logged_in("demo.jdoe")
    soup = browser.get(f"/prior-authorization/requests/{number}").html
    assert number in soup.find("h1").get_text()
    assert "Approved by AutoAuth" in text(soup, "decision")
    assert "E0601" in text(soup, "service-lines")
    assert "AutoAuth" in text(soup, "history")
    letter = browser.get(f"/prior-authorization/requests/{number}/letter").html
    assert "Decision: Approved" in text(letter, "letter-decision")
    assert number in text(letter, "letter-decision")
    assert letter.find("button", attrs={"data-print": True}) is not None


def test_another_offices_request_is_the_404_page(api, token_for, logged_in):
    number = submit(api, token_for("demo.jdoe"), cpap()).data["priorAuth"]["authorizationNumber"]
    answer = logged_in("demo.buckeye").get(f"/prior-authorization/requests/{number}")
    assert answer.status == 404
    assert number not in answer.html.find("main").get_text()  # the page says nothing of it (only its own URL has it)


def new_request(**changes):
    form = {"requestType": "OUTPATIENT", "urgency": "STANDARD", "memberId": "10000000001",
            "servicingProviderId": "100000000001", "startDate": "11/25/2031", "endDate": "02/22/2032",
            "serviceLines.0.code": "E0601", "serviceLines.0.units": "3", "diagnosisCodes": "G47.33",
            "lineCount": "3"}
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def test_a_cpap_request_asks_its_questions_then_autoauth_approves_it_once(logged_in):
    from chalicelib.priorauth.store import PriorAuthRequestModel

    browser = logged_in("demo.jdoe")
    asked = browser.submit("/prior-authorization/new", {**new_request(), "step": "questions"})
    assert asked.status == 200, asked.text
    questions = asked.html.find(id="clinical-questions")
    names = {radio["name"] for radio in questions.select("input[type=radio]")}
    assert {"criterion.CPAP_SLEEP_STUDY", "criterion.CPAP_AHI_15"} <= names
    assert "Needed" in questions.get_text()
    key = asked.html.find("input", attrs={"name": "formKey"})["value"]

    answers = {"criterion.CPAP_SLEEP_STUDY": "met", "criterion.CPAP_AHI_15": "met", "formKey": key, "step": "submit"}
    sent = browser.submit("/prior-authorization/new", {**new_request(), **answers})
    assert sent.status == 303, sent.text
    again = browser.submit("/prior-authorization/new", {**new_request(), **answers})  # a double click
    assert again.location == sent.location
    number = sent.location.rsplit("/", 1)[1]
    shown = browser.get(sent.location).html
    assert "Approved by AutoAuth" in shown.find(id="decision").get_text()
    made = [row for row in PriorAuthRequestModel.by_member.query("10000000001")
            if row.submitted_by == "demo.jdoe" and row.request_id == number]
    assert len(made) == 1


def test_a_refused_request_names_each_field_on_its_line_and_keeps_the_values(logged_in):
    browser = logged_in("demo.jdoe")
    refused = browser.submit("/prior-authorization/new", {
        **new_request(**{"serviceLines.0.code": "", "serviceLines.0.units": "", "serviceLines.1.code": "E06;01",
                         "serviceLines.1.units": "2", "startDate": "13/40/2031"}), "step": "questions"})
    assert refused.status == 400
    soup = refused.html
    assert "Line 2 code" in soup.find(id="serviceLines.1.code-error").get_text()
    assert "Start date must be a date" in soup.find(id="startDate-error").get_text()
    assert soup.find("input", attrs={"name": "serviceLines.1.code"})["value"] == "E06;01"
    assert soup.find(id="clinical-questions") is None
    summary_links = {a["href"] for a in soup.select("#error-summary a")}
    assert {"#serviceLines.1.code", "#startDate"} <= summary_links


def test_more_service_lines_redraws_the_form_with_the_values_kept(logged_in):
    browser = logged_in("demo.jdoe")
    more = browser.submit("/prior-authorization/new", {**new_request(), "step": "lines"})
    assert more.status == 200
    soup = more.html
    assert len(soup.select("input[name$='.code']")) == 6
    assert soup.find("input", attrs={"name": "serviceLines.0.code"})["value"] == "E0601"
    assert soup.find("input", attrs={"name": "lineCount"})["value"] == "6"


def test_a_member_not_eligible_on_the_start_date_is_said_beside_it(logged_in):
    refused = logged_in("demo.jdoe").submit("/prior-authorization/new", {
        **new_request(startDate="01/01/2020", endDate="01/31/2020"), "step": "questions"})
    assert refused.status == 409  # not eligible on that date: the service says so beside the start date
    assert refused.html.find(id="startDate-error") is not None


def facet(api, token):
    return submit(api, token, cpap(serviceLines=[{"code": "64635", "units": 1}], diagnosisCodes=["M47.816"],
                                   clinicalCriteria=[])).data["priorAuth"]["referenceNumber"]


def test_the_reviewer_finds_it_in_the_queue_denies_it_and_the_office_appeals(api, token_for, logged_in, client):
    from tests.support.pages import Browser

    number = facet(api, token_for("demo.jdoe"))
    reviewer = logged_in("planadmin")
    queue = reviewer.get("/prior-authorization/review").html
    assert f"/prior-authorization/requests/{number}" in [a["href"] for a in queue.select("table tbody a")]
    page = reviewer.get(f"/prior-authorization/requests/{number}").html
    form = page.find(id="decision-form")
    assert form is not None
    refused = reviewer.submit(f"/prior-authorization/requests/{number}/decision", {"action": "DENY", "reason": "short"},
                              form_page=f"/prior-authorization/requests/{number}")
    assert refused.status == 400
    assert "Denial reason is required to deny" in text(refused.html, "denialReasonCode-error")
    assert refused.html.find(id="reason").get_text() == "short"
    here = f"/prior-authorization/requests/{number}"
    denied = reviewer.submit(f"{here}/decision", {
        "action": "DENY", "denialReasonCode": "NOT_MEDICALLY_NECESSARY",
        "reason": "Conservative care for 6 months is not documented."}, form_page=here)
    assert denied.location == f"/prior-authorization/requests/{number}"
    again = reviewer.submit(f"/prior-authorization/requests/{number}/decision", {"action": "APPROVE"},
                            form_page=f"/prior-authorization/requests/{number}")
    assert again.status == 409  # decided: the form is gone, and a stale one is refused
    assert reviewer.get(here).html.find(id="decision-form") is None

    office = Browser(client)
    from local.demo_data import DEMO_USER_PASSWORD

    assert office.login("demo.jdoe", DEMO_USER_PASSWORD).status == 303
    seen = office.get(f"/prior-authorization/requests/{number}").html
    assert "Conservative care for 6 months is not documented." in text(seen, "denial-reason")
    assert seen.find(id="decision-form") is None
    appealed = office.submit(f"/prior-authorization/requests/{number}/appeal", {
        "appealReason": "The physical therapy notes from March to August are attached."},
        form_page=f"/prior-authorization/requests/{number}")
    assert appealed.location == f"/prior-authorization/requests/{number}"
    after = office.get(f"/prior-authorization/requests/{number}").html
    assert "Appeal received" in text(after, "decision")
    assert after.find(id="appeal-form") is None


def test_an_office_cannot_post_a_decision(api, token_for, logged_in):
    number = facet(api, token_for("demo.jdoe"))
    office = logged_in("demo.jdoe")
    refused = office.submit(f"/prior-authorization/requests/{number}/decision", {"action": "APPROVE"},
                            form_page=f"/prior-authorization/requests/{number}")
    assert refused.status == 403
    assert office.get("/prior-authorization/review").status == 403


def test_the_office_answers_a_request_for_information(api, token_for, logged_in, client):
    from local.demo_data import DEMO_USER_PASSWORD
    from tests.support.pages import Browser

    number = facet(api, token_for("demo.jdoe"))
    api.post(f"/review/prior-auths/{number}/decision", {"action": "REQUEST_INFO", "reason": "Send the imaging report."},
             token=token_for("planadmin"))
    office = Browser(client)
    assert office.login("demo.jdoe", DEMO_USER_PASSWORD).status == 303
    page = office.get(f"/prior-authorization/requests/{number}").html
    assert "Send the imaging report." in text(page, "decision")
    empty = office.submit(f"/prior-authorization/requests/{number}/information", {},
                          form_page=f"/prior-authorization/requests/{number}")
    assert empty.status == 400
    assert empty.html.find(id="information-error") is not None
    sent = office.submit(f"/prior-authorization/requests/{number}/information",
                         {"information": "MRI of 10/01 shows facet arthropathy L4-L5."},
                         form_page=f"/prior-authorization/requests/{number}")
    assert sent.status == 303
    assert "Pended for clinical review" in text(office.get(sent.location).html, "decision")


def test_the_status_email_links_the_requests_page():
    from chalicelib.handlers.priorauth import paths
    from chalicelib.priorauth.service import STATUS_EMAIL_PAGE

    assert STATUS_EMAIL_PAGE == paths.REQUEST


def test_the_metrics_page_charts_and_tabulates_the_first_decisions(api, token_for, logged_in):
    number = facet(api, token_for("demo.jdoe"))
    api.post(f"/review/prior-auths/{number}/decision", {"action": "APPROVE"}, token=token_for("planadmin"))
    submit(api, token_for("demo.jdoe"), cpap())  # AutoAuth: decided at once
    staff = logged_in("planadmin")
    soup = staff.get("/prior-authorization/metrics?from=2031-01&to=2031-12&groupBy=month").html
    rows = [[cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])] for tr in
            soup.select("#metrics tbody tr")]
    november = [row for row in rows if row[0] == "2031-11" and row[1] == "Standard"]
    assert len(november) == 1
    assert november[0][2] == "2"  # decided: the reviewer's approval and AutoAuth's
    assert november[0][6] == "1"  # AutoAuth approvals
    charts = soup.select("figure svg[role=img]")
    assert len(charts) == 2
    bars = charts[0].select("rect title")
    assert any(bar.get_text() == "2031-11 standard: 2 decisions" for bar in bars)
    csv_link = soup.find("a", string="Download these figures (CSV)")["href"]
    download = staff.get(csv_link)
    assert download.header("Content-Type").startswith("text/csv")
    assert "2031-11" in download.text


def test_the_metrics_page_refuses_a_bad_month_beside_the_field_and_is_for_plan_staff(logged_in, client):
    staff = logged_in("planadmin")
    refused = staff.get("/prior-authorization/metrics?from=2031-13&to=2031-12")
    assert refused.status == 400
    assert "From month" in text(refused.html, "from-error")
    from local.demo_data import DEMO_USER_PASSWORD
    from tests.support.pages import Browser

    office = Browser(client)
    assert office.login("demo.jdoe", DEMO_USER_PASSWORD).status == 303
    assert office.get("/prior-authorization/metrics").status == 403


def test_a_newborn_notification_from_the_form_is_approved_with_its_facts_as_criteria(logged_in):
    browser = logged_in("demo.jdoe")
    facts = {"requestType": "NEWBORN_NOTIFICATION", "urgency": "EXPEDITED", "startDate": "11/21/2031",
             "endDate": "11/22/2031", "serviceLines.0.code": "0171", "serviceLines.0.units": "2",
             "diagnosisCodes": "Z38.00", "newborn.birthDate": "11/21/2031", "newborn.gender": "F",
             "newborn.birthWeightGrams": "3400", "newborn.gestationalAgeWeeks": "39",
             "newborn.deliveryMethod": "VAGINAL", "newborn.nicuAdmission": "no"}
    missing = browser.submit("/prior-authorization/new", {**new_request(**facts), "newborn.gender": "",
                                                          "newborn.birthWeightGrams": "heavy", "step": "questions"})
    assert missing.status == 400
    assert "Birth weight" in text(missing.html, "newborn.birthWeightGrams-error")
    assert missing.html.find("input", attrs={"name": "newborn.birthWeightGrams"})["value"] == "heavy"
    sent = browser.submit("/prior-authorization/new", {**new_request(**facts), "step": "submit"})
    assert sent.status == 303, sent.text
    shown = browser.get(sent.location).html
    assert "Approved" in text(shown, "decision")
    assert text(shown, "criteria").startswith("Met NB_NO_NICU, NB_TERM, NB_WEIGHT_2500")


def test_the_office_adds_a_clinical_document_straight_to_s3_and_sees_it_received(api, token_for, logged_in, pump):
    import requests

    from tests.priorauth.test_prior_auth import PDF

    number = facet(api, token_for("demo.jdoe"))
    browser = logged_in("demo.jdoe")
    here = f"/prior-authorization/requests/{number}"
    refused = browser.submit(f"{here}/documents", {"contentType": "text/html"}, form_page=here)
    assert refused.status == 400
    assert "File type" in text(refused.html, "contentType-error")
    started = browser.submit(f"{here}/documents", {"contentType": "application/pdf"}, form_page=here)
    assert started.status == 303
    assert started.location.startswith(f"{here}/documents/")
    upload = browser.get(started.location).html
    form = upload.find("form", attrs={"enctype": "multipart/form-data"})
    fields = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    assert fields["success_action_redirect"].endswith(here)
    assert upload.find("label", attrs={"for": "file"}).get_text(strip=True) == "Clinical document file"
    sent = requests.post(form["action"], data=fields, files={"file": ("notes.pdf", PDF)}, timeout=10,
                         allow_redirects=False)
    assert sent.status_code in (200, 204, 303)
    pump.drain_queues()
    page = browser.get(here).html
    assert "clinical-document.pdf: received" in text(page, "documents")
    assert browser.get(started.location).location == here  # its upload is done: back to the request
