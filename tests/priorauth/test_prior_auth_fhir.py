"""Da Vinci PAS over FHIR R4: $submit a Claim bundle, $inquire, read the ClaimResponse, the CapabilityStatement;
every answer and every error validated with the R4B models of fhir.resources."""

import copy
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("prior_auth_rules")
FHIR = {"Content-Type": "application/fhir+json"}
IG_EXAMPLE = json.loads((Path(__file__).parents[1] / "fixtures" / "pas" /
                         "ReferralAuthorizationBundleExample.json").read_text())
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"


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


def conformant_bundle(response):
    """The response as a PAS Response Bundle: R4B-valid, with the elements PAS requires, references resolving."""
    from fhir.resources.R4B.bundle import Bundle

    assert response.headers["Content-Type"] == "application/fhir+json"
    body = json.loads(response.body)
    Bundle.model_validate(body)
    assert body["type"] == "collection"
    assert body["identifier"]["system"]
    assert body["identifier"]["value"]
    assert body["timestamp"]
    claim_response = body["entry"][0]["resource"]
    assert claim_response["resourceType"] == "ClaimResponse"
    assert claim_response["identifier"]
    assert claim_response["request"]["identifier"]["value"]
    assert (claim_response["status"], claim_response["use"]) == ("active", "preauthorization")
    entries = {entry["fullUrl"] for entry in body["entry"]}
    for element in ("patient", "requestor", "insurer"):
        reference = claim_response[element]["reference"]
        assert any(url.endswith("/fhir/" + reference) for url in entries), (element, reference)
    for item in claim_response["item"]:
        adjudication = item["adjudication"][0]
        assert adjudication["category"]["coding"][0]["code"] == "submitted"
        action = adjudication["extension"][0]
        assert action["url"] == PAS + "extension-reviewAction"
        assert "extension" not in item or all(e["url"] != PAS + "extension-reviewAction" for e in item["extension"])
    return body


def review_action(claim_response, item=0):
    action = claim_response["item"][item]["adjudication"][0]["extension"][0]["extension"]
    return {part["url"].rsplit("-", 1)[-1] if part["url"].startswith("http") else part["url"]:
            part.get("valueCodeableConcept", {}).get("coding", [{}])[0].get("code") or part.get("valueString")
            for part in action}


def claim_response_of(response):
    return conformant_bundle(response)["entry"][0]["resource"]


def outcome_of(response):
    """An error as FHIR clients expect it: an OperationOutcome, as application/fhir+json."""
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    assert response.headers["Content-Type"] == "application/fhir+json", response.headers
    body = json.loads(response.body)
    OperationOutcome.model_validate(body)
    assert body["resourceType"] == "OperationOutcome"
    for issue in body["issue"]:
        assert issue["severity"] == "error"
        assert issue["code"]
        assert issue["diagnostics"]
    return body


def expressions(outcome):
    return [expression for issue in outcome["issue"] for expression in issue.get("expression", [])]


def test_submit_returns_a_certified_claim_response_that_r4b_accepts(api, token_for):
    token = token_for("demo.jdoe")
    response = post_bundle(api, token, pas_bundle(), key="ehr-1")
    assert response.status_code == 200, response.body
    claim_response = claim_response_of(response)
    assert claim_response["outcome"] == "complete"
    assert claim_response["preAuthRef"].startswith("PA")
    assert claim_response["preAuthPeriod"] == {"start": "2031-11-25", "end": "2032-02-22"}
    assert review_action(claim_response) == {"reviewActionCode": "A1", "number": claim_response["preAuthRef"]}
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
    assert review_action(resource) == {"reviewActionCode": "A4"}
    assert "not answered: A polysomnogram or home sleep test was done" in resource["processNote"][0]["text"]
    assert api.get(f"/prior-auths/{number}", token=token).data["urgency"] == "EXPEDITED"


def claim(bundle):
    return bundle["entry"][0]["resource"]


