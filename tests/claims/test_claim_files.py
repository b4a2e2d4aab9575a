"""837 files through presigned S3: pyx12 validation, the 999, and each claim accepted or rejected with reasons."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import pyx12.params
import pyx12.x12n_document
import requests

from chalicelib.claims.store import ClaimModel
from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.config import get_settings
from local.x12_generate import GeneratedClaim, generate_837p

pytestmark = pytest.mark.usefixtures("fee_schedules")
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
AVA = GeneratedClaim("10000000001", "THOMPSON", "AVA", date(1990, 4, 12), "F", date(2031, 11, 2))


def send(api, token, content: bytes, name="claims.837"):
    ticket = api.post("/claim-files", {"fileName": name}, token=token)
    assert ticket.status_code == 201, ticket.data
    upload = ticket.data["upload"]
    assert upload["fields"]["Content-Type"] == "application/edi-x12"
    sent = requests.post(upload["url"], data=upload["fields"], files={"file": (name, content)}, timeout=10)
    assert sent.status_code in (200, 204)
    return ticket.data["file"]["documentId"]


def result_of(api, token, pump, document_id):
    pump.drain_queues()
    answer = api.get(f"/claim-files/{document_id}", token=token)
    assert answer.status_code == 200
    return answer.data


def stored(key_suffix: str, document_id: str) -> str:
    body = aws_client("s3").get_object(Bucket=get_settings().documents_bucket,
                                       Key=f"results/claim-files/{document_id}/{key_suffix}")["Body"]
    return body.read().decode()


def valid_x12(text: str) -> bool:
    return pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), None, None, None, None)


@pytest.mark.parametrize("version", ["005010X222A1", "005010X222A2"])
def test_a_file_of_either_erratum_becomes_claims_like_the_online_form(api, token_for, pump, version):
    token = token_for("demo.group")
    other = GeneratedClaim("99999999999", "NOBODY", "NED", date(1980, 1, 1), "M", date(2031, 11, 2))
    ingrown = GeneratedClaim("10000000001", "THOMPSON", "AVA", date(1990, 4, 12), "F", date(2031, 11, 3),
                             procedure_code="99214", charge="175.00", diagnosis="L600")
    text = generate_837p([AVA, other, ingrown], "1912301953", "310000001", version=version)
    document_id = send(api, token, text.encode())
    result = result_of(api, token, pump, document_id)
    assert (result["status"], result["acknowledgment"]) == ("COMPLETED", "A")
    assert (result["claimsTotal"], result["claimsAccepted"], result["claimsRejected"]) == (3, 2, 1)
    ack = stored("acknowledgment.999", document_id)
    assert f"AK1*HC*1*{version}~" in ack
    assert "IK5*A~" in ack
    assert valid_x12(ack)
    rows = list(csv.DictReader(io.StringIO(stored("results.csv", document_id))))
    assert [row["outcome"] for row in rows] == ["ACCEPTED", "REJECTED", "ACCEPTED"]
    assert rows[1]["reasons"].startswith("MEMBER_NOT_FOUND")
    made = ClaimModel.get(rows[0]["claimNumber"])
    assert (made.source, made.batch_id, made.status, made.paid_cents) == ("X12", document_id, "APPROVED", 7500)
    assert made.diagnosis_codes == ["E11.9"]
    assert made.billing_provider_id == "999999999999"
    assert result["acknowledgmentUrl"].startswith("https://")


def test_an_invalid_claim_is_rejected_with_reasons_and_the_others_go_through(api, token_for, pump):
    token = token_for("demo.group")
    text = generate_837p([AVA, AVA.__class__(**{**AVA.__dict__, "service_date": date(2031, 11, 4)})],
                         "1912301953", "310000001")
    broken = text.replace("CLM*GEN0000001*125.00", "CLM*GEN0000001*12X.00", 1)
    document_id = send(api, token, broken.encode())
    result = result_of(api, token, pump, document_id)
    assert (result["acknowledgment"], result["claimsAccepted"], result["claimsRejected"]) == ("E", 1, 1)
    rows = list(csv.DictReader(io.StringIO(stored("results.csv", document_id))))
    assert rows[1]["outcome"] == "REJECTED"
    assert "CLM" in rows[1]["reasons"]
    ack = stored("acknowledgment.999", document_id)
    assert "IK3*CLM*" in ack
    assert "IK5*E~" in ack
    assert valid_x12(ack)


@pytest.mark.parametrize(("name", "ack", "reason"), [
    ("demo.example1.837", "A", "MEMBER_NOT_FOUND"),
    ("demo.example2.837", "A", "PROVIDER_NOT_FOUND"),
    ("demo.example6.837", "R", "Place of Service Code"),
    ("demo.cob.example3.A.837", "R", "Other Payer Name"),
    ("institutional-claim.837i", "R", "DTP"),
])
def test_the_real_world_samples_load_with_a_999_and_a_reason_per_claim(api, token_for, pump, name, ack, reason):
    token = token_for("demo.group")
    document_id = send(api, token, (SAMPLES / name).read_bytes(), name=name)
    result = result_of(api, token, pump, document_id)
    assert result["status"] == "COMPLETED"
    assert result["acknowledgment"] == ack
    assert result["claimsTotal"] == 1
    assert result["claimsRejected"] == 1
    rows = list(csv.DictReader(io.StringIO(stored("results.csv", document_id))))
    assert reason in rows[0]["reasons"]
    assert valid_x12(stored("acknowledgment.999", document_id))


def test_a_file_that_is_not_an_837_is_rejected_and_kept(api, token_for, pump):
    token = token_for("demo.group")
    document_id = send(api, token, b"member,dateOfService\n1,2031-11-02\n", name="wrong.csv")
    result = result_of(api, token, pump, document_id)
    assert result["status"] == "REJECTED"
    assert "does not start with an ISA segment" in result["reason"]
    remittance = (SAMPLES / "secondary-payment.835").read_bytes()
    other = result_of(api, token, pump, send(api, token, remittance, name="payment.835"))
    assert other["status"] == "REJECTED"
    assert "not an 837P" in other["reason"]


def test_another_office_cannot_see_the_file(api, token_for, pump):
    document_id = send(api, token_for("demo.group"), generate_837p([AVA], "1912301953", "310000001").encode())
    pump.drain_queues()
    assert api.get(f"/claim-files/{document_id}", token=token_for("demo.buckeye")).status_code == 404
    listed = api.get("/claim-files", token=token_for("demo.group")).data
    assert [item["documentId"] for item in listed["items"]] == [document_id]
    assert api.get("/claim-files", token=token_for("demo.jdoe")).data["count"] == 0  # sent for the group
    own = send(api, token_for("demo.jdoe"), generate_837p([AVA], "1407345679", "310000001").encode())
    mine = api.get("/claim-files", token=token_for("demo.jdoe")).data
    assert [item["documentId"] for item in mine["items"]] == [own]
    assert api.get("/claim-files", token=token_for("demo.group")).data["count"] == 2


def test_cells_a_spreadsheet_would_run_are_written_as_text_in_the_results(api, token_for, pump):
    token = token_for("demo.group")
    text = generate_837p([AVA], "1912301953", "310000001").replace("CLM*GEN0000000*", "CLM*=2+5*")
    text = text.replace("*MI*10000000001~", "*MI*@SUM(A1)~")
    document_id = send(api, token, text.encode())
    assert result_of(api, token, pump, document_id)["status"] == "COMPLETED"
    rows = list(csv.DictReader(io.StringIO(stored("results.csv", document_id))))
    assert (rows[0]["patientControlNumber"], rows[0]["memberId"]) == ("'=2+5", "'@SUM(A1)")


def test_two_files_acknowledged_in_the_same_second_get_distinct_control_numbers(api, token_for, pump):
    token = token_for("demo.group")
    first = send(api, token, generate_837p([AVA], "1912301953", "310000001").encode())
    second = send(api, token, generate_837p([AVA], "1912301953", "310000001", control_number=2).encode())
    pump.drain_queues()  # the test's clock stands still: both are acknowledged "at once"
    numbers = [stored("acknowledgment.999", document_id).split("~", 1)[0].split("*")[13]
               for document_id in (first, second)]
    assert numbers[0] != numbers[1]
    assert all(number.isdigit() and len(number) == 9 for number in numbers)


def test_a_claim_file_posted_as_a_pdf_is_rejected_with_the_reason(api, token_for, pump):
    """moto ignores the presigned Content-Type condition; the handler checks the declared type itself."""
    token = token_for("demo.group")
    ticket = api.post("/claim-files", {"fileName": "claims.837"}, token=token).data
    upload = ticket["upload"]
    fields = {**upload["fields"], "Content-Type": "application/pdf"}
    content = generate_837p([AVA], "1912301953", "310000001").encode()
    sent = requests.post(upload["url"], data=fields, files={"file": ("claims.837", content)}, timeout=10)
    assert sent.status_code in (200, 204)
    document_id = ticket["file"]["documentId"]
    result = result_of(api, token, pump, document_id)
    assert result["status"] == "REJECTED"
    assert result["reason"] == "the file was sent as application/pdf, but this upload takes application/edi-x12"
    assert result["claimsAccepted"] == 0
    assert list(ClaimModel.scan(ClaimModel.batch_id == document_id)) == []


JANE_NPI, ROBERT_NPI = "1407345679", "1588667638"  # two practitioners of Tax ID 310000001 (demo.jdoe is Jane's)
NOT_ROBERTS = f"PROVIDER_NOT_FOUND: billing provider NPI {ROBERT_NPI} is not a provider this account may submit for"


def on(day: int, **changes) -> GeneratedClaim:
    return GeneratedClaim(**{**AVA.__dict__, "service_date": date(2031, 11, day), **changes})


def rows_of(document_id: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(stored("results.csv", document_id))))


def submitted_online(api, token, **changes):
    """The same claim as ``on(3)`` through the online form (POST /claims)."""
    return api.post("/claims", {
        "claimType": "PROFESSIONAL", "billingProviderId": "100000000001", "memberId": AVA.member_id,
        "placeOfService": "11", "diagnosisCodes": ["E11.9"], "totalCharge": "125.00",
        "serviceLines": [{"procedureCode": "99213", "units": 1, "charge": "125.00", "serviceDate": "2031-11-03",
                          "diagnosisPointers": [1]}], **changes}, token=token)


def reasons_of(error: dict) -> str:
    """An online error as the results file words it (code: message | field: problem ...)."""
    return " | ".join([f"{error['code']}: {error['message']}",
                       *(f"{name}: {problem}" for name, problem in error["fields"].items())])


def test_a_practitioner_cannot_bill_as_another_practitioner_of_its_tax_id_in_a_file(api, token_for, pump):
    """The file claim passes the online form's check for the uploader's own principal, not its Tax ID's."""
    jdoe = token_for("demo.jdoe")
    text = generate_837p([on(2), on(3, billing_npi=ROBERT_NPI), on(4)], JANE_NPI, "310000001")
    document_id = send(api, jdoe, text.encode())
    result = result_of(api, jdoe, pump, document_id)
    assert (result["status"], result["claimsTotal"], result["claimsAccepted"], result["claimsRejected"]) == (
        "COMPLETED", 3, 2, 1)
    rows = rows_of(document_id)
    assert [(row["billingNpi"], row["outcome"]) for row in rows] == [
        (JANE_NPI, "ACCEPTED"), (ROBERT_NPI, "REJECTED"), (JANE_NPI, "ACCEPTED")]
    assert (rows[1]["reasons"], rows[1]["claimNumber"]) == (NOT_ROBERTS, "")
    made = list(ClaimModel.scan(ClaimModel.batch_id == document_id))
    assert sorted(claim.claim_number for claim in made) == sorted([rows[0]["claimNumber"], rows[2]["claimNumber"]])
    assert {claim.billing_provider_id for claim in made} == {"100000000001"}
    online = submitted_online(api, jdoe, billingProviderId="100000000002")
    assert (online.status_code, online.data["code"]) == (404, rows[1]["reasons"].split(":", 1)[0])


