"""Claims through the API: submission and validation, adjudication, consent pends, corrections, search, payments."""

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from chalicelib.audit.store import AuditEventModel
from chalicelib.claims.store import ClaimModel

pytestmark = pytest.mark.usefixtures("fee_schedules")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer\n%%EOF\n"


def office_visit(**changes):
    body = {
        "claimType": "PROFESSIONAL", "billingProviderId": "100000000001", "memberId": "10000000001",
        "placeOfService": "11", "diagnosisCodes": ["E11.9", "I10"], "patientControlNumber": "ACCT-1001",
        "serviceLines": [
            {"procedureCode": "99213", "units": 1, "charge": "125.00", "serviceDate": "2031-11-02",
             "diagnosisPointers": [1, 2]},
            {"procedureCode": "36415", "units": 1, "charge": "25.00", "serviceDate": "2031-11-02",
             "diagnosisPointers": [1]},
        ],
        "totalCharge": "150.00",
    }
    body.update(changes)
    return body


def submit(api, token, body, key=None):
    return api.post("/claims", body, token=token, headers={"Idempotency-Key": key} if key else None)


def test_a_clean_claim_is_approved_at_once_from_the_fee_schedule_with_reason_codes(api, token_for):
    response = submit(api, token_for("demo.jdoe"), office_visit())
    assert response.status_code == 201, response.data
    claim = response.data
    assert claim["status"] == "APPROVED"
    assert (claim["totalCharge"], claim["allowed"], claim["paid"]) == ("150.00", "78.00", "78.00")
    visit, draw = claim["serviceLines"]
    assert (visit["allowed"], visit["paid"]) == ("75.00", "75.00")
    assert visit["adjustments"] == [{"groupCode": "CO", "reasonCode": "45", "amount": "50.00", "description":
                                     "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee "
                                     "arrangement."}]
    assert draw["adjustments"][0]["amount"] == "22.00"
    assert claim["diagnosisCodes"] == ["E11.9", "I10"]
    assert claim["program"].endswith("(HIP)")
    assert claim["history"][0]["status"] == "APPROVED"
    stored = ClaimModel.get(claim["claimNumber"])
    assert stored.payable == "PAYABLE"
    assert stored.payable_key == f"310000001#{claim['claimNumber']}"


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"totalCharge": "140.00"}, "totalCharge", "add up to 150.00"),
    ({"diagnosisCodes": ["E11", "I10"]}, "diagnosisCodes.0", "category, not billable"),
    ({"diagnosisCodes": ["250.00", "I10"]}, "diagnosisCodes.0", "ICD-9"),
    ({"diagnosisCodes": ["Q99.9Z", "I10"]}, "diagnosisCodes.0", "not an ICD-10-CM code"),
    ({"frequency": "7"}, "originalClaimNumber", "required for a corrected (7) claim"),
    ({"placeOfService": None}, "serviceLines.0.placeOfService", "required"),
])
def test_each_validation_failure_is_a_400_naming_the_field(api, token_for, changes, field, words):
    body = office_visit(**{k: v for k, v in changes.items() if v is not None})
    for name, value in changes.items():
        if value is None:
            body.pop(name)
    response = submit(api, token_for("demo.jdoe"), body)
    assert response.status_code == 400
    assert response.data["code"] == "VALIDATION_ERROR"
    assert words in response.data["fields"][field]
    assert ClaimModel.count() == 0


def test_pointers_future_dates_and_bad_types_are_named(api, token_for):
    body = office_visit()
    body["serviceLines"][0]["diagnosisPointers"] = [3]
    body["serviceLines"][1]["serviceDate"] = "2031-12-30"
    response = submit(api, token_for("demo.jdoe"), body)
    assert response.status_code == 400
    assert "does not point at one of the 2" in response.data["fields"]["serviceLines.0.diagnosisPointers"]
    assert "future" in response.data["fields"]["serviceLines.1.serviceDate"]
    wrong_type = submit(api, token_for("demo.jdoe"), office_visit(totalCharge="lots"))
    assert wrong_type.status_code == 400
    assert "totalCharge" in wrong_type.data["fields"]


