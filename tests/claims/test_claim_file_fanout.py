"""837 files fan out over SQS: the upload handler validates, acknowledges and splits; batch workers make the claims.

Batches are delivered here as Lambda's SQS poller may: out of order, twice, by several workers (separate
wirings, as separate Lambda containers have), and one of them failing on every delivery.
"""

import csv
import io
import random
from datetime import date

import pytest
import requests

from chalicelib import wiring
from chalicelib.claims import batch
from chalicelib.claims.store import ClaimModel
from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.aws.queue import max_receive_count, queue_url
from chalicelib.platform.config import get_settings
from chalicelib.platform.dynamo.control import tally
from local.events import invoke, sqs_record
from local.x12_generate import GeneratedClaim, generate_837p

pytestmark = pytest.mark.usefixtures("fee_schedules")
CLAIMS = 11  # five batches of BATCH_CLAIMS = 3 here (the last one of two)
PER_BATCH = 3


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(batch, "BATCH_CLAIMS", PER_BATCH)


def file_claims(count: int = CLAIMS) -> list[GeneratedClaim]:
    """Ava's claims on distinct days (none a duplicate of another); every fourth for an unknown member."""
    return [GeneratedClaim("10000000001" if index % 4 != 3 else "99999999999", "THOMPSON", "AVA",
                           date(1990, 4, 12), "F", date(2031, 10, 1 + index)) for index in range(count)]


def upload(api, token, claims: list[GeneratedClaim], billing_npi: str = "1912301953") -> str:
    ticket = api.post("/claim-files", {"fileName": "fanout.837"}, token=token).data
    upload_form = ticket["upload"]
    content = generate_837p(claims, billing_npi, "310000001").encode()
    sent = requests.post(upload_form["url"], data=upload_form["fields"], files={"file": ("fanout.837", content)},
                         timeout=10)
    assert sent.status_code in (200, 204)
    return ticket["file"]["documentId"]


def run_upload_handler_only(pump) -> None:
    source = next(source for source in pump.sqs_sources() if source.name == "process_uploaded_documents")
    assert pump._drain_queue(source, 0) == 1


def take_batch_messages() -> tuple[list[dict], str]:
    """Every message on the claim-batches queue, received (and so invisible to the pump) but not deleted."""
    sqs = aws_client("sqs")
    url = queue_url("claim-batches")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    messages: list[dict] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
        if not got:
            return messages, arn
        messages.extend(got)


def deliver(app, message: dict, arn: str) -> None:
    invoke(app, "process_claim_batches", {"Records": [sqs_record(message, arn)]})


def results(document_id: str) -> list[dict[str, str]]:
    body = aws_client("s3").get_object(Bucket=get_settings().documents_bucket,
                                       Key=f"results/claim-files/{document_id}/results.csv")["Body"].read()
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_the_upload_handler_acknowledges_and_sends_one_message_per_batch(api, token_for, pump):
    token = token_for("demo.group")
    document_id = upload(api, token, file_claims())
    run_upload_handler_only(pump)
    answer = api.get(f"/claim-files/{document_id}", token=token).data
    assert (answer["status"], answer["acknowledgment"], answer["claimsTotal"]) == ("PROCESSING", "A", CLAIMS)
    assert answer["acknowledgmentUrl"]  # the 999 is there before a claim is made
    assert list(ClaimModel.scan(ClaimModel.batch_id == document_id)) == []
    messages, _ = take_batch_messages()
    import json

    bodies = sorted((json.loads(message["Body"]) for message in messages), key=lambda body: body["batch"])
    assert [len(body["claims"]) for body in bodies] == [3, 3, 3, 2]
    assert [item["position"] for body in bodies for item in body["claims"]] == list(range(CLAIMS))


