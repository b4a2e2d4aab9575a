import json

from chalicelib.emails import outbox
from chalicelib.emails.store import OutboxMessageModel
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.aws.queue import queue_url
from tests.support.moto import registration, sent_emails


def test_an_email_enqueued_twice_is_sent_once(api, pump):
    api.post("/auth/register", registration())
    sqs = aws_client("sqs")
    message = sqs.receive_message(QueueUrl=queue_url(outbox.EMAIL_QUEUE), MaxNumberOfMessages=1)["Messages"][0]
    sqs.change_message_visibility(QueueUrl=queue_url(outbox.EMAIL_QUEUE), ReceiptHandle=message["ReceiptHandle"],
                                  VisibilityTimeout=0)
    sqs.send_message(QueueUrl=queue_url(outbox.EMAIL_QUEUE), MessageBody=message["Body"])
    assert pump.drain_queues() == 2
    assert len(sent_emails()) == 1


def test_a_failed_send_stays_on_the_queue_and_is_retried(api, pump):
    api.post("/auth/register", registration())
    ses = aws_client("ses")
    ses.delete_identity(Identity="no-reply@portal.example.org")  # SES now refuses the sender
    assert pump.drain_queues() == 0
    assert sent_emails() == []
    ses.verify_email_identity(EmailAddress="no-reply@portal.example.org")
    sqs = aws_client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url(outbox.EMAIL_QUEUE),
                                          AttributeNames=["ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"  # back after the visibility timeout


def test_the_queue_sends_what_it_cannot_deliver_to_a_dead_letter_queue(aws):
    from chalicelib.platform.config import get_settings

    sqs = aws_client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url(outbox.EMAIL_QUEUE),
                                          AttributeNames=["RedrivePolicy"])["Attributes"]
    policy = json.loads(attributes["RedrivePolicy"])
    assert policy["deadLetterTargetArn"].endswith(get_settings().resource_name("email-outbox-dlq"))
    assert policy["maxReceiveCount"] == 5


def test_a_committed_email_the_request_never_enqueued_is_swept_onto_the_queue(pump, clock):
    from datetime import timedelta

    written = clock.now - timedelta(minutes=2)
    message = outbox.new_email(EmailTemplate.ACTIVATION, "stranded@example.org",
                               {"username": "stranded", "link": "https://portal.test/activate?token=t"}, written)
    message.save()  # as if the process died between the commit and the enqueue
    fresh = outbox.new_email(EmailTemplate.ACTIVATION, "fresh@example.org",
                             {"username": "fresh", "link": "https://portal.test/activate?token=u"}, clock.now)
    fresh.save()  # a request still on its way to enqueue it: the sweep leaves it alone
    pump.fire_schedules()
    pump.drain_queues()
    assert [e["to"] for e in sent_emails()] == [["stranded@example.org"]]
    assert [m.message_id for m in OutboxMessageModel.pending_messages.query("PENDING")] == [fresh.message_id]


def test_an_enqueued_email_keeps_its_row_until_sent_and_the_send_drops_it(api, pump):
    api.post("/auth/register", registration())
    waiting = list(OutboxMessageModel.pending_messages.query("PENDING"))
    assert len(waiting) == 1  # on the queue, not yet sent: the row is the proof it must be
    assert waiting[0].due_at > waiting[0].created_at  # the sweep leaves it to the queue for now
    pump.drain_queues()
    assert [e["subject"] for e in sent_emails()] == ["Activate Your Provider Portal Account"]
    assert list(OutboxMessageModel.pending_messages.query("PENDING")) == []


def test_mail_parked_by_a_long_ses_outage_redrives_itself_once_ses_answers(api, pump, clock):
    ses = aws_client("ses")
    ses.delete_identity(Identity="no-reply@portal.example.org")  # SES refuses every send
    api.post("/auth/register", registration())
    assert pump.drain_queues() == 0  # the message is SQS's to retry now, and its dead-letter queue's after 5
    outbox.sweep(now=clock.now + outbox.SWEEP_MIN_AGE * 2)
    assert pump.drain_queues() == 0  # not due yet: the queue had its turn, the row waits REDRIVE_AFTER
    ses.verify_email_identity(EmailAddress="no-reply@portal.example.org")  # SES is back
    assert outbox.sweep(now=clock.now + outbox.REDRIVE_AFTER + outbox.SWEEP_MIN_AGE) == 1
    assert pump.drain_queues() == 1
    assert [e["subject"] for e in sent_emails()] == ["Activate Your Provider Portal Account"]
    assert list(OutboxMessageModel.pending_messages.query("PENDING")) == []
    assert outbox.sweep(now=clock.now + outbox.REDRIVE_AFTER * 3) == 0  # sent once, swept no more


def test_when_sqs_is_down_the_request_still_succeeds_and_the_sweep_delivers(api, pump, monkeypatch, clock):
    from botocore.exceptions import EndpointConnectionError

    def unavailable(*_args, **_kwargs):
        raise EndpointConnectionError(endpoint_url="https://sqs")

    monkeypatch.setattr("chalicelib.platform.aws.queue.send_json", unavailable)
    assert api.post("/auth/register", registration()).status_code == 201
    monkeypatch.undo()
    assert pump.drain_queues() == 0
    assert len(list(OutboxMessageModel.pending_messages.query("PENDING"))) == 1
    outbox.sweep(now=clock.now + outbox.SWEEP_MIN_AGE * 2)
    pump.drain_queues()
    assert [e["subject"] for e in sent_emails()] == ["Activate Your Provider Portal Account"]