def test_a_delivery_claim_needs_gestational_age_and_an_obstetric_diagnosis(api, token_for):
    delivery = office_visit(diagnosisCodes=["Z37.0"], serviceLines=[
        {"procedureCode": "59400", "units": 1, "charge": "2500.00", "serviceDate": "2031-11-02",
         "diagnosisPointers": [1]}], totalCharge="2500.00", placeOfService="21")
    refused = submit(api, token_for("demo.jdoe"), delivery)
    assert refused.status_code == 400
    assert "Z3A" in refused.data["fields"]["diagnosisCodes"]
    assert "O00-O9A" in refused.data["fields"]["diagnosisCodes"]
    delivery["diagnosisCodes"] = ["O80", "Z3A.39", "Z37.0"]
    accepted = submit(api, token_for("demo.jdoe"), delivery)
    assert accepted.status_code == 201, accepted.data
    assert (accepted.data["status"], accepted.data["paid"]) == ("APPROVED", "1800.00")


def test_the_member_must_be_eligible_on_every_date_of_service(api, token_for):
    body = office_visit(memberId="10000000002", billingProviderId="100000000002")
    body["serviceLines"][1]["serviceDate"] = "2030-07-15"
    response = submit(api, token_for("demo.group"), body)
    assert response.status_code == 409
    assert response.data["code"] == "MEMBER_NOT_ELIGIBLE"
    assert response.data["fields"] == {"serviceLines.1.serviceDate": "the member is not eligible on 2030-07-15"}


def test_another_offices_provider_and_claim_answer_404(api, token_for):
    refused = submit(api, token_for("demo.buckeye"), office_visit())
    assert refused.status_code == 404
    assert refused.data["fields"] == {"billingProviderId": "is not a provider you act for"}
    made = submit(api, token_for("demo.jdoe"), office_visit()).data["claimNumber"]
    assert api.get(f"/claims/{made}", token=token_for("demo.buckeye")).status_code == 404
    assert api.get(f"/claims/{made}", token=token_for("demo.group")).data["claimNumber"] == made


def test_primary_other_insurance_denies_with_carc_22_until_the_prior_payment_is_reported(api, token_for):
    body = office_visit(memberId="10000000002", billingProviderId="100000000002")
    denied = submit(api, token_for("demo.group"), body).data
    assert denied["status"] == "DENIED"
    assert {a["reasonCode"] for line in denied["serviceLines"] for a in line["adjustments"]} == {"22"}
    assert denied["serviceLines"][0]["remarks"][0]["code"] == "MA04"
    body["serviceLines"][0]["charge"] = "130.00"  # other charges: not a duplicate of the denied claim
    body["serviceLines"][1]["charge"] = "26.00"
    body["totalCharge"] = "156.00"
    body["otherPayerPaid"] = "60.00"
    paid = submit(api, token_for("demo.group"), body).data
    assert paid["status"] == "APPROVED"
    assert paid["paid"] == "18.00"  # allowed 78.00 less the 60.00 Anthem paid
    assert paid["serviceLines"][0]["adjustments"][-1] == {
        "groupCode": "CO", "reasonCode": "23", "amount": "60.00",
        "description": "The impact of prior payer(s) adjudication including payments and/or adjustments."}


def test_emergency_visit_carries_the_cost_share_and_an_unlisted_code_is_denied(api, token_for):
    body = office_visit(placeOfService="23", serviceLines=[
        {"procedureCode": "99284", "units": 1, "charge": "420.00", "serviceDate": "2031-11-02",
         "diagnosisPointers": [1]},
        {"procedureCode": "99499", "units": 1, "charge": "80.00", "serviceDate": "2031-11-02",
         "diagnosisPointers": [1]}], totalCharge="500.00")
    claim = submit(api, token_for("demo.jdoe"), body).data
    emergency, unlisted = claim["serviceLines"]
    assert (emergency["allowed"], emergency["patientResponsibility"], emergency["paid"]) == ("155.00", "8.00",
                                                                                            "147.00")
    assert {(a["groupCode"], a["reasonCode"]) for a in emergency["adjustments"]} == {("CO", "45"), ("PR", "3")}
    assert (unlisted["paid"], unlisted["adjustments"][0]["reasonCode"], unlisted["remarks"][0]["code"]) == (
        "0.00", "96", "N130")
    assert claim["status"] == "APPROVED"


def test_an_exact_duplicate_is_denied_with_carc_18(api, token_for):
    token = token_for("demo.jdoe")
    submit(api, token, office_visit())
    again = submit(api, token, office_visit()).data
    assert again["status"] == "DENIED"
    assert {a["reasonCode"] for line in again["serviceLines"] for a in line["adjustments"]} == {"18"}