def test_batches_out_of_order_twice_and_by_several_workers_make_each_claim_once(api, app, token_for, pump, clock):
    token = token_for("demo.group")
    document_id = upload(api, token, file_claims())
    run_upload_handler_only(pump)
    messages, arn = take_batch_messages()
    assert len(messages) == 4
    deliveries = messages * 2  # every batch twice
    random.Random(15).shuffle(deliveries)
    workers = [wiring.Wiring(get_settings(), clock) for _ in range(3)]  # each its own services, as containers are
    for number, message in enumerate(deliveries):
        wiring.install(workers[number % len(workers)])
        deliver(app, message, arn)

    answer = api.get(f"/claim-files/{document_id}", token=token).data
    assert (answer["status"], answer["acknowledgment"]) == ("COMPLETED", "A")
    unknown = sum(1 for index in range(CLAIMS) if index % 4 == 3)
    assert (answer["claimsTotal"], answer["claimsAccepted"], answer["claimsRejected"]) == (
        CLAIMS, CLAIMS - unknown, unknown)
    made = list(ClaimModel.scan(ClaimModel.batch_id == document_id))
    assert len(made) == CLAIMS - unknown  # each of the file's claims made once, however often its batch came
    assert all(claim.status == "APPROVED" for claim in made)
    rows = results(document_id)
    assert [row["patientControlNumber"] for row in rows] == [f"GEN{index:07d}" for index in range(CLAIMS)]
    assert [row["outcome"] for row in rows] == ["REJECTED" if index % 4 == 3 else "ACCEPTED"
                                                for index in range(CLAIMS)]
    assert sorted(row["claimNumber"] for row in rows if row["claimNumber"]) == sorted(c.claim_number for c in made)
    assert all(row["reasons"].startswith("MEMBER_NOT_FOUND") for row in rows if row["outcome"] == "REJECTED")
    counted = tally(f"claim-file#{document_id}")
    assert (counted.done, counted.total, counted.part_count) == (CLAIMS, CLAIMS, 4)  # no batch counted twice


def test_a_batch_delivered_twice_counts_once(api, app, token_for, pump):
    token = token_for("demo.group")
    document_id = upload(api, token, file_claims())
    run_upload_handler_only(pump)
    messages, arn = take_batch_messages()
    first, *others = messages
    deliver(app, first, arn)
    deliver(app, first, arn)
    assert tally(f"claim-file#{document_id}").done == PER_BATCH
    assert api.get(f"/claim-files/{document_id}", token=token).data["status"] == "PROCESSING"
    for message in others:
        deliver(app, message, arn)
    assert api.get(f"/claim-files/{document_id}", token=token).data["status"] == "COMPLETED"
    deliver(app, first, arn)  # a late redelivery after the file completed changes nothing
    assert tally(f"claim-file#{document_id}").done == CLAIMS
    assert len(results(document_id)) == CLAIMS


def test_batches_that_all_finish_before_the_split_ends_still_complete_the_file(api, token_for, pump, monkeypatch):
    """The last batch done before the upload handler records the total: the handler's write completes the file."""
    done_at_once = []

    def send_and_run_at_once(short_name, body):
        done_at_once.append(wiring.current().process_claim_batch(body))
        return "sent"

    monkeypatch.setattr("chalicelib.platform.aws.queue.send_json", send_and_run_at_once)
    token = token_for("demo.group")
    document_id = upload(api, token, file_claims(7))
    run_upload_handler_only(pump)
    assert done_at_once == ["PROCESSING"] * 3  # no batch could finish the file: its total was not known yet
    answer = api.get(f"/claim-files/{document_id}", token=token).data
    assert (answer["status"], answer["claimsTotal"], answer["claimsAccepted"]) == ("COMPLETED", 7, 6)


@pytest.fixture
def batches_redelivered_at_once(pump):
    sqs = aws_client("sqs")
    url = queue_url("claim-batches")
    kept = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    yield pump
    sqs.set_queue_attributes(QueueUrl=url, Attributes=kept)


