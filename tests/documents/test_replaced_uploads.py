"""A key takes one object (DECISIONS: Uploads): a later POST with the same presigned form is refused, the first
bytes are the ones kept and served; and the malware scanner's verdict comes before any upload is accepted."""

import pytest
import requests

from chalicelib import wiring
from chalicelib.documents.scanning import NoScanner, ScanResult, ScanVerdict, scanner_named
from chalicelib.documents.store import DocumentModel
from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.config import get_settings

pytestmark = pytest.mark.usefixtures("members")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode, and should not be here"
CSV = b"memberId,medicaidId,lastName,firstName,birthDate,dateOfService\r\n10000000001,,,,,2031-11-01\r\n"


def post(ticket, content: bytes, name: str) -> None:
    sent = requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"], files={"file": (name, content)},
                         timeout=10)
    assert sent.status_code in (200, 204), sent.text


def ask_consent_upload(api, token):
    response = api.post("/members/10000000001/consent-forms", {
        "consentType": "STERILIZATION", "dateOfService": "2031-11-02", "fileName": "consent.pdf",
        "contentType": "application/pdf"}, token=token)
    assert response.status_code == 201, response.data
    return response.data, response.data["document"]["documentId"]


def ask_member_file_upload(api, token):
    response = api.post("/members/eligibility-files", {"fileName": "members.csv"}, token=token)
    assert response.status_code == 201, response.data
    return response.data, response.data["file"]["documentId"]


def downloaded(api, token, document_id) -> bytes:
    response = api.get(f"/documents/{document_id}/download", token=token)
    assert response.status_code == 302, response.data
    got = requests.get(response.headers["Location"], timeout=10)
    assert got.status_code == 200
    return got.content


def objects_under(prefix: str) -> dict[str, bytes]:
    s3 = aws_client("s3")
    bucket = get_settings().documents_bucket
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {item["Key"]: s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listing}


@pytest.mark.parametrize(("ask", "first", "accepted_status", "size", "rows"), [
    (ask_consent_upload, PDF, "RECEIVED", len(PDF), 0),
    (ask_member_file_upload, CSV, "COMPLETED", None, 1),  # a member file's record counts rows, not bytes
])
def test_a_second_post_to_an_accepted_upload_is_refused_and_the_first_bytes_are_served(
        api, token_for, pump, ask, first, accepted_status, size, rows):
    token = token_for("demo.group")
    ticket, document_id = ask(api, token)
    post(ticket, first, "first")
    pump.drain_queues()
    accepted = api.get(f"/documents/{document_id}", token=token).data
    assert (accepted["status"], accepted["sizeBytes"]) == (accepted_status, size)
    taken = DocumentModel.get(document_id)
    assert taken.s3_key.startswith(f"accepted/{taken.kind}/{document_id}/")

    post(ticket, EXECUTABLE, "first")  # the same presigned form, within its 15 minutes
    assert pump.drain_queues() == 1

    after = api.get(f"/documents/{document_id}", token=token).data
    assert after == accepted  # status, size and receipt time: the first file's
    assert downloaded(api, token, document_id) == first
    record = DocumentModel.get(document_id)
    assert (record.s3_key, record.rows_total) == (taken.s3_key, rows)
    assert len(record.refused_uploads) == 1
    assert record.refused_uploads != {taken.upload_etag}
    assert objects_under(f"quarantine/{taken.kind}/{document_id}/") == {
        f"quarantine/{taken.kind}/{document_id}/{taken.file_name}": EXECUTABLE}
    assert objects_under("uploads/") == {}
    assert objects_under("accepted/") == {taken.s3_key: first}


def test_the_accepted_uploads_event_again_refuses_nothing(api, token_for, pump):
    token = token_for("demo.group")
    ticket, document_id = ask_consent_upload(api, token)
    post(ticket, PDF, "consent.pdf")
    sqs = aws_client("sqs")
    url = sqs.get_queue_url(QueueName=get_settings().resource_name("uploads"))["QueueUrl"]
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    sqs.send_message(QueueUrl=url, MessageBody=message["Body"])
    assert pump.drain_queues() == 2
    record = DocumentModel.get(document_id)
    assert (record.status, record.refused_uploads) == ("RECEIVED", None)
    assert downloaded(api, token, document_id) == PDF


def test_no_download_before_an_upload_is_accepted_nor_for_others(api, token_for, pump):
    token = token_for("demo.group")
    ticket, document_id = ask_consent_upload(api, token)
    waiting = api.get(f"/documents/{document_id}/download", token=token)
    assert (waiting.status_code, waiting.data["code"]) == (409, "DOCUMENT_NOT_ACCEPTED")
    assert waiting.data["fields"] == {"status": "AWAITING_UPLOAD"}
    post(ticket, PDF, "consent.pdf")
    pump.drain_queues()
    other = api.get(f"/documents/{document_id}/download", token=token_for("demo.buckeye"))
    assert (other.status_code, other.data["code"]) == (404, "DOCUMENT_NOT_FOUND")


class Infected:
    def __init__(self) -> None:
        self.scanned: list[tuple[str, str, str | None]] = []

    def scan(self, bucket: str, key: str, version: str | None) -> ScanVerdict:
        self.scanned.append((bucket, key, version))
        return ScanVerdict(ScanResult.INFECTED, "Eicar-Test-Signature found")


def test_an_infected_verdict_rejects_the_upload_with_its_reason(api, token_for, pump):
    scanner = Infected()
    wiring.current().documents().scan_with(scanner)
    token = token_for("demo.group")
    ticket, document_id = ask_consent_upload(api, token)
    post(ticket, PDF, "consent.pdf")
    pump.drain_queues()

    shown = api.get(f"/documents/{document_id}", token=token).data
    assert shown["status"] == "REJECTED"
    assert shown["reason"] == "the file was refused by the malware scan: Eicar-Test-Signature found"
    [(bucket, key, version)] = scanner.scanned
    assert bucket == get_settings().documents_bucket
    assert key.startswith(f"accepted/consent-forms/{document_id}/")  # the copy taken: what would be served
    assert version is not None
    assert objects_under("accepted/") == {}
    assert list(objects_under(f"quarantine/consent-forms/{document_id}/").values()) == [PDF]
    refused = api.get(f"/documents/{document_id}/download", token=token)
    assert (refused.status_code, refused.data["code"]) == (409, "DOCUMENT_NOT_ACCEPTED")


def test_without_a_scanner_the_verdict_says_nothing_was_scanned():
    verdict = scanner_named(get_settings().malware_scanner).scan("bucket", "accepted/x", None)
    assert verdict == ScanVerdict(ScanResult.NOT_SCANNED, "not scanned: no scanner configured")
    assert not verdict.infected
    assert isinstance(scanner_named("none"), NoScanner)
    with pytest.raises(ValueError, match="PORTAL_MALWARE_SCANNER is 'clamav'"):
        scanner_named("clamav")