def test_institutional_and_dental_claims(api, token_for):
    token = token_for("demo.jdoe")
    ub04 = {
        "claimType": "INSTITUTIONAL", "billingProviderId": "100000000001", "memberId": "10000000001",
        "facilityTypeCode": "13", "diagnosisCodes": ["R07.9"], "totalCharge": "1130.00",
        "serviceLines": [{"revenueCode": "0450", "units": 1, "charge": "950.00", "serviceDate": "2031-11-02"},
                         {"revenueCode": "0300", "procedureCode": "85025", "units": 1, "charge": "180.00",
                          "serviceDate": "2031-11-02"}],
    }
    facility = submit(api, token, ub04).data
    assert (facility["status"], facility["paid"]) == ("APPROVED", "387.00")  # 350 - 8 copay + 45
    assert submit(api, token, {**ub04, "facilityTypeCode": "11"}).data["fields"]["admissionDate"]
    ada = {
        "claimType": "DENTAL", "billingProviderId": "100000000001", "memberId": "10000000001", "totalCharge": "190.00",
        "serviceLines": [{"procedureCode": "D2391", "tooth": "14", "surfaces": "O", "charge": "190.00",
                          "serviceDate": "2031-11-02"}],
    }
    dental = submit(api, token, ada).data
    assert (dental["status"], dental["paid"], dental["serviceLines"][0]["tooth"]) == ("APPROVED", "85.00", "14")
    bad_tooth = submit(api, token, {**ada, "serviceLines": [{**ada["serviceLines"][0], "tooth": "33"}]})
    assert bad_tooth.data["fields"]["serviceLines.0.tooth"].startswith("must be a tooth number")


def sterilization():
    return office_visit(diagnosisCodes=["Z30.2"], placeOfService="22", serviceLines=[
        {"procedureCode": "58600", "units": 1, "charge": "1500.00", "serviceDate": "2031-11-02",
         "diagnosisPointers": [1]}], totalCharge="1500.00")


def test_a_sterilization_pends_for_consent_and_is_released_when_the_form_arrives(api, token_for, pump):
    token = token_for("demo.jdoe")
    pended = submit(api, token, sterilization()).data
    assert (pended["status"], pended["pendReason"], pended["consentType"]) == (
        "PENDED", "CONSENT_FORM_REQUIRED", "STERILIZATION")
    assert pended["paid"] == "0.00"
    ticket = api.post("/members/10000000001/consent-forms", {
        "consentType": "STERILIZATION", "dateOfService": "2031-11-02", "claimNumber": pended["claimNumber"],
        "fileName": "consent.pdf", "contentType": "application/pdf"}, token=token).data
    sent = requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"],
                         files={"file": ("consent.pdf", PDF)}, timeout=10)
    assert sent.status_code in (200, 204)
    pump.drain_queues()
    released = api.get(f"/claims/{pended['claimNumber']}", token=token).data
    assert (released["status"], released["paid"]) == ("APPROVED", "700.00")
    assert released["consentDocumentId"] == ticket["document"]["documentId"]
    assert [entry["status"] for entry in released["history"]] == ["PENDED", "APPROVED"]
    assert ClaimModel.get(pended["claimNumber"]).consent_pending_member is None


def test_a_corrected_claim_replaces_a_final_original_of_the_same_provider(api, token_for):
    token = token_for("demo.jdoe")
    original = submit(api, token, office_visit()).data
    corrected_body = office_visit(frequency="7", originalClaimNumber=original["claimNumber"])
    corrected_body["serviceLines"][0]["procedureCode"] = "99214"
    corrected = submit(api, token, corrected_body).data
    assert corrected["status"] == "APPROVED"
    assert corrected["paid"] == "113.00"
    assert corrected["originalClaimNumber"] == original["claimNumber"]
    replaced = api.get(f"/claims/{original['claimNumber']}", token=token).data
    assert (replaced["status"], replaced["replacedBy"]) == ("REPLACED", corrected["claimNumber"])
    assert ClaimModel.get(original["claimNumber"]).payable is None
    again = submit(api, token, corrected_body)
    assert again.status_code == 400
    assert "already replaced" in again.data["fields"]["originalClaimNumber"]
    unknown = submit(api, token, office_visit(frequency="8", originalClaimNumber="2600000000000"))
    assert "is not a claim of this billing provider" in unknown.data["fields"]["originalClaimNumber"]
    other_provider = submit(api, token_for("demo.group"), office_visit(
        frequency="8", originalClaimNumber=corrected["claimNumber"], billingProviderId="100000000002"))
    assert other_provider.status_code == 400