def test_an_npi_the_plan_does_not_know_is_refused_in_the_words_of_another_offices(api, token_for, pump):
    """A file must not tell which NPIs the directory holds: the online form's 404 says the same for both."""
    jdoe = token_for("demo.jdoe")
    unknown, buckeye = "1234567893", "1518960241"  # a well-formed NPI nobody has; another Tax ID's provider
    document_id = send(api, jdoe, generate_837p([on(3, billing_npi=unknown), on(4, billing_npi=buckeye)], JANE_NPI,
                                                "310000001").encode())
    assert result_of(api, jdoe, pump, document_id)["claimsRejected"] == 2
    reasons = [row["reasons"] for row in rows_of(document_id)]
    assert [reason.replace(unknown, "<npi>").replace(buckeye, "<npi>") for reason in reasons] == [
        NOT_ROBERTS.replace(ROBERT_NPI, "<npi>")] * 2


def test_a_group_account_may_bill_as_each_provider_of_its_tax_id_in_a_file(api, token_for, pump):
    group = token_for("demo.group")
    text = generate_837p([on(2), on(3, billing_npi=ROBERT_NPI), on(4)], JANE_NPI, "310000001")
    document_id = send(api, group, text.encode())
    result = result_of(api, group, pump, document_id)
    assert (result["claimsAccepted"], result["claimsRejected"]) == (3, 0)
    made = {ClaimModel.get(row["claimNumber"]).billing_provider_id for row in rows_of(document_id)}
    assert made == {"100000000001", "100000000002"}


