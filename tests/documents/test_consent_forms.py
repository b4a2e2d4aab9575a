import json
from datetime import UTC, date, datetime

import pytest
import requests

from chalicelib import wiring
from chalicelib.documents.consent import ClaimForConsent, ConsentType
from chalicelib.documents.store import DocumentModel
from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.config import get_settings

pytestmark = pytest.mark.usefixtures("members")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer\n%%EOF\n"


def ask(api, token, member_id="10000000001", **changes):
    body = {"consentType": "STERILIZATION", "dateOfService": "2031-11-02", "fileName": "consent form.pdf",
            "contentType": "application/pdf", **changes}
    return api.post(f"/members/{member_id}/consent-forms", body, token=token)


def upload(ticket, content: bytes, name="consent.pdf"):
    response = requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"],
                             files={"file": (name, content)}, timeout=10)
    assert response.status_code in (200, 204), response.text
    return response


def status_of(api, token, document_id):
    response = api.get(f"/documents/{document_id}", token=token)
    assert response.status_code == 200
    return response.data


def bucket_keys():
    listing = aws_client("s3").list_objects_v2(Bucket=get_settings().documents_bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_upload_is_checked_recorded_and_answered_through_the_api(api, token_for, pump):
    token = token_for("demo.group")
    response = ask(api, token, claimNumber="C123")
    assert response.status_code == 201
    ticket = response.data
    document = ticket["document"]
    assert document["status"] == "AWAITING_UPLOAD"
    assert ticket["upload"]["maxBytes"] == 10 * 1024 * 1024
    assert ticket["upload"]["fields"]["Content-Type"] == "application/pdf"
    assert "content-length-range" in json.dumps(ticket["upload"]["fields"]) or ticket["upload"]["fields"]["policy"]

    upload(ticket, PDF)
    assert status_of(api, token, document["documentId"])["status"] == "AWAITING_UPLOAD"
    pump.drain_queues()
    received = status_of(api, token, document["documentId"])
    assert received["status"] == "RECEIVED"
    assert received["sizeBytes"] == len(PDF)
    assert received["receivedAt"] is not None
    assert received["claimNumber"] == "C123"
    assert received["fileName"] == "consent_form.pdf"


@pytest.mark.parametrize(
    ("content", "declared", "reason"),
    [
        (b"MZ\x90\x00 this is an executable", "application/pdf", "the file is not a PDF, TIFF, JPEG or PNG"),
        (PDF, "image/png", "the file was declared image/png but is application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024), "image/png", "the file is 10485768 bytes"),
    ],
)
def test_bad_bytes_are_rejected_with_the_reason_and_quarantined(api, token_for, pump, content, declared, reason):
    token = token_for("demo.group")
    ticket = ask(api, token, contentType=declared).data
    upload(ticket, content)  # moto does not enforce the presigned conditions; the handler must
    pump.drain_queues()
    document = status_of(api, token, ticket["document"]["documentId"])
    assert document["status"] == "REJECTED"
    assert document["reason"].startswith(reason)
    keys = bucket_keys()
    assert not any(key.startswith("uploads/") for key in keys)
    assert any(key.startswith("quarantine/consent-forms/" + ticket["document"]["documentId"]) for key in keys)


def test_the_same_event_delivered_twice_records_one_document(api, token_for, pump):
    token = token_for("demo.group")
    ticket = ask(api, token).data
    upload(ticket, PDF)
    sqs = aws_client("sqs")
    url = sqs.get_queue_url(QueueName=get_settings().resource_name("uploads"))["QueueUrl"]
    [message] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    sqs.send_message(QueueUrl=url, MessageBody=message["Body"])
    assert pump.drain_queues() == 2
    first = DocumentModel.get(ticket["document"]["documentId"])
    assert first.status == "RECEIVED"
    assert len(list(DocumentModel.by_member.query("10000000001"))) == 1


def test_an_upload_nobody_asked_for_is_quarantined(pump):
    s3 = aws_client("s3")
    s3.put_object(Bucket=get_settings().documents_bucket, Key="uploads/consent-forms/not-a-document/x.pdf", Body=PDF)
    pump.drain_queues()
    assert bucket_keys() == ["quarantine/consent-forms/not-a-document/x.pdf"]


def test_no_upload_for_a_date_the_member_is_not_eligible(api, token_for):
    response = ask(api, token_for("demo.group"), member_id="10000000002", dateOfService="2030-08-15")
    assert response.status_code == 409
    assert response.data["code"] == "MEMBER_NOT_ELIGIBLE"
    assert response.data["fields"] == {"dateOfService": "the member is not eligible on this date"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consentType": "TONSILLECTOMY"}, "consentType"),
        ({"contentType": "application/x-msdownload"}, "contentType"),
        ({"dateOfService": "2032-01-01"}, "dateOfService"),
        ({"fileName": ""}, "fileName"),
        ({"claimNumber": "<script>"}, "claimNumber"),
    ],
)
def test_bad_requests_name_the_field(api, token_for, changes, field):
    response = ask(api, token_for("demo.group"), **changes)
    assert response.status_code == 400
    assert field in response.data["fields"]


def test_other_providers_documents_answer_not_found(api, token_for, pump):
    ticket = ask(api, token_for("demo.group")).data
    document_id = ticket["document"]["documentId"]
    ohio = api.get(f"/documents/{document_id}", token=token_for("demo.buckeye"))
    assert ohio.status_code == 404
    assert ohio.data["code"] == "DOCUMENT_NOT_FOUND"
    jdoe_list = api.get("/members/10000000001/consent-forms", token=token_for("demo.jdoe"))
    assert jdoe_list.data["count"] == 0  # the group uploaded it for the group, not for Jane Doe
    group_list = api.get("/members/10000000001/consent-forms", token=token_for("demo.group"))
    assert [item["documentId"] for item in group_list.data["items"]] == [document_id]


def received_form(api, token_for, pump, received_at: datetime, **changes):
    ticket = ask(api, token_for("demo.group"), **changes).data
    upload(ticket, PDF)
    pump.drain_queues()
    document = DocumentModel.get(ticket["document"]["documentId"])
    document.update(actions=[DocumentModel.received_at.set(received_at)])
    return document


def claim(number="C-1", received_on=date(2031, 11, 6), member_id="10000000001"):
    return ClaimForConsent(number, member_id, ConsentType.STERILIZATION, received_on)


def test_without_a_claim_number_a_form_applies_to_claims_received_on_or_after_its_receipt_date(
        api, token_for, pump):
    # 2031-11-06 02:30 UTC is still 2031-11-05 in the plan's time zone (Eastern).
    form = received_form(api, token_for, pump, datetime(2031, 11, 6, 2, 30, tzinfo=UTC))
    service = wiring.current().documents()
    assert service.received_on(form) == date(2031, 11, 5)
    assert service.applicable_consent_form(claim(received_on=date(2031, 11, 4))) is None
    assert service.applicable_consent_form(claim(received_on=date(2031, 11, 5))).document_id == form.document_id
    assert service.applicable_consent_form(claim(received_on=date(2031, 11, 6))).document_id == form.document_id
    assert service.applicable_consent_form(claim(member_id="10000000002")) is None


def test_with_a_claim_number_a_form_applies_to_that_claim_only(api, token_for, pump):
    form = received_form(api, token_for, pump, datetime(2031, 11, 6, 15, 0, tzinfo=UTC), claimNumber="C-9")
    service = wiring.current().documents()
    assert service.applicable_consent_form(claim("C-9", received_on=date(2031, 10, 1))).document_id == \
        form.document_id
    assert service.applicable_consent_form(claim("C-10", received_on=date(2031, 11, 20))) is None


def test_a_form_posted_with_another_type_than_it_asked_for_is_rejected(api, token_for, pump):
    token = token_for("demo.group")
    ticket = ask(api, token, contentType="application/pdf").data
    fields = {**ticket["upload"]["fields"], "Content-Type": "text/html"}
    sent = requests.post(ticket["upload"]["url"], data=fields, files={"file": ("consent.pdf", PDF)}, timeout=10)
    assert sent.status_code in (200, 204)
    pump.drain_queues()
    document = status_of(api, token, ticket["document"]["documentId"])
    assert document["status"] == "REJECTED"
    assert document["reason"] == "the file was sent as text/html, but this upload takes application/pdf"