def test_a_pended_original_cannot_be_corrected_yet(api, token_for):
    token = token_for("demo.jdoe")
    pended = submit(api, token, sterilization()).data
    body = sterilization()
    body.update(frequency="7", originalClaimNumber=pended["claimNumber"])
    refused = submit(api, token, body)
    assert refused.status_code == 400
    assert "not final yet (pended)" in refused.data["fields"]["originalClaimNumber"]


def test_racing_submissions_with_one_idempotency_key_make_one_claim(api, token_for):
    token = token_for("demo.jdoe")
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda _: submit(api, token, office_visit(), key="claim-race-1"), range(3)))
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.data["claimNumber"] for answer in answers}) == 1
    assert ClaimModel.count() == 1
    reused = submit(api, token, office_visit(patientControlNumber="OTHER"), key="claim-race-1")
    assert (reused.status_code, reused.data["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")


def test_search_by_provider_member_status_and_dates_pages_on_indexes(api, token_for):
    token = token_for("demo.jdoe")
    numbers = [submit(api, token, office_visit(patientControlNumber=f"A{n}", serviceLines=[
        {"procedureCode": "99213", "units": 1, "charge": f"{100 + n}.00", "serviceDate": f"2031-11-0{n + 1}",
         "diagnosisPointers": [1]}], totalCharge=f"{100 + n}.00")).data["claimNumber"] for n in range(3)]
    submit(api, token, sterilization())
    first = api.get("/claims?limit=2", token=token).data
    assert "count" not in first  # a search page has no total: counting read the whole partition
    assert len(first["items"]) == 2
    assert first["nextToken"]
    second = api.get(f"/claims?limit=2&nextToken={first['nextToken']}", token=token).data
    assert len(second["items"]) == 2
    assert second["nextToken"] is None  # the page read one item past its own: none, so no token
    assert {c["claimNumber"] for c in first["items"] + second["items"]} >= set(numbers)
    pended = api.get("/claims?status=PENDED", token=token).data
    assert [c["status"] for c in pended["items"]] == ["PENDED"]
    by_dates = api.get("/claims?memberId=10000000001&serviceFrom=2031-11-02&serviceTo=2031-11-03",
                       token=token).data
    expected = [*numbers[1:], pended["items"][0]["claimNumber"]]
    assert sorted(c["claimNumber"] for c in by_dates["items"]) == sorted(expected)
    by_number = api.get(f"/claims?claimNumber={numbers[0]}", token=token).data
    assert [c["claimNumber"] for c in by_number["items"]] == [numbers[0]]
    assert by_number["nextToken"] is None
    today = api.get("/claims?receivedFrom=2031-11-23&receivedTo=2031-11-23", token=token).data
    assert len(today["items"]) == 4
    assert today["nextToken"] is None
    assert api.get("/claims?receivedFrom=2031-11-24", token=token).data == {"items": [], "nextToken": None}
    backwards = api.get("/claims?receivedFrom=2031-11-23&receivedTo=2031-11-01", token=token)
    assert backwards.status_code == 400
    assert backwards.data["fields"] == {"receivedTo": "must be on or after receivedFrom"}
    assert api.get("/claims?serviceFrom=2031-11-01", token=token).data["fields"]["memberId"]
    assert api.get("/claims?providerId=200000000001", token=token).status_code == 404


def test_images_attach_to_an_existing_claim(api, token_for, pump):
    token = token_for("demo.jdoe")
    claim = submit(api, token, office_visit()).data
    answer = api.post(f"/claims/{claim['claimNumber']}/documents",
                      {"attachments": [{"fileName": "op note.pdf", "contentType": "application/pdf"}]}, token=token)
    assert answer.status_code == 201, answer.data
    ticket = answer.data["uploads"][0]
    requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"], files={"file": ("x.pdf", PDF)},
                  timeout=10)
    pump.drain_queues()
    documents = api.get(f"/claims/{claim['claimNumber']}", token=token).data["documents"]
    assert [(d["fileName"], d["status"]) for d in documents] == [("op_note.pdf", "RECEIVED")]