@pytest.mark.parametrize(("mangle", "status", "field"), [
    (lambda b: b.update(resourceType="Patient"), 400, "Bundle.resourceType"),
    (lambda b: claim(b).update(use="claim"), 400, "Claim.use"),
    (lambda b: claim(b).update(patient={"reference": "Patient/nobody"}), 400, "Claim.patient"),
    (lambda b: claim(b).update(created="yesterday"), 400, "Bundle.entry[0].resource.created"),
    (lambda b: claim(b)["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0].update(code="250.00"), 400,
     "Claim.diagnosis[0].diagnosisCodeableConcept"),
    (lambda b: claim(b)["item"][0]["productOrService"]["coding"][0].update(code="E06011"), 400,
     "Claim.item[0].productOrService"),
    (lambda b: claim(b)["item"][0]["productOrService"]["coding"][0].update(
        system="http://codesystem.x12.org/005010/1365", code="ABC"), 400, "Claim.item[0].productOrService"),
    (lambda b: claim(b)["item"][0].update(servicedPeriod={"start": "2031-01-02", "end": "2031-01-03"}), 400,
     "Claim.item[0].servicedPeriod"),
    (lambda b: b["entry"][2]["resource"].update(identifier=[{"system": "http://hl7.org/fhir/sid/us-npi",
                                                             "value": "1234567893"}]), 404, "Claim.provider"),
    (lambda b: b["entry"][1]["resource"].update(identifier=[{"value": "10000000099"}]), 404, "memberId"),
])
def test_bad_bundles_answer_an_operation_outcome_naming_the_element(api, token_for, mangle, status, field):
    bundle = pas_bundle()
    mangle(bundle)
    response = post_bundle(api, token_for("demo.jdoe"), bundle)
    assert response.status_code == status, response.body
    outcome = outcome_of(response)
    assert field in expressions(outcome) or (field == "memberId" and outcome["issue"][0]["details"]["coding"][0][
        "code"] == "MEMBER_NOT_FOUND"), outcome
    assert outcome["issue"][0]["code"] == ("invalid" if status == 400 else "not-found")


def test_every_fhir_error_is_an_operation_outcome(api, token_for):
    no_login = api.post("/fhir/Claim/$submit", json.dumps(pas_bundle()), headers=FHIR)
    assert no_login.status_code == 401
    assert outcome_of(no_login)["issue"][0]["code"] == "login"
    token = token_for("demo.jdoe")
    unknown = api.post("/fhir/Claim/$validate", json.dumps(pas_bundle()), token=token, headers=FHIR)
    assert unknown.status_code == 404
    assert expressions(outcome_of(unknown)) == ["operation"]
    not_json = api.post("/fhir/Claim/$submit", "{", token=token, headers=FHIR)
    assert (not_json.status_code, outcome_of(not_json)["issue"][0]["diagnostics"]) == (400, "body: is not valid JSON")
    missing = api.get("/fhir/ClaimResponse/PA311123ZZZZZZ", token=token)
    assert missing.status_code == 404
    assert outcome_of(missing)["issue"][0]["details"]["coding"][0]["code"] == "PRIOR_AUTH_NOT_FOUND"
    key = post_bundle(api, token, pas_bundle(), key="reused-key")
    other = post_bundle(api, token, pas_bundle(priority="stat"), key="reused-key")
    assert key.status_code == 200
    assert (other.status_code, outcome_of(other)["issue"][0]["code"]) == (409, "conflict")


def test_a_deeply_nested_bundle_answers_400_naming_the_nesting_not_500(api, token_for):
    bundle = pas_bundle()
    claim(bundle)["extension"] = "DEEP"
    raw = json.dumps(bundle).replace('"DEEP"', "[" * 5000 + "]" * 5000)
    response = api.post("/fhir/Claim/$submit", raw, token=token_for("demo.jdoe"), headers=FHIR)
    assert response.status_code == 400, response.body
    assert outcome_of(response)["issue"][0]["diagnostics"] == (
        "body: must not nest arrays and objects more than 64 levels deep")
    brackets_in_text = pas_bundle()
    claim(brackets_in_text)["item"][0]["productOrService"]["text"] = "[" * 5000  # inside a string: not nesting
    assert post_bundle(api, token_for("demo.jdoe"), brackets_in_text).status_code == 200


def test_a_bundle_over_64_kib_answers_413_as_every_route_does(api, token_for):
    bundle = pas_bundle()
    claim(bundle)["item"][0]["productOrService"]["text"] = "x" * (70 * 1024)
    response = post_bundle(api, token_for("demo.jdoe"), bundle)
    assert response.status_code == 413, response.body
    issue = outcome_of(response)["issue"][0]
    assert (issue["code"], issue["details"]["coding"][0]["code"]) == ("too-long", "PAYLOAD_TOO_LARGE")
    assert issue["diagnostics"] == "body: must be at most 65536 bytes"


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"])
def test_a_bundle_sent_as_anything_but_json_answers_415(api, token_for, content_type):
    response = api.post("/fhir/Claim/$submit", json.dumps(pas_bundle()), token=token_for("demo.jdoe"),
                        headers={"Content-Type": content_type})
    assert response.status_code == 415, response.body
    issue = outcome_of(response)["issue"][0]
    assert issue["code"] == "not-supported"
    assert issue["diagnostics"] == "Content-Type: must be application/fhir+json or application/json"
    plain_json = api.post("/fhir/Claim/$submit", json.dumps(pas_bundle()), token=token_for("demo.jdoe"),
                          headers={"Content-Type": "application/json; charset=utf-8"})
    assert plain_json.status_code == 200, plain_json.body


@pytest.mark.parametrize("character", ["\x00", "\x07", "\u202e", "\x9b"])
def test_control_and_bidi_characters_in_bundle_text_answer_400_naming_the_element(api, token_for, character):
    bundle = pas_bundle()
    claim(bundle)["item"][0]["productOrService"]["text"] = f"CPAP{character}device"
    response = post_bundle(api, token_for("demo.jdoe"), bundle)
    assert response.status_code == 400, response.body
    assert expressions(outcome_of(response)) == ["Bundle.entry[0].resource.item[0].productOrService.text"]


def test_the_ig_example_submits_and_answers_a_conformant_claim_response(api, token_for):
    """ReferralAuthorizationBundleExample (PAS 1.1.0): NPIs, an X12 service type, no dates of service."""
    group = token_for("demo.group")
    response = post_bundle(api, group, IG_EXAMPLE)
    assert response.status_code == 200, response.body
    bundle = conformant_bundle(response)
    claim_response = bundle["entry"][0]["resource"]
    assert claim_response["request"]["identifier"] == {
        "system": "https://prior-auth.davinci.hl7.org/fhir/PATIENT_EVENT_TRACE_NUMBER", "value": "111099"}
    assert (claim_response["outcome"], claim_response["disposition"]) == (
        "complete", "No authorization required by our rules")  # X12 service type 3 (consultation): no rule lists it
    assert "preAuthRef" not in claim_response
    assert review_action(claim_response) == {"reviewActionCode": "NA"}
    resources = {entry["resource"]["resourceType"] + "/" + entry["resource"]["id"]: entry["resource"]
                 for entry in bundle["entry"]}
    requestor = resources[claim_response["requestor"]["reference"]]
    assert {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1912301953"} in requestor["identifier"]
    detail = api.get(f"/prior-auths/{claim_response['id']}", token=group).data
    assert (detail["requestingProviderId"], detail["servicingProviderId"]) == ("999999999999", "100000000001")
    assert (detail["urgency"], detail["startDate"], detail["endDate"]) == ("EXPEDITED", "2031-11-23", "2031-11-23")
    assert [(line["code"], line["kind"], line["listed"]) for line in detail["serviceLines"]] == [
        ("3", "SERVICE_TYPE", False)]
    assert api.get(f"/prior-auths/{claim_response['id']}", token=token_for("demo.jdoe")).status_code == 200


def test_dates_come_from_the_billable_period_when_items_have_none(api, token_for):
    bundle = pas_bundle()
    claim(bundle)["item"][0].pop("servicedPeriod")
    claim(bundle)["billablePeriod"] = {"start": "2031-11-26", "end": "2032-01-31"}
    response = post_bundle(api, token_for("demo.jdoe"), bundle)
    claim_response = claim_response_of(response)
    assert claim_response["preAuthPeriod"] == {"start": "2031-11-26", "end": "2032-01-31"}


def test_a_code_of_a_system_our_rules_do_not_list_is_pended_never_refused(api, token_for):
    bundle = pas_bundle(criteria=())
    claim(bundle)["item"][0]["productOrService"] = {"coding": [
        {"system": "http://www.cms.gov/Medicare/Coding/ICD10", "code": "0SR9019"}]}  # ICD-10-PCS: not in our rules
    response = post_bundle(api, token_for("demo.jdoe"), bundle)
    claim_response = claim_response_of(response)
    assert claim_response["outcome"] == "queued"
    assert "our rules do not list codes of this code system" in claim_response["processNote"][0]["text"]


def test_npis_resolve_through_the_directory(api, token_for):
    bundle = pas_bundle()
    bundle["entry"][2]["resource"]["identifier"] = [{"system": "http://hl7.org/fhir/sid/us-npi",
                                                     "value": "1407345679"}]
    token = token_for("demo.jdoe")
    number = claim_response_of(post_bundle(api, token, bundle))["id"]
    detail = api.get(f"/prior-auths/{number}", token=token).data
    assert (detail["requestingProviderId"], detail["servicingProviderId"]) == ("100000000001", "100000000001")
    ohio_npi = copy.deepcopy(bundle)
    ohio_npi["entry"][2]["resource"]["identifier"][0]["value"] = "1730122786"  # Maria Garcia, another office
    refused = post_bundle(api, token, ohio_npi)
    assert refused.status_code == 404
    assert outcome_of(refused)["issue"][0]["details"]["coding"][0]["code"] == "PROVIDER_NOT_FOUND"


def inquiry_for(bundle):
    inquiry = copy.deepcopy(bundle)
    inquiry["meta"] = {"profile": [PAS + "profile-pas-inquiry-request-bundle"]}
    claim(inquiry)["meta"] = {"profile": [PAS + "profile-claim-inquiry"]}
    return inquiry


def test_inquire_finds_a_submitted_request_by_its_identifiers_and_not_another_offices(api, token_for):
    group = token_for("demo.group")
    submitted = claim_response_of(post_bundle(api, group, IG_EXAMPLE))
    response = api.post("/fhir/Claim/$inquire", json.dumps(inquiry_for(IG_EXAMPLE)), token=group, headers=FHIR)
    assert response.status_code == 200, response.body
    found = conformant_bundle(response)["entry"][0]["resource"]
    assert found["id"] == submitted["id"]
    assert found["meta"]["profile"] == [PAS + "profile-claiminquiryresponse"]
    by_number = inquiry_for(pas_bundle())
    claim(by_number)["identifier"] = [{"system": "urn:portal:prior-auth", "value": submitted["id"]}]
    assert claim_response_of(api.post("/fhir/Claim/$inquire", json.dumps(by_number), token=group,
                                      headers=FHIR))["id"] == submitted["id"]
    ohio = api.post("/fhir/Claim/$inquire", json.dumps(inquiry_for(IG_EXAMPLE)), token=token_for("demo.buckeye"),
                    headers=FHIR)
    assert ohio.status_code == 404
    unknown = inquiry_for(IG_EXAMPLE)
    claim(unknown)["identifier"][0]["value"] = "999999"
    missing = api.post("/fhir/Claim/$inquire", json.dumps(unknown), token=group, headers=FHIR)
    assert missing.status_code == 404
    assert expressions(outcome_of(missing)) == ["Claim.identifier"]


def test_metadata_is_a_capability_statement_without_login(api):
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    response = api.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/fhir+json"
    body = json.loads(response.body)
    CapabilityStatement.model_validate(body)
    assert body["fhirVersion"] == "4.0.1"
    assert body["implementationGuide"] == ["http://hl7.org/fhir/us/davinci-pas/ImplementationGuide/"
                                           "hl7.fhir.us.davinci-pas|2.0.1"]
    rest = body["rest"][0]
    claim_resource = next(resource for resource in rest["resource"] if resource["type"] == "Claim")
    assert [operation["name"] for operation in claim_resource["operation"]] == ["submit", "inquire"]
    assert PAS + "profile-claim" in claim_resource["supportedProfile"]
    assert rest["security"]["service"][0]["coding"][0]["code"] == "OAuth"