def dead_letters() -> int:
    attributes = aws_client("sqs").get_queue_attributes(QueueUrl=queue_url("claim-batches-dlq"),
                                                        AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def test_a_poison_batch_ends_the_file_failed_with_a_reason(api, token_for, batches_redelivered_at_once,
                                                           monkeypatch):
    real, attempts = batch.ClaimFileRun.submit, []

    def poison_at_four(self, transaction_set, fields, position):
        if position == 4:  # the second batch fails on every delivery
            attempts.append(position)
            raise RuntimeError("an unforeseen fault in the second batch")
        return real(self, transaction_set, fields, position)

    monkeypatch.setattr(batch.ClaimFileRun, "submit", poison_at_four)
    assert max_receive_count("claim-batches") == 5  # infrastructure/resources.yaml: ClaimBatchesQueue
    token = token_for("demo.group")
    document_id = upload(api, token, file_claims())
    before = dead_letters()
    for _ in range(max_receive_count("claim-batches") + 2):
        batches_redelivered_at_once.drain_queues()

    answer = api.get(f"/claim-files/{document_id}", token=token).data
    assert answer["status"] == "FAILED"
    assert "could not be processed" in answer["reason"]
    assert "reference " in answer["reason"]
    assert "unforeseen" not in answer["reason"]  # never the exception's text
    assert len(attempts) == 5  # every delivery of the batch ran it again
    assert dead_letters() == before  # the document is the trace; the message was finished
    assert answer["resultsUrl"] is None


def test_the_sample_batch_event_is_what_the_upload_handler_sends(api, app, token_for, pump):
    """events/sqs-claim-batches.json (make send-event) carries a batch as the upload handler writes it."""
    import json

    from local.events import deliver as deliver_event
    from local.events import load_event, stack_values

    token = token_for("demo.group")
    ava = GeneratedClaim("10000000001", "THOMPSON", "AVA", date(1990, 4, 12), "F", date(2031, 11, 2))
    document_id = upload(api, token, [ava])
    run_upload_handler_only(pump)
    [sent], _ = take_batch_messages()
    sample = load_event("sqs-claim-batches", **stack_values(), documentId=document_id)
    assert json.loads(sample["Records"][0]["body"]) == json.loads(sent["Body"])
    assert deliver_event(app, sample) == "process_claim_batches"
    answer = api.get(f"/claim-files/{document_id}", token=token).data
    assert (answer["status"], answer["claimsAccepted"]) == ("COMPLETED", 1)


def test_each_batch_worker_acts_for_the_uploaders_own_account_as_it_is_then(api, app, token_for, pump, clock):
    """No batch carries a principal: each worker rebuilds the uploader's from its account, never the Tax ID's."""
    import json

    from chalicelib.accounts.store import AccountModel, account_key

    jdoe = token_for("demo.jdoe")
    claims = [GeneratedClaim("10000000001", "THOMPSON", "AVA", date(1990, 4, 12), "F", date(2031, 10, 1 + index),
                             billing_npi="1588667638" if index % 2 else None) for index in range(6)]
    document_id = upload(api, jdoe, claims, billing_npi="1407345679")  # Jane's file, every other claim Robert's
    run_upload_handler_only(pump)
    messages, arn = take_batch_messages()
    bodies = [json.loads(message["Body"]) for message in messages]
    assert [set(body) for body in bodies] == [{"documentId", "batch", "claims"}] * 2
    assert all(set(item) == {"position", "transactionSet", "rejected", "fields"} for body in bodies
               for item in body["claims"])
    first, second = sorted(messages, key=lambda message: json.loads(message["Body"])["batch"])
    wiring.install(wiring.Wiring(get_settings(), clock))
    deliver(app, first, arn)
    AccountModel(pk=account_key("demo.jdoe")).update(actions=[AccountModel.status.set("DISABLED")])
    wiring.install(wiring.Wiring(get_settings(), clock))  # another container
    deliver(app, second, arn)

    rows = results(document_id)
    assert [row["outcome"] for row in rows] == ["ACCEPTED", "REJECTED", "ACCEPTED"] + ["REJECTED"] * 3
    assert rows[1]["reasons"] == ("PROVIDER_NOT_FOUND: billing provider NPI 1588667638 is not a provider this "
                                  "account may submit for")
    assert {row["reasons"] for row in rows[3:]} == {
        "the account that uploaded the file is no longer active, or no longer acts for provider 100000000001: "
        "nothing in the file was processed for it"}
    made = list(ClaimModel.scan(ClaimModel.batch_id == document_id))
    assert sorted(claim.claim_number for claim in made) == sorted([rows[0]["claimNumber"], rows[2]["claimNumber"]])
    assert {claim.billing_provider_id for claim in made} == {"100000000001"}