def test_payment_cycle_pays_per_tax_id_with_eop_and_a_valid_835_including_a_reversal(api, token_for):
    import pyx12.params
    import pyx12.x12n_document

    jdoe, staff = token_for("demo.jdoe"), token_for("planadmin")
    paid = submit(api, jdoe, office_visit()).data
    denied = submit(api, jdoe, office_visit()).data  # the duplicate, reported on the 835 as denied
    buckeye = submit(api, token_for("demo.buckeye"), office_visit(
        memberId="20000000001", billingProviderId="200000000002")).data
    assert api.post("/review/payment-cycles", token=jdoe).status_code == 403
    cycle = api.post("/review/payment-cycles", token=staff).data
    assert sorted((p["taxId"], p["amount"], p["claimCount"]) for p in cycle["payments"]) == [
        ("310000001", "78.00", 2), ("310000002", "78.00", 1)]
    payment = next(p for p in cycle["payments"] if p["taxId"] == "310000001")
    assert api.get(f"/payments/{payment['paymentId']}", token=token_for("demo.buckeye")).status_code == 404
    group = token_for("demo.group")  # payments go to the Tax ID: its group account sees them
    eop = api.get(f"/payments/{payment['paymentId']}", token=group).data
    assert {c["claimNumber"] for c in eop["claims"]} == {paid["claimNumber"], denied["claimNumber"]}
    assert (eop["totalCharge"], eop["totalPaid"]) == ("300.00", "78.00")
    assert {c["claimNumber"]: c["status"] for c in eop["claims"]} == {
        paid["claimNumber"]: "PAID", denied["claimNumber"]: "DENIED"}  # the EOP's claims are paid, not approved
    viewed = [event for event in AuditEventModel.query("10000000001") if event.action == "PAYMENT_VIEWED"]
    assert [(event.username, event.detail) for event in viewed] == [("demo.group", f"payment={payment['paymentId']}")]
    history = api.get("/payments", token=token_for("demo.group")).data
    assert [p["paymentId"] for p in history["items"]] == [payment["paymentId"]]
    assert buckeye["claimNumber"] not in {c["claimNumber"] for c in eop["claims"]}

    void = submit(api, jdoe, office_visit(frequency="8", originalClaimNumber=paid["claimNumber"])).data
    assert (void["status"], void["reversal"]) == ("VOID", "78.00")
    voided = api.get(f"/claims/{paid['claimNumber']}", token=jdoe).data
    assert (voided["status"], voided["replacedBy"]) == ("VOIDED", void["claimNumber"])
    second = api.post("/review/payment-cycles", token=staff).data
    assert second["payments"] == []
    assert second["heldTaxIds"] == ["310000001"]
    submit(api, jdoe, office_visit(serviceLines=[
        {"procedureCode": "99214", "units": 1, "charge": "175.00", "serviceDate": "2031-11-03",
         "diagnosisPointers": [1]}], totalCharge="175.00"))
    third = api.post("/review/payment-cycles", token=staff).data["payments"]
    assert [(p["amount"], p["claimCount"]) for p in third] == [("32.00", 2)]  # 110.00 paid - 78.00 taken back
    remit = api.get(f"/payments/{third[0]['paymentId']}/835", token=group)
    assert remit.status_code == 200
    text = remit.body.decode() if isinstance(remit.body, bytes) else remit.body
    assert "BPR*I*32.00*C*ACH" in text
    assert f"CLP*ACCT-1001*22*-150.00*-78.00**MC*{paid['claimNumber']}" in text
    assert "CAS*CO*45*-50.00" in text
    errors = io.StringIO()
    assert pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), None, None, None, errors), \
        errors.getvalue()
    first_835 = api.get(f"/payments/{payment['paymentId']}/835", token=group).body
    first_835 = first_835.decode() if isinstance(first_835, bytes) else first_835
    assert "CLP*ACCT-1001*4*150.00*0.00**MC" in first_835
    assert "CAS*CO*18*125.00" in first_835
    assert pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(first_835), None, None, None, None)


def test_one_payment_cycle_runs_at_a_time_and_a_dead_holders_lease_lapses(api, token_for, clock):
    from datetime import timedelta

    from chalicelib.platform.dynamo.control import release_lease, take_lease

    jdoe, staff = token_for("demo.jdoe"), token_for("planadmin")
    paid = submit(api, jdoe, office_visit()).data
    assert take_lease("payment-cycle", "another-cycle", clock(), timedelta(minutes=15))
    busy = api.post("/review/payment-cycles", token=staff)
    assert (busy.status_code, busy.data["code"]) == (409, "PAYMENT_CYCLE_RUNNING")
    assert ClaimModel.get(paid["claimNumber"]).payment_id is None  # nothing was paid by the refused run
    clock.advance(minutes=16)  # the other holder died: its lease lapses
    staff = token_for("planadmin")
    cycle = api.post("/review/payment-cycles", token=staff).data
    assert [p["claimCount"] for p in cycle["payments"]] == [1]
    assert ClaimModel.get(paid["claimNumber"]).payment_id == cycle["payments"][0]["paymentId"]
    again = api.post("/review/payment-cycles", token=staff)  # the finished cycle gave its lease back
    assert (again.status_code, again.data["payments"]) == (201, [])
    release_lease("payment-cycle", "someone-else")  # only the holder can release: a no-op, no error


