"""Files whose processing fails for good end FAILED with a reason the uploader sees, never only a DLQ message."""

from datetime import date

import pytest
import requests

from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.aws.queue import max_receive_count, queue_url
from local.x12_generate import GeneratedClaim, generate_837p

pytestmark = pytest.mark.usefixtures("members", "fee_schedules")
AVA = GeneratedClaim("10000000001", "THOMPSON", "AVA", date(1990, 4, 12), "F", date(2031, 11, 2))


@pytest.fixture
def redelivered_at_once(pump):
    """The uploads and claim-batches queues with no visibility timeout, so each failed delivery comes back on
    the next drain."""
    sqs = aws_client("sqs")
    kept = {}
    for name in ("uploads", "claim-batches"):
        url = queue_url(name)
        kept[url] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    yield pump
    for url, attributes in kept.items():
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)


def dead_letters() -> int:
    sqs = aws_client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url("uploads-dlq"),
                                          AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def post_file(ticket, content: bytes, name: str) -> None:
    upload = ticket["upload"]
    sent = requests.post(upload["url"], data=upload["fields"], files={"file": (name, content)}, timeout=10)
    assert sent.status_code in (200, 204)


def deliver_every_attempt(pump) -> None:
    for _ in range(max_receive_count("uploads") + 2):
        pump.drain_queues()


def test_the_redrive_limit_is_the_templates(pump):
    assert max_receive_count("uploads") == 5  # infrastructure/resources.yaml: UploadsQueue maxReceiveCount


def test_a_claim_file_that_fails_every_time_ends_failed_with_its_reason(api, token_for, redelivered_at_once,
                                                                        monkeypatch):
    attempts = []

    def poison(text):
        attempts.append(1)
        raise RuntimeError("pyx12 blew up in an unforeseen way")

    monkeypatch.setattr("chalicelib.claims.batch.read_837", poison)
    token = token_for("demo.group")
    ticket = api.post("/claim-files", {"fileName": "poison.837"}, token=token).data
    before = dead_letters()
    post_file(ticket, generate_837p([AVA], "1912301953", "310000001").encode(), "poison.837")
    deliver_every_attempt(redelivered_at_once)

    answer = api.get(f"/claim-files/{ticket['file']['documentId']}", token=token).data
    assert answer["status"] == "FAILED"
    assert "could not be processed" in answer["reason"]
    assert "reference " in answer["reason"]
    assert "pyx12" not in answer["reason"]  # never the exception's text
    assert len(attempts) == 5  # every delivery ran the file again: none was dropped as "still processing"
    assert dead_letters() == before  # the document is the trace; the message was finished, not dead-lettered


def test_a_member_file_that_fails_every_time_ends_failed_with_its_reason(api, token_for, redelivered_at_once,
                                                                         monkeypatch):
    def poison(self, lines, out):
        raise RuntimeError("unforeseen")

    monkeypatch.setattr("chalicelib.members.batch.EligibilityFileRun.run", poison)
    token = token_for("demo.group")
    ticket = api.post("/members/eligibility-files", {"fileName": "members.csv"}, token=token).data
    post_file(ticket, b"memberId,dateOfService\r\n10000000001,2031-11-01\r\n", "members.csv")
    deliver_every_attempt(redelivered_at_once)

    job = api.get(f"/members/eligibility-files/{ticket['file']['documentId']}", token=token).data
    assert job["status"] == "FAILED"
    assert "could not be processed" in job["reason"]


def test_a_failure_before_the_last_delivery_is_retried_and_can_still_succeed(api, token_for, redelivered_at_once,
                                                                             monkeypatch):
    import chalicelib.claims.batch as batch

    real, attempts = batch.read_837, []

    def flaky(text):
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionError("transient")
        return real(text)

    monkeypatch.setattr("chalicelib.claims.batch.read_837", flaky)
    token = token_for("demo.group")
    ticket = api.post("/claim-files", {"fileName": "flaky.837"}, token=token).data
    post_file(ticket, generate_837p([AVA], "1912301953", "310000001").encode(), "flaky.837")
    deliver_every_attempt(redelivered_at_once)
    answer = api.get(f"/claim-files/{ticket['file']['documentId']}", token=token).data
    assert (answer["status"], answer["claimsAccepted"]) == ("COMPLETED", 1)
    assert len(attempts) == 3


def test_a_retried_claim_file_resumes_skipping_the_claims_it_already_made(api, token_for, redelivered_at_once,
                                                                          monkeypatch):
    import csv
    import io

    from chalicelib.claims import batch
    from chalicelib.claims.store import ClaimModel
    from chalicelib.platform.config import get_settings

    real, calls = batch.ClaimFileRun.submit, []

    def crashing_once(self, transaction_set, fields, position):
        calls.append(position)
        if len(calls) == 3:  # the first run dies after making two claims
            raise ConnectionError("the worker died mid-file")
        return real(self, transaction_set, fields, position)

    monkeypatch.setattr(batch.ClaimFileRun, "submit", crashing_once)
    claims = [GeneratedClaim("10000000001", "THOMPSON", "AVA", date(1990, 4, 12), "F", date(2031, 10, day))
              for day in (6, 7, 8, 9)]
    token = token_for("demo.group")
    ticket = api.post("/claim-files", {"fileName": "resume.837"}, token=token).data
    document_id = ticket["file"]["documentId"]
    post_file(ticket, generate_837p(claims, "1912301953", "310000001").encode(), "resume.837")
    deliver_every_attempt(redelivered_at_once)

    answer = api.get(f"/claim-files/{document_id}", token=token).data
    assert (answer["status"], answer["claimsTotal"], answer["claimsAccepted"]) == ("COMPLETED", 4, 4)
    assert calls == [0, 1, 2, 0, 1, 2, 3]  # the retry went through the whole file again
    made = [claim for claim in ClaimModel.scan(ClaimModel.batch_id == document_id)]
    assert len(made) == 4  # each of the file's claims exists once
    assert sorted(claim.service_from for claim in made) == [f"2031-10-0{day}" for day in (6, 7, 8, 9)]
    assert all(claim.status == "APPROVED" for claim in made)
    reasons = {adjustment.reason_code for claim in made for line in claim.lines for adjustment in line.adjustments}
    assert "18" not in reasons  # none denied as its own duplicate (CO-18)
    body = aws_client("s3").get_object(Bucket=get_settings().documents_bucket,
                                       Key=f"results/claim-files/{document_id}/results.csv")["Body"].read()
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert sorted(row["claimNumber"] for row in rows) == sorted(claim.claim_number for claim in made)
    assert {row["status"] for row in rows} == {"APPROVED"}