def test_a_practitioners_void_of_another_practitioners_paid_claim_is_rejected_as_online(api, token_for, pump):
    group, jdoe, staff = token_for("demo.group"), token_for("demo.jdoe"), token_for("planadmin")
    made = result_of(api, group, pump, send(api, group, generate_837p([on(3)], ROBERT_NPI, "310000001").encode()))
    [paid] = api.post("/review/payment-cycles", token=staff).data["payments"]
    roberts = ClaimModel.get(rows_of(made["documentId"])[0]["claimNumber"])
    assert (roberts.billing_provider_id, roberts.status, roberts.payment_id) == (
        "100000000002", "PAID", paid["paymentId"])
    voids = [on(3, frequency="8", original_claim_number=roberts.claim_number, billing_npi=ROBERT_NPI),
             on(3, frequency="7", original_claim_number=roberts.claim_number, billing_npi=ROBERT_NPI),
             on(3, frequency="8", original_claim_number=roberts.claim_number)]  # billed as Jane, naming his claim
    document_id = send(api, jdoe, generate_837p(voids, JANE_NPI, "310000001").encode())
    result = result_of(api, jdoe, pump, document_id)
    assert (result["claimsAccepted"], result["claimsRejected"]) == (0, 3)
    rows = rows_of(document_id)
    assert [row["reasons"] for row in rows[:2]] == [NOT_ROBERTS, NOT_ROBERTS]
    online = submitted_online(api, jdoe, frequency="8", originalClaimNumber=roberts.claim_number)
    assert online.status_code == 400
    assert rows[2]["reasons"] == reasons_of(online.data)  # what the online form answers, word for word
    assert "is not a claim of this billing provider" in rows[2]["reasons"]
    assert list(ClaimModel.scan(ClaimModel.batch_id == document_id)) == []
    unchanged = ClaimModel.get(roberts.claim_number)
    assert (unchanged.status, unchanged.replaced_by, unchanged.paid_cents) == ("PAID", None, 7500)
    cycle = api.post("/review/payment-cycles", token=staff).data  # nothing to take back: no payment, none held
    assert (cycle["payments"], cycle["heldTaxIds"]) == ([], [])


def test_a_file_whose_uploader_was_disabled_before_it_ran_makes_no_claim(api, token_for, pump):
    from chalicelib.accounts.store import AccountModel, account_key

    jdoe = token_for("demo.jdoe")
    document_id = send(api, jdoe, generate_837p([on(2)], JANE_NPI, "310000001").encode())
    AccountModel(pk=account_key("demo.jdoe")).update(actions=[AccountModel.status.set("DISABLED")])
    result = result_of(api, token_for("demo.group"), pump, document_id)
    assert result["status"] == "REJECTED"
    assert result["reason"] == ("the account that uploaded the file is no longer active, or no longer acts for "
                                "provider 100000000001: nothing in the file was processed for it")
    assert list(ClaimModel.scan(ClaimModel.batch_id == document_id)) == []
