"""Prior authorization through the API: requirements, AutoAuth, search, review, appeal, metrics."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.logs import take_json_lines
from tests.support.moto import sent_emails

pytestmark = pytest.mark.usefixtures("prior_auth_rules")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer\n%%EOF\n"


def cpap(**changes):
    body = {
        "requestType": "OUTPATIENT", "urgency": "STANDARD", "memberId": "10000000001",
        "requestingProviderId": "100000000001", "servicingProviderId": "100000000001",
        "startDate": "2031-11-25", "endDate": "2032-02-22",
        "serviceLines": [{"code": "E0601", "units": 3}], "diagnosisCodes": ["G47.33"],
        "medicalHistory": "Snoring, daytime sleepiness; BMI 34.",
        "clinicalCriteria": [{"criterionId": "CPAP_SLEEP_STUDY", "met": True},
                             {"criterionId": "CPAP_AHI_15", "met": True}],
    }
    body.update(changes)
    return body


def submit(api, token, body, key=None):
    headers = {"Idempotency-Key": key} if key else None
    return api.post("/prior-auths", body, token=token, headers=headers)


def test_tab_cr_and_lf_stay_allowed_in_free_text(api, token_for):
    response = api.post("/prior-auths", cpap(medicalHistory="Snoring;\r\n\tdaytime sleepiness"),
                        token=token_for("demo.jdoe"))
    assert response.status_code == 201, response.body


def test_a_control_character_deep_in_a_body_is_named_by_its_path(api, token_for):
    body = cpap(serviceLines=[{"code": "E0601", "units": 3, "description": "CPAP\u202e device"}])
    response = api.post("/prior-auths", body, token=token_for("demo.jdoe"))
    assert response.status_code == 400, response.body
    assert response.data["fields"] == {"serviceLines.0.description": "must not contain control characters or "
                                                                     "text-direction overrides"}


def test_requirements_lookup_answers_per_state_and_program(api, token_for):
    token = token_for("demo.jdoe")
    response = api.get("/prior-auths/requirements?state=Indiana&program=Medicaid&codes=99213,E0601,J9999",
                       token=token)
    assert response.status_code == 200
    office, cpap_rule, unlisted = response.data["items"]
    assert (office["code"], office["listed"], office["requiresAuthorization"]) == ("99213", True, False)
    assert cpap_rule["requiresAuthorization"] is True
    assert "Sleep study report with AHI" in cpap_rule["documentation"]
    assert {c["criterionId"] for c in cpap_rule["criteria"]} == {"CPAP_SLEEP_STUDY", "CPAP_AHI_15",
                                                                   "CPAP_AHI_5_SYMPTOMS"}
    assert cpap_rule["autoApproval"][0].startswith("Sleep study with AHI >= 15")
    assert (unlisted["listed"], unlisted["requiresAuthorization"]) == (False, False)
    bad = api.get("/prior-auths/requirements?state=Indiana&program=Dental&codes=99213", token=token)
    assert bad.status_code == 400
    assert "program" in bad.data["fields"]


def test_criteria_met_is_approved_in_the_same_response_with_history_and_email(api, token_for, pump):
    response = submit(api, token_for("demo.jdoe"), cpap())
    assert response.status_code == 201, response.data
    auth = response.data["priorAuth"]
    assert auth["status"] == "APPROVED"
    assert auth["authorizationNumber"].startswith("PA311123")
    assert auth["autoApproved"] is True
    assert auth["serviceLines"][0]["approvedUnits"] == 3
    assert auth["serviceLines"][0]["autoRuleId"] == "CPAP-1"
    assert (auth["approvedStartDate"], auth["approvedEndDate"]) == ("2031-11-25", "2032-02-22")
    assert [(entry["status"], entry["actor"]) for entry in auth["history"]] == [
        ("RECEIVED", "demo.jdoe"), ("APPROVED", "AutoAuth")]
    assert auth["program"].startswith("Indiana - State Health Plans")
    pump.drain_queues()
    subject = f"Prior authorization {auth['authorizationNumber']}: Approved"
    notices = [e for e in sent_emails() if e["subject"] == subject]
    assert len(notices) == 1
    assert notices[0]["to"] == ["demo.jdoe@example.org"]
    assert "Thompson" not in notices[0]["body"]
    assert "G47.33" not in notices[0]["body"]
    assert auth["authorizationNumber"] in notices[0]["body"]
    assert "/prior-auths/" not in notices[0]["body"]  # a page (tests/emails/test_email_links.py), never the API


def test_criteria_short_of_a_rule_pend_with_reasons_never_deny(api, token_for):
    token = token_for("demo.jdoe")
    body = cpap(clinicalCriteria=[{"criterionId": "CPAP_SLEEP_STUDY", "met": True},
                                  {"criterionId": "CPAP_AHI_15", "met": False}])
    auth = submit(api, token, body).data["priorAuth"]
    assert auth["status"] == "PENDED"
    assert auth["approvedStartDate"] is None
    assert auth["serviceLines"][0]["approvedUnits"] is None
    assert any("CPAP_AHI_15" in reason for reason in auth["pendReasons"])
    too_many = submit(api, token, cpap(serviceLines=[{"code": "E0601", "units": 6}])).data["priorAuth"]
    assert too_many["status"] == "PENDED"
    assert "6 units requested; AutoAuth approves up to 3" in too_many["pendReasons"][0]
    assert too_many["pendDetails"][0]["reasonCode"] == "UNITS_OVER_LIMIT"
    wrong_diagnosis = submit(api, token, cpap(diagnosisCodes=["R06.83"])).data["priorAuth"]
    assert wrong_diagnosis["status"] == "PENDED"


@pytest.mark.parametrize(("code", "listed"), [("99213", True), ("00000", False), ("99999", False), ("3", False)])
def test_a_code_no_rule_requires_answers_no_authorization_required_without_a_number(api, token_for, code, listed):
    body = cpap(serviceLines=[{"code": code, "units": 1}], clinicalCriteria=[], endDate="2031-11-25")
    response = submit(api, token_for("demo.jdoe"), body)
    assert response.status_code == 201, response.data
    auth = response.data["priorAuth"]
    assert (auth["status"], auth["statusLabel"]) == ("NO_AUTH_REQUIRED", "No authorization required by our rules")
    assert auth["authorizationNumber"] is None
    assert auth["referenceNumber"].startswith("NR311123")
    assert auth["approvedStartDate"] is None
    line = auth["serviceLines"][0]
    assert (line["requiresAuthorization"], line["listed"], line["approvedUnits"]) == (False, listed, None)
    assert [entry["status"] for entry in auth["history"]] == ["RECEIVED", "NO_AUTH_REQUIRED"]


@pytest.mark.parametrize("code", ["ABC", "9921", "A123"])
def test_a_malformed_code_is_a_400_naming_its_line(api, token_for, code):
    body = cpap(serviceLines=[{"code": "E0601", "units": 3}, {"code": code, "units": 1}])
    response = submit(api, token_for("demo.jdoe"), body)
    assert response.status_code == 400, response.data
    assert "serviceLines.1.code" in response.data["fields"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"diagnosisCodes": ["G47"]}, "diagnosisCodes.0", "G47 is a category, not billable"),
    ({"diagnosisCodes": ["G47.33", "250.00"]}, "diagnosisCodes.1", "250.00 looks like an ICD-9 code"),
    ({"diagnosisCodes": ["Q99.99"]}, "diagnosisCodes.0", "Q99.99 is not an ICD-10-CM code"),
    ({"serviceLines": [{"code": "0120", "units": 1}]}, "serviceLines.0.code", "revenue codes are for inpatient"),
    ({"endDate": "2031-11-20"}, "endDate", "must be on or after startDate"),
    ({"startDate": "2031-09-01", "endDate": "2031-09-02"}, "startDate", "must be at most 30 days ago"),
    ({"servicingProviderId": "123456789012"}, "servicingProviderId", "is not a provider in the plan's directory"),
    ({"urgency": "URGENT"}, "urgency", "must be one of"),
    ({"serviceLines": []}, "serviceLines", "at least 1"),
    ({"newborn": {"birthDate": "2031-11-20", "gender": "F", "birthWeightGrams": 3000, "gestationalAgeWeeks": 39,
                  "deliveryMethod": "VAGINAL", "nicuAdmission": False}}, "newborn", "only for newborn"),
])
def test_bad_input_names_the_field_and_writes_nothing(api, token_for, changes, field, message):
    token = token_for("demo.jdoe")
    response = submit(api, token, cpap(**changes))
    assert response.status_code == 400, response.data
    assert message in response.data["fields"][field]
    assert api.get("/prior-auths", token=token).data == {"items": [], "nextToken": None}


def test_member_not_eligible_on_the_start_date_is_a_409_naming_it(api, token_for, prior_auth_rules):
    token = token_for("demo.group")
    prior_auth_rules.now = datetime(2030, 7, 15, 17, 0, tzinfo=UTC)  # Liam's coverage gap: 2030-07-01..08-31
    body = cpap(memberId="10000000002", startDate="2030-07-20", endDate="2030-07-20",
                serviceLines=[{"code": "99213", "units": 1}])
    response = submit(api, token, body)
    assert response.status_code == 409
    assert response.data["code"] == "MEMBER_NOT_ELIGIBLE"
    assert "startDate" in response.data["fields"]
    covered = submit(api, token, {**body, "startDate": "2030-09-02", "endDate": "2030-09-02"})
    assert covered.status_code == 201
    listed = api.get("/prior-auths", token=token).data["items"]
    assert [item["authorizationNumber"] for item in listed] == [covered.data["priorAuth"]["authorizationNumber"]]
    prior_auth_rules.now = datetime(2031, 11, 23, 17, 0, tzinfo=UTC)
    unknown = submit(api, token, cpap(memberId="10000000099"))
    assert (unknown.status_code, unknown.data["code"]) == (404, "MEMBER_NOT_FOUND")


def test_same_idempotency_key_makes_one_request_and_a_different_body_is_refused(api, token_for):
    token = token_for("demo.jdoe")
    first = submit(api, token, cpap(), key="office-42-cpap")
    again = submit(api, token, cpap(), key="office-42-cpap")
    assert first.status_code == again.status_code == 201
    assert first.data["priorAuth"]["authorizationNumber"] == again.data["priorAuth"]["authorizationNumber"]
    listed = api.get("/prior-auths", token=token).data["items"]
    assert [item["authorizationNumber"] for item in listed] == [first.data["priorAuth"]["authorizationNumber"]]
    other = submit(api, token, cpap(urgency="EXPEDITED"), key="office-42-cpap")
    assert other.status_code == 409
    assert other.data["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert "Idempotency-Key" in other.data["fields"]
    assert submit(api, token, cpap(), key="bad key!").status_code == 400


def test_other_providers_requests_answer_404_everywhere(api, token_for):
    auth = submit(api, token_for("demo.jdoe"), cpap()).data["priorAuth"]
    number = auth["authorizationNumber"]
    ohio = token_for("demo.buckeye")
    assert api.get(f"/prior-auths/{number}", token=ohio).status_code == 404
    assert api.get(f"/fhir/ClaimResponse/{number}", token=ohio).status_code == 404
    assert api.post(f"/prior-auths/{number}/appeal", {"reason": "Please reconsider this."},
                    token=ohio).status_code == 404
    assert api.get(f"/prior-auths?authorizationNumber={number}", token=ohio).status_code == 404
    assert api.get(f"/prior-auths/{number}", token=token_for("demo.group")).status_code == 200


@pytest.mark.parametrize("path", ["/prior-auths/{}", "/fhir/ClaimResponse/{}"])
def test_another_offices_request_answers_the_bytes_of_a_missing_one_and_only_a_security_event_differs(
        api, token_for, emitted_json_logs, path):
    number = submit(api, token_for("demo.jdoe"), cpap()).data["priorAuth"]["authorizationNumber"]
    ohio, probe = token_for("demo.buckeye"), {"X-Correlation-Id": "probe-2"}
    take_json_lines(emitted_json_logs)
    theirs = api.get(path.format(number), token=ohio, headers=probe)
    theirs_logged = take_json_lines(emitted_json_logs)
    missing = api.get(path.format("PA311123ZZZZZZ"), token=ohio, headers=probe)
    missing_logged = take_json_lines(emitted_json_logs)
    assert theirs.status_code == 404
    assert (theirs.status_code, dict(theirs.headers), theirs.body) == (
        missing.status_code, dict(missing.headers), missing.body)
    [event] = [line for line in theirs_logged if line.get("event") == "CROSS_OFFICE_READ"]
    assert (event["username"], event["object_kind"], event["route"]) == (
        "demo.buckeye", "prior_auth", path.format("{authorizationNumber}"))
    assert not [line for line in missing_logged if line.get("event")]
    assert number not in str(theirs_logged)
    assert "10000000001" not in str(theirs_logged)


def test_search_by_status_member_dates_and_pages(api, token_for, prior_auth_rules):
    # Sessions idle out on the same clock the requests are dated by: each day opens a new one.
    approved = submit(api, token_for("demo.group"), cpap()).data["priorAuth"]["authorizationNumber"]
    prior_auth_rules.advance(days=1)
    pended = submit(api, token_for("demo.group"), cpap(serviceLines=[{"code": "E0601", "units": 6}])).data["priorAuth"]
    prior_auth_rules.advance(days=1)
    token = token_for("demo.group")
    submit(api, token, cpap(serviceLines=[{"code": "64635", "units": 1}], diagnosisCodes=["M47.816"]))
    everything = api.get("/prior-auths?limit=2", token=token).data
    assert "count" not in everything  # a search page has no total; nextToken says more exist
    assert len(everything["items"]) == 2
    assert everything["items"][0]["codes"] == ["64635"]  # newest first
    assert everything["nextToken"]
    rest = api.get(f"/prior-auths?limit=2&nextToken={everything['nextToken']}", token=token).data
    assert [item["authorizationNumber"] for item in rest["items"]] == [approved]
    assert rest["nextToken"] is None
    by_status = api.get("/prior-auths?status=PENDED", token=token).data
    assert len(by_status["items"]) == 2
    assert pended["authorizationNumber"] in [i["authorizationNumber"]
                                                                       for i in by_status["items"]]
    on_day = api.get("/prior-auths?receivedFrom=2031-11-24&receivedTo=2031-11-24", token=token).data
    assert [item["authorizationNumber"] for item in on_day["items"]] == [pended["authorizationNumber"]]
    by_member = api.get("/prior-auths?memberId=10000000001&status=APPROVED", token=token).data
    assert [item["authorizationNumber"] for item in by_member["items"]] == [approved]
    assert api.get("/prior-auths?providerId=100000000002", token=token).data == {"items": [], "nextToken": None}
    assert api.get("/prior-auths?providerId=200000000001", token=token).status_code == 404
    assert api.get("/prior-auths?receivedFrom=2031-11-24&receivedTo=2031-11-23", token=token).status_code == 400


def test_review_queue_orders_by_deadline_and_marks_overdue(api, token_for, prior_auth_rules):
    office = token_for("demo.jdoe")
    pend = {"clinicalCriteria": []}
    standard = submit(api, office, cpap(**pend)).data["priorAuth"]
    prior_auth_rules.advance(hours=1)
    office = token_for("demo.jdoe")  # an hour later: the first session idled out on the same clock
    expedited = submit(api, office, cpap(urgency="EXPEDITED", **pend)).data["priorAuth"]
    assert api.get("/review/prior-auths", token=office).status_code == 403
    reviewer = token_for("planadmin")
    queue = api.get("/review/prior-auths", token=reviewer).data
    assert [item["authorizationNumber"] for item in queue["items"]] == [
        expedited["authorizationNumber"], standard["authorizationNumber"]]
    received = datetime.fromisoformat(expedited["receivedAt"])
    assert datetime.fromisoformat(expedited["dueAt"]) == received + timedelta(hours=72)
    standard_received = datetime.fromisoformat(standard["receivedAt"])
    assert datetime.fromisoformat(standard["dueAt"]) == standard_received + timedelta(days=7)
    assert queue["overdueCount"] == 0
    assert not queue["items"][0]["overdue"]


def test_reviewer_approves_fewer_units_denies_with_reason_and_the_office_appeals(api, token_for, pump):
    office, reviewer = token_for("demo.jdoe"), token_for("planadmin")
    first = submit(api, office, cpap(clinicalCriteria=[])).data["priorAuth"]["authorizationNumber"]
    approved = api.post(f"/review/prior-auths/{first}/decision", {
        "action": "APPROVE", "lines": [{"line": 1, "approvedUnits": 2}], "approvedEndDate": "2032-01-31",
        "reason": "Two months, then a compliance check."}, token=reviewer)
    assert approved.status_code == 200, approved.data
    assert approved.data["status"] == "APPROVED"
    assert approved.data["serviceLines"][0]["approvedUnits"] == 2
    assert approved.data["approvedEndDate"] == "2032-01-31"
    assert api.post(f"/review/prior-auths/{first}/decision", {"action": "APPROVE"},
                    token=reviewer).data["code"] == "PRIOR_AUTH_STATUS_CONFLICT"
    too_many = submit(api, office, cpap(clinicalCriteria=[])).data["priorAuth"]["authorizationNumber"]
    more = api.post(f"/review/prior-auths/{too_many}/decision", {"action": "APPROVE", "lines": [
        {"line": 1, "approvedUnits": 9}]}, token=reviewer)
    assert more.status_code == 400
    assert "approvedUnits.1" in more.data["fields"]

    second = submit(api, office, cpap(clinicalCriteria=[])).data["priorAuth"]["authorizationNumber"]
    no_reason = api.post(f"/review/prior-auths/{second}/decision", {"action": "DENY"}, token=reviewer)
    assert no_reason.status_code == 400
    assert set(no_reason.data["fields"]) == {"denialReasonCode", "reason"}
    denied = api.post(f"/review/prior-auths/{second}/decision", {
        "action": "DENY", "denialReasonCode": "NOT_MEDICALLY_NECESSARY",
        "reason": "AHI below 5 on the home sleep test."}, token=reviewer).data
    assert (denied["status"], denied["denialReason"]) == ("DENIED", "AHI below 5 on the home sleep test.")
    appealed = api.post(f"/prior-auths/{second}/appeal", {"reason": "In-lab study shows AHI 18."}, token=office).data
    assert appealed["status"] == "APPEALED"
    assert api.post(f"/prior-auths/{second}/appeal", {"reason": "In-lab study shows AHI 18."},
                    token=office).status_code == 409
    upheld = api.post(f"/review/prior-auths/{second}/decision", {"action": "APPROVE"}, token=reviewer).data
    assert upheld["status"] == "APPROVED"
    assert upheld["approvedOnAppeal"] is True
    assert [entry["status"] for entry in upheld["history"]] == ["RECEIVED", "PENDED", "DENIED", "APPEALED",
                                                                 "APPROVED"]
    pump.drain_queues()
    subjects = [e["subject"] for e in sent_emails() if e["subject"].startswith(f"Prior authorization {second}")]
    assert subjects == [f"Prior authorization {second}: {label}" for label in (
        "Pended for clinical review", "Denied", "Appeal received", "Approved")]


def test_more_information_round_trip(api, token_for):
    office, reviewer = token_for("demo.jdoe"), token_for("planadmin")
    number = submit(api, office, cpap(clinicalCriteria=[])).data["priorAuth"]["authorizationNumber"]
    assert api.post(f"/prior-auths/{number}/information", {"information": "x"}, token=office).status_code == 409
    asked = api.post(f"/review/prior-auths/{number}/decision", {"action": "REQUEST_INFO",
                                                                "reason": "Send the sleep study."}, token=reviewer)
    assert asked.data["status"] == "MORE_INFO_REQUESTED"
    assert asked.data["informationRequested"] == "Send the sleep study."
    answered = api.post(f"/prior-auths/{number}/information", {"information": "AHI 22 on 2031-10-30."},
                        token=office).data
    assert answered["status"] == "PENDED"
    queue = api.get("/review/prior-auths", token=reviewer).data
    assert [item["status"] for item in queue["items"]] == ["PENDED"]


def test_attachments_upload_through_presigned_posts(api, token_for, pump):
    office = token_for("demo.jdoe")
    response = submit(api, office, cpap(attachments=[{"fileName": "sleep study.pdf",
                                                      "contentType": "application/pdf"}]))
    ticket = response.data["uploads"][0]
    number = response.data["priorAuth"]["authorizationNumber"]
    assert response.data["priorAuth"]["documents"][0]["status"] == "AWAITING_UPLOAD"
    sent = requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"],
                         files={"file": ("sleep.pdf", PDF)}, timeout=10)
    assert sent.status_code in (200, 204)
    later = api.post(f"/prior-auths/{number}/documents", {"attachments": [
        {"fileName": "notes.png", "contentType": "image/png"}]}, token=office)
    assert later.status_code == 201
    pump.drain_queues()
    detail = api.get(f"/prior-auths/{number}", token=office).data
    assert [(d["fileName"], d["status"], d["priorAuthId"]) for d in detail["documents"]] == [
        ("sleep_study.pdf", "RECEIVED", number), ("notes.png", "AWAITING_UPLOAD", number)]
    assert "Clinical document(s) attached: notes.png" in [entry["note"] for entry in detail["history"]]


def test_newborn_notification_term_baby_is_approved_nicu_is_pended(api, token_for):
    office = token_for("demo.jdoe")
    newborn = {"birthDate": "2031-11-21", "gender": "F", "birthWeightGrams": 3400, "gestationalAgeWeeks": 39,
               "deliveryMethod": "VAGINAL", "nicuAdmission": False}
    body = cpap(requestType="NEWBORN_NOTIFICATION", urgency="EXPEDITED", startDate="2031-11-21",
                endDate="2031-11-22", serviceLines=[{"code": "0171", "units": 2}], diagnosisCodes=["Z38.00"],
                clinicalCriteria=[], newborn=newborn)
    well = submit(api, office, body).data["priorAuth"]
    assert (well["status"], well["newborn"]["birthWeightGrams"]) == ("APPROVED", 3400)
    assert well["criteriaMet"] == ["NB_NO_NICU", "NB_TERM", "NB_WEIGHT_2500"]  # the facts were the criteria
    nicu = submit(api, office, {**body, "serviceLines": [{"code": "0174", "units": 2}],
                                "newborn": {**newborn, "nicuAdmission": True, "gestationalAgeWeeks": 31}})
    assert nicu.data["priorAuth"]["status"] == "PENDED"
    missing = submit(api, office, {**body, "newborn": None})
    assert missing.status_code == 400
    assert "newborn" in missing.data["fields"]


def test_metrics_count_first_decisions_and_appeals_with_csv(api, token_for, prior_auth_rules):
    office, reviewer = token_for("demo.jdoe"), token_for("planadmin")
    submit(api, office, cpap())  # AutoAuth: 0 hours
    denied = submit(api, office, cpap(clinicalCriteria=[])).data["priorAuth"]["authorizationNumber"]
    prior_auth_rules.advance(hours=10)
    office, reviewer = token_for("demo.jdoe"), token_for("planadmin")  # sessions idle out on the same clock
    api.post(f"/review/prior-auths/{denied}/decision", {"action": "DENY", "denialReasonCode": "EXPERIMENTAL",
                                                        "reason": "Not supported for this diagnosis."},
             token=reviewer)
    api.post(f"/prior-auths/{denied}/appeal", {"reason": "New evidence attached."}, token=office)
    api.post(f"/review/prior-auths/{denied}/decision", {"action": "APPROVE"}, token=reviewer)
    expedited = submit(api, office, cpap(urgency="EXPEDITED", clinicalCriteria=[])).data["priorAuth"]
    prior_auth_rules.advance(hours=30)
    office, reviewer = token_for("demo.jdoe"), token_for("planadmin")
    api.post(f"/review/prior-auths/{expedited['authorizationNumber']}/decision", {"action": "APPROVE"},
             token=reviewer)
    assert api.get("/review/prior-auth-metrics?from=2031-11&to=2031-11", token=office).status_code == 403
    items = api.get("/review/prior-auth-metrics?from=2031-10&to=2031-11", token=reviewer).data["items"]
    by_key = {(item["period"], item["urgency"]): item for item in items}
    assert by_key[("2031-10", "STANDARD")]["decided"] == 0
    standard = by_key[("2031-11", "STANDARD")]
    assert (standard["decided"], standard["approved"], standard["denied"], standard["approvedAfterAppeal"]) == (
        2, 1, 1, 1)
    assert standard["approvedPercent"] == 50.0
    assert standard["autoApproved"] == 1
    assert (standard["averageHoursToDecision"], standard["medianHoursToDecision"]) == (5.0, 5.0)
    assert by_key[("2031-11", "EXPEDITED")]["medianHoursToDecision"] == 30.0
    csv_response = api.get("/review/prior-auth-metrics?from=2031-11&to=2031-11&format=csv", token=reviewer)
    assert csv_response.headers["Content-Type"].startswith("text/csv")
    lines = csv_response.body.decode().splitlines()
    assert lines[0].startswith("Period,Urgency,Decided,Approved,Denied,Approved after appeal")
    assert lines[1].startswith("2031-11,STANDARD,2,1,1,1,1,50.0,50.0,50.0,5.0,5.0")
    assert api.get("/review/prior-auth-metrics?from=2031-11&to=2031-01", token=reviewer).status_code == 400


def test_deadlines_are_utc_calendar_time():
    from chalicelib.priorauth.deadlines import decision_due, is_overdue
    from chalicelib.priorauth.enums import Urgency

    received = datetime(2026, 3, 6, 15, 30, tzinfo=UTC)  # the US clocks change on 2026-03-08
    assert decision_due(received, Urgency.EXPEDITED) == datetime(2026, 3, 9, 15, 30, tzinfo=UTC)
    assert decision_due(received, Urgency.STANDARD) == datetime(2026, 3, 13, 15, 30, tzinfo=UTC)
    due = decision_due(received, Urgency.EXPEDITED)
    assert not is_overdue(due, due)
    assert is_overdue(due, due + timedelta(seconds=1))


def test_pend_reasons_one_per_rule_in_words_not_answered_apart_from_not_met(api, token_for):
    body = cpap(clinicalCriteria=[{"criterionId": "CPAP_AHI_15", "met": False}])
    auth = submit(api, token_for("demo.jdoe"), body).data["priorAuth"]
    assert auth["status"] == "PENDED"
    assert auth["pendReasons"] == [
        'Line 1 (E0601), rule CPAP-1 "Sleep study with AHI >= 15: 3 months\' rental": not met: Apnea-hypopnea '
        "index (AHI) of 15 or more [CPAP_AHI_15]; not answered: A polysomnogram or home sleep test was done "
        "[CPAP_SLEEP_STUDY].",
        'Line 1 (E0601), rule CPAP-2 "Sleep study with AHI 5-14 and symptoms: 3 months\' rental": not answered: A '
        "polysomnogram or home sleep test was done [CPAP_SLEEP_STUDY]; AHI of 5 to 14 with excessive sleepiness, "
        "hypertension or heart disease [CPAP_AHI_5_SYMPTOMS].",
    ]
    assert [(d["ruleId"], d["reasonCode"], d["criteriaNotMet"], d["criteriaNotAnswered"]) for d in
            auth["pendDetails"]] == [
        ("CPAP-1", "CRITERIA_NOT_MET", ["CPAP_AHI_15"], ["CPAP_SLEEP_STUDY"]),
        ("CPAP-2", "CRITERIA_NOT_ANSWERED", [], ["CPAP_SLEEP_STUDY", "CPAP_AHI_5_SYMPTOMS"]),
    ]


def test_a_reviewer_extends_a_standard_request_once_by_up_to_14_days_and_the_queue_follows(api, token_for):
    office, reviewer = token_for("demo.jdoe"), token_for("planadmin")
    standard = submit(api, office, cpap(clinicalCriteria=[])).data["priorAuth"]
    later = submit(api, office, cpap(clinicalCriteria=[])).data["priorAuth"]
    number = standard["authorizationNumber"]
    path = f"/review/prior-auths/{number}/extension"
    reason = "The sleep study report is on its way from the lab."
    assert api.post(path, {"days": 5, "reason": reason}, token=office).status_code == 403
    assert api.post(path, {"days": 15, "reason": reason}, token=reviewer).data["fields"] == {
        "days": "must be at most 14"}
    extended = api.post(path, {"days": 14, "reason": reason}, token=reviewer)
    assert extended.status_code == 200, extended.data
    assert datetime.fromisoformat(extended.data["dueAt"]) == (datetime.fromisoformat(standard["dueAt"])
                                                              + timedelta(days=14))
    assert (extended.data["extended"], extended.data["extensionDays"], extended.data["extensionReason"]) == (
        True, 14, reason)
    assert extended.data["history"][-1]["note"].startswith("Review timeframe extended by 14 days")
    again = api.post(path, {"days": 1, "reason": reason}, token=reviewer)
    assert (again.status_code, again.data["code"]) == (409, "PRIOR_AUTH_STATUS_CONFLICT")
    queue = api.get("/review/prior-auths", token=reviewer).data
    assert [item["authorizationNumber"] for item in queue["items"]] == [later["authorizationNumber"], number]
    expedited = submit(api, office, cpap(urgency="EXPEDITED", clinicalCriteria=[])).data["priorAuth"]
    refused = api.post(f"/review/prior-auths/{expedited['authorizationNumber']}/extension",
                       {"days": 2, "reason": reason}, token=reviewer)
    assert (refused.status_code, list(refused.data["fields"])) == (400, ["urgency"])
    approved = submit(api, office, cpap()).data["priorAuth"]["authorizationNumber"]
    assert api.post(f"/review/prior-auths/{approved}/extension", {"days": 2, "reason": reason},
                    token=reviewer).status_code == 409


def test_metrics_leave_out_no_authorization_required_and_report_the_extension_share(api, token_for,
                                                                                     prior_auth_rules):
    office, reviewer = token_for("demo.jdoe"), token_for("planadmin")
    reason = "Waiting on the in-lab study results."
    submit(api, office, cpap())  # AutoAuth approves
    for code in ("99213", "00000"):  # not prior authorizations
        submit(api, office, cpap(serviceLines=[{"code": code, "units": 1}], clinicalCriteria=[]))
    extended = submit(api, office, cpap(clinicalCriteria=[])).data["priorAuth"]["authorizationNumber"]
    denied = submit(api, office, cpap(clinicalCriteria=[])).data["priorAuth"]["authorizationNumber"]
    api.post(f"/review/prior-auths/{extended}/extension", {"days": 10, "reason": reason}, token=reviewer)
    prior_auth_rules.advance(hours=8)
    reviewer = token_for("planadmin")
    api.post(f"/review/prior-auths/{extended}/decision", {"action": "APPROVE"}, token=reviewer)
    api.post(f"/review/prior-auths/{denied}/decision", {"action": "DENY", "denialReasonCode": "EXPERIMENTAL",
                                                        "reason": "Not supported for this diagnosis."},
             token=reviewer)
    items = api.get("/review/prior-auth-metrics?from=2031-11&to=2031-11", token=reviewer).data["items"]
    standard = next(item for item in items if item["urgency"] == "STANDARD")
    assert (standard["decided"], standard["approved"], standard["denied"], standard["autoApproved"]) == (3, 2, 1, 1)
    assert (standard["extended"], standard["approvedAfterExtension"]) == (1, 1)
    assert standard["approvedAfterExtensionPercent"] == 33.3
    assert standard["averageHoursToDecision"] == round((0 + 8 + 8) / 3, 2)
    csv_lines = api.get("/review/prior-auth-metrics?from=2031-11&to=2031-11&format=csv",
                        token=reviewer).body.decode().splitlines()
    assert csv_lines[0].endswith("Timeframe extended,Approved after extension,Approved after extension %")
    assert csv_lines[1].endswith(",1,1,33.3")


def test_the_servicing_providers_office_sees_the_requests_it_is_to_perform(api, token_for):
    group = token_for("demo.group")
    body = cpap(requestingProviderId="100000000002", servicingProviderId="100000000001")  # Robert Smith asks
    number = submit(api, group, body).data["priorAuth"]["authorizationNumber"]
    own = submit(api, group, cpap(requestingProviderId="100000000002", servicingProviderId="100000000002"))
    jdoe = token_for("demo.jdoe")
    detail = api.get(f"/prior-auths/{number}", token=jdoe)
    assert detail.status_code == 200, detail.data
    assert detail.data["servicingProviderId"] == "100000000001"
    performing = api.get("/prior-auths?servicing=true", token=jdoe).data
    assert [item["authorizationNumber"] for item in performing["items"]] == [number]
    assert api.get("/prior-auths?servicing=true&status=PENDED", token=jdoe).data["items"] == []
    assert api.get("/prior-auths", token=jdoe).data["items"] == []  # it sent none
    by_member = api.get("/prior-auths?memberId=10000000001", token=jdoe).data
    assert [item["authorizationNumber"] for item in by_member["items"]] == [number]
    assert api.get(f"/fhir/ClaimResponse/{number}", token=jdoe).status_code == 200
    assert api.post(f"/prior-auths/{number}/appeal", {"reason": "Please reconsider this."},
                    token=jdoe).status_code == 404  # acting on it stays with the office that sent it
    other = own.data["priorAuth"]["authorizationNumber"]
    assert api.get(f"/prior-auths/{other}", token=jdoe).status_code == 404
    ohio = token_for("demo.buckeye")
    assert api.get(f"/prior-auths/{number}", token=ohio).status_code == 404
    assert api.get("/prior-auths?servicing=true", token=ohio).data["items"] == []
    group_performing = api.get("/prior-auths?servicing=true", token=group).data
    assert {item["authorizationNumber"] for item in group_performing["items"]} == {number, other}
