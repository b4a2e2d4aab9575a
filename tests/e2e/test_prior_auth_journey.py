"""Prior authorization over HTTP against the running stack: AutoAuth, racing retries, review, FHIR."""

import copy
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
START = (date.today() + timedelta(days=3)).isoformat()
IG_EXAMPLE = Path(__file__).parents[1] / "fixtures" / "pas" / "ReferralAuthorizationBundleExample.json"
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"


def cpap(criteria=("CPAP_SLEEP_STUDY", "CPAP_AHI_15")):
    return {
        "requestType": "OUTPATIENT", "memberId": "10000000001", "servicingProviderId": "100000000001",
        "startDate": START, "endDate": (date.today() + timedelta(days=60)).isoformat(),
        "serviceLines": [{"code": "E0601", "units": 3}], "diagnosisCodes": ["G47.33"],
        "clinicalCriteria": [{"criterionId": criterion, "met": True} for criterion in criteria],
    }


def test_autoauth_answers_at_once_and_the_notice_reaches_the_inbox(stack):
    token = stack.login("demo.jdoe", "Demo-Portal-2026!")
    response = stack.call("POST", "/prior-auths", cpap(), token=token)
    assert response.status_code == 201, response.text
    auth = response.json()["priorAuth"]
    assert auth["status"] == "APPROVED"
    email = stack.wait_for_email("demo.jdoe@example.org", f"Prior authorization {auth['authorizationNumber']}: "
                                 "Approved")
    assert auth["authorizationNumber"] in email.body
    assert "/prior-auths/" not in email.body  # a page of the portal, never the JSON route
    assert f"/prior-authorization/requests/{auth['authorizationNumber']}" in email.body


def test_racing_retries_with_one_idempotency_key_make_one_request(stack):
    token = stack.login("demo.jdoe", "Demo-Portal-2026!")
    headers = {"Idempotency-Key": f"race-{date.today().isoformat()}-{id(stack)}"}

    def send(_: int):
        return stack.call("POST", "/prior-auths", cpap(criteria=()), token=token, headers=dict(headers))

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(send, range(4)))
    assert {response.status_code for response in responses} == {201}, [r.text for r in responses]
    numbers = {response.json()["priorAuth"]["authorizationNumber"] for response in responses}
    assert len(numbers) == 1
    listed = stack.call("GET", f"/prior-auths?authorizationNumber={numbers.pop()}", token=token).json()
    assert [item["status"] for item in listed["items"]] == ["PENDED"]


def test_reviewer_sees_the_demo_queue_decides_and_reads_metrics(stack):
    office = stack.login("demo.jdoe", "Demo-Portal-2026!")
    number = stack.call("POST", "/prior-auths", cpap(criteria=()), token=office).json()["priorAuth"][
        "authorizationNumber"]
    reviewer = stack.login("planadmin", "PlanAdmin-Local-2026!")
    queue = stack.call("GET", "/review/prior-auths?limit=500", token=reviewer).json()
    due = [item["dueAt"] for item in queue["items"]]
    assert due == sorted(due)
    assert queue["count"] >= 2
    assert number in [item["authorizationNumber"] for item in queue["items"]]
    assert queue["overdueCount"] >= 1  # the demo history leaves some old requests undecided
    denied = stack.call("POST", f"/review/prior-auths/{number}/decision", {
        "action": "DENY", "denialReasonCode": "INSUFFICIENT_INFORMATION",
        "reason": "No sleep study was attached to the request."}, token=reviewer)
    assert denied.status_code == 200
    assert denied.json()["status"] == "DENIED"
    month = date.today().strftime("%Y-%m")
    year_ago = (date.today() - timedelta(days=365)).strftime("%Y-%m")
    metrics = stack.call("GET", f"/review/prior-auth-metrics?from={year_ago}&to={month}&groupBy=year",
                         token=reviewer).json()["items"]
    assert sum(item["decided"] for item in metrics) >= 20
    assert sum(item["approvedAfterAppeal"] for item in metrics) >= 1


def test_fhir_submit_and_read_over_http(stack):
    token = stack.login("demo.jdoe", "Demo-Portal-2026!")
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:c", "resource": {
            "resourceType": "Claim", "status": "active", "use": "preauthorization",
            "type": {"coding": [{"code": "professional"}]}, "patient": {"reference": "urn:uuid:p"},
            "created": f"{date.today().isoformat()}T12:00:00Z", "insurer": {"display": "plan"},
            "provider": {"reference": "urn:uuid:r"}, "priority": {"coding": [{"code": "normal"}]},
            "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "Medicaid"}}],
            "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"code": "G47.33"}]}}],
            "supportingInfo": [{"sequence": index + 1, "category": {"coding": [{"code": "criterion"}]},
                                "code": {"coding": [{"code": criterion}]}, "valueBoolean": True}
                               for index, criterion in enumerate(("CPAP_SLEEP_STUDY", "CPAP_AHI_15"))],
            "item": [{"sequence": 1, "productOrService": {"coding": [{"code": "E0601"}]},
                      "quantity": {"value": 3}, "servicedDate": START}]}},
        {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "identifier": [{"value": "10000000001"}]}},
        {"fullUrl": "urn:uuid:r", "resource": {"resourceType": "Practitioner",
                                              "identifier": [{"value": "100000000001"}]}},
    ]}
    response = stack.call("POST", "/fhir/Claim/$submit", bundle, token=token)
    assert response.status_code == 200, response.text
    claim_response = response.json()["entry"][0]["resource"]
    read = stack.call("GET", f"/fhir/ClaimResponse/{claim_response['id']}", token=token)
    assert read.json()["outcome"] == "complete"
    assert read.json()["preAuthRef"] == claim_response["id"]


def test_a_pas_client_submits_the_ig_example_inquires_and_reads_the_capability_statement(stack):
    """What an EHR's Da Vinci PAS client does over HTTP: metadata without login, $submit, $inquire, a FHIR error."""
    metadata = stack.call("GET", "/fhir/metadata")
    assert metadata.status_code == 200
    assert metadata.headers["Content-Type"] == "application/fhir+json"
    assert metadata.json()["resourceType"] == "CapabilityStatement"

    token = stack.login("demo.group", "Demo-Portal-2026!")
    example = json.loads(IG_EXAMPLE.read_text())
    submitted = stack.call("POST", "/fhir/Claim/$submit", example, token=token)
    assert submitted.status_code == 200, submitted.text
    claim_response = submitted.json()["entry"][0]["resource"]
    assert claim_response["disposition"] == "No authorization required by our rules"
    assert claim_response["request"]["identifier"]["value"] == "111099"

    inquiry = copy.deepcopy(example)
    inquiry["entry"][0]["resource"]["meta"] = {"profile": [PAS + "profile-claim-inquiry"]}
    found = stack.call("POST", "/fhir/Claim/$inquire", inquiry, token=token)
    assert found.status_code == 200, found.text
    assert found.json()["entry"][0]["resource"]["id"] == claim_response["id"]

    del example["entry"][0]["resource"]["patient"]
    refused = stack.call("POST", "/fhir/Claim/$submit", example, token=token)
    assert refused.status_code == 400
    assert refused.headers["Content-Type"] == "application/fhir+json"
    outcome = refused.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "Bundle.entry[0].resource.patient" in [name for issue in outcome["issue"] for name in issue["expression"]]