def test_payments_are_the_group_accounts_and_a_practitioner_sees_the_eop_lines_of_its_own_claims(api, token_for):
    jdoe, group, staff = token_for("demo.jdoe"), token_for("demo.group"), token_for("planadmin")
    hers = submit(api, jdoe, office_visit()).data
    roberts = submit(api, group, office_visit(billingProviderId="100000000002", serviceLines=[
        {"procedureCode": "99214", "units": 1, "charge": "175.00", "serviceDate": "2031-11-05",
         "diagnosisPointers": [1]}], totalCharge="175.00")).data
    assert (hers["status"], roberts["status"]) == ("APPROVED", "APPROVED")
    assert (hers["paymentId"], hers["paidOn"], hers["paymentTrace"]) == (None, None, None)
    approved = api.get("/claims?status=APPROVED&limit=50", token=jdoe).data["items"]
    assert hers["claimNumber"] in {claim["claimNumber"] for claim in approved}
    [payment] = api.post("/review/payment-cycles", token=staff).data["payments"]
    assert (payment["amount"], payment["claimCount"]) == ("188.00", 2)

    paid = api.get(f"/claims/{hers['claimNumber']}", token=jdoe).data  # APPROVED until a payment includes it
    assert (paid["status"], paid["statusLabel"], paid["paid"]) == ("PAID", "Paid", "78.00")
    assert (paid["paymentId"], paid["paidOn"], paid["paymentMethod"], paid["paymentTrace"]) == (
        payment["paymentId"], payment["paidOn"], payment["method"], payment["traceNumber"])
    assert [entry["status"] for entry in paid["history"]] == ["APPROVED", "PAID"]
    assert payment["paymentId"] in paid["history"][-1]["note"]
    assert hers["claimNumber"] not in {c["claimNumber"] for c in api.get(
        "/claims?status=APPROVED&limit=50", token=jdoe).data["items"]}
    assert hers["claimNumber"] in {c["claimNumber"] for c in api.get(
        "/claims?status=PAID&limit=50", token=jdoe).data["items"]}

    whole = api.get(f"/payments/{payment['paymentId']}", token=group).data  # the Tax ID's account: all of it
    assert whole["wholePayment"] is True
    assert {c["claimNumber"] for c in whole["claims"]} == {hers["claimNumber"], roberts["claimNumber"]}
    assert (whole["payment"]["amount"], whole["totalPaid"]) == ("188.00", "188.00")

    own = api.get(f"/payments/{payment['paymentId']}", token=jdoe)
    assert own.status_code == 200, own.data
    assert own.data["wholePayment"] is False
    assert [c["claimNumber"] for c in own.data["claims"]] == [hers["claimNumber"]]
    assert (own.data["totalCharge"], own.data["totalPaid"]) == ("150.00", "78.00")
    assert (own.data["payment"]["amount"], own.data["payment"]["claimCount"]) == (None, None)
    assert roberts["claimNumber"] not in own.body.decode()

    for path in (f"/payments/{payment['paymentId']}/835", "/payments", "/payments?taxId=310000001"):
        refused = api.get(path, token=jdoe)
        assert (refused.status_code, refused.data["code"]) == (403, "PAYMENTS_NOT_PERMITTED"), path
    assert api.get(f"/payments/{payment['paymentId']}/835", token=group).status_code == 200
    assert [p["paymentId"] for p in api.get("/payments", token=group).data["items"]] == [payment["paymentId"]]

    submit(api, group, office_visit(billingProviderId="100000000002", serviceLines=[
        {"procedureCode": "99213", "units": 1, "charge": "125.00", "serviceDate": "2031-11-06",
         "diagnosisPointers": [1]}], totalCharge="125.00"))
    [robert_only] = api.post("/review/payment-cycles", token=staff).data["payments"]
    none_of_hers = api.get(f"/payments/{robert_only['paymentId']}", token=jdoe)
    assert (none_of_hers.status_code, none_of_hers.data["code"]) == (404, "PAYMENT_NOT_FOUND")
    assert api.get("/payments/P000000000000", token=jdoe).status_code == 404
