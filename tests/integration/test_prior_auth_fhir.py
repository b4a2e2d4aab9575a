"""Da Vinci PAS over FHIR R4: $submit a Claim bundle, read the ClaimResponse; both validated with R4B."""

import json

import pytest

pytestmark = pytest.mark.usefixtures("prior_auth_rules")
FHIR = {"Content-Type": "application/fhir+json"}


def pas_bundle(criteria=("CPAP_SLEEP_STUDY", "CPAP_AHI_15"), priority="normal", code="E0601"):
    return {
        "resourceType": "Bundle", "type": "collection", "timestamp": "2031-11-23T12:00:00Z",
        "entry": [
            {"fullUrl": "urn:uuid:claim-1", "resource": {
                "resourceType": "Claim", "id": "claim-1", "status": "active", "use": "preauthorization",
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                     "code": "professional"}]},
                "patient": {"reference": "Patient/ava"}, "created": "2031-11-23T12:00:00Z",
                "insurer": {"display": "Heartland Health Plan"}, "provider": {"reference": "Practitioner/jdoe"},
                "priority": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority",
                                         "code": priority}]},
                "careTeam": [{"sequence": 1, "provider": {"reference": "Practitioner/jdoe"}}],
                "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [
                    {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "G47.33"}]}}],
                "supportingInfo": [
                    {"sequence": index + 1, "category": {"coding": [{"code": "criterion"}]},
                     "code": {"coding": [{"code": criterion}]}, "valueBoolean": True}
                    for index, criterion in enumerate(criteria)
                ],
                "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": "Coverage/1"}}],
                "item": [{"sequence": 1, "productOrService": {"coding": [
                    {"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": code}]},
                    "quantity": {"value": 3},
                    "servicedPeriod": {"start": "2031-11-25", "end": "2032-02-22"}}],
            }},
            {"fullUrl": "urn:uuid:ava", "resource": {"resourceType": "Patient", "id": "ava", "identifier": [
                {"system": "urn:portal:member-id", "value": "10000000001"}]}},
            {"fullUrl": "urn:uuid:jdoe", "resource": {"resourceType": "Practitioner", "id": "jdoe", "identifier": [
                {"system": "urn:portal:provider-id", "value": "100000000001"}]}},
        ],
    }


def post_bundle(api, token, bundle, key=None):
    headers = {**FHIR, **({"Idempotency-Key": key} if key else {})}
    return api.post("/fhir/Claim/$submit", json.dumps(bundle), token=token, headers=headers)


def claim_response_of(response):
    body = json.loads(response.body)
    assert body["resourceType"] == "Bundle"
    return body["entry"][0]["resource"]


def test_submit_returns_a_certified_claim_response_that_r4b_accepts(api, token_for):
    from fhir.resources.R4B.bundle import Bundle

    token = token_for("demo.jdoe")
    response = post_bundle(api, token, pas_bundle(), key="ehr-1")
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/fhir+json"
    Bundle.model_validate(json.loads(response.body))
    claim_response = claim_response_of(response)
    assert claim_response["outcome"] == "complete"
    assert claim_response["preAuthRef"].startswith("PA")
    assert claim_response["preAuthPeriod"] == {"start": "2031-11-25", "end": "2032-02-22"}
    action = claim_response["item"][0]["extension"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]
    assert action["code"] == "A1"
    detail = api.get(f"/prior-auths/{claim_response['id']}", token=token).data
    assert (detail["source"], detail["status"]) == ("FHIR", "APPROVED")
    again = post_bundle(api, token, pas_bundle(), key="ehr-1")
    assert claim_response_of(again)["id"] == claim_response["id"]


def test_pended_request_reads_back_as_queued_with_the_reasons(api, token_for):
    token = token_for("demo.jdoe")
    number = claim_response_of(post_bundle(api, token, pas_bundle(criteria=(), priority="stat")))["id"]
    read = api.get(f"/fhir/ClaimResponse/{number}", token=token)
    assert read.status_code == 200
    resource = json.loads(read.body)
    assert resource["resourceType"] == "ClaimResponse"
    assert resource["outcome"] == "queued"
    assert resource["item"][0]["extension"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "A4"
    assert "criteria not met" in resource["processNote"][0]["text"]
    assert api.get(f"/prior-auths/{number}", token=token).data["urgency"] == "EXPEDITED"


@pytest.mark.parametrize(("mangle", "field"), [
    (lambda b: b.update(resourceType="Patient"), "resourceType"),
    (lambda b: b["entry"][0]["resource"].update(use="claim"), "Claim.use"),
    (lambda b: b["entry"][0]["resource"].update(patient={"reference": "Patient/nobody"}), "Claim.patient"),
    (lambda b: b["entry"][0]["resource"].update(created="yesterday"), "Bundle.entry"),
    (lambda b: b["entry"][0]["resource"]["item"][0].pop("servicedPeriod"), "Claim.item[0].servicedPeriod"),
    (lambda b: b["entry"][0]["resource"]["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0].update(
        code="250.00"), "diagnosisCodes.0"),
])
def test_bad_bundles_answer_400_naming_the_path(api, token_for, mangle, field):
    bundle = pas_bundle()
    mangle(bundle)
    response = post_bundle(api, token_for("demo.jdoe"), bundle)
    assert response.status_code == 400, response.body
    fields = json.loads(response.body)["fields"]
    assert any(name.startswith(field) for name in fields), fields


def test_only_the_submit_operation_exists(api, token_for):
    response = api.post("/fhir/Claim/$validate", json.dumps(pas_bundle()), token=token_for("demo.jdoe"),
                        headers=FHIR)
    assert response.status_code == 404
