"""The sample events of events/ drive the app's handlers as Lambda would (local/events.py)."""

import hashlib
import json
from datetime import date, timedelta

import pytest
from chalice.app import DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig

from chalicelib.claims.store import ClaimModel, PaymentModel
from chalicelib.documents.store import DocumentModel
from chalicelib.emails import outbox
from chalicelib.emails.store import OutboxMessageModel
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.aws.queue import queue_url
from chalicelib.platform.config import get_settings
from chalicelib.reports.store import ExportJobModel, ExportSubscriptionModel
from local.environment import PROJECT_DIR
from local.events import (
    MissingValues,
    UnknownEvent,
    deliver,
    dynamodb_record,
    event_names,
    handler_for,
    load_event,
    placeholders,
    scheduled_event,
    sqs_record,
    stack_values,
)
from local.pump import EventPump
from local.x12_generate import GeneratedClaim, generate_837p
from tests.support.moto import TODAY, sent_emails

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer\n%%EOF\n"
ELIGIBILITY_CSV = b"memberId,medicaidId,lastName,firstName,birthDate,dateOfService\r\n10000000001,,,,,2031-11-01\r\n"
AVA = GeneratedClaim("10000000001", "THOMPSON", "AVA", date(1990, 4, 12), "F", date(2031, 11, 2))
OFFICE_VISIT = {
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


def filled(name, **values):
    return load_event(name, **{**stack_values(), **values})


def any_values(name):
    """A value for each placeholder of the file (the stack's own where it has one)."""
    return {value: "sample" for value in placeholders(name)} | stack_values()


def queued_emails():
    messages = aws_client("sqs").receive_message(QueueUrl=queue_url(outbox.EMAIL_QUEUE), MaxNumberOfMessages=10)
    return [message["Body"] for message in messages.get("Messages", [])]


def bucket_objects():
    listing = aws_client("s3").list_objects_v2(Bucket=get_settings().documents_bucket)
    return {item["Key"]: item["ETag"] for item in listing.get("Contents", [])}


# Every file


def test_every_sample_loads_and_names_a_handler_of_the_app(app):
    names = event_names()
    assert len(names) == 13
    routed = {}
    for name in names:
        event = load_event(name, **any_values(name))
        assert "{{" not in json.dumps(event), name
        routed[name] = handler_for(app, event)
        assert routed[name] in app.handler_map, name
    assert {source.name for source in app.event_sources} == set(routed.values())  # every handler has a sample
    readme = (PROJECT_DIR / "events" / "README.md").read_text(encoding="utf-8")
    assert all(f"| `{name}.json` | `{handler}`" in readme for name, handler in routed.items())


def test_the_samples_have_the_shape_the_pump_delivers(app, clock):
    pumped_record = sqs_record({"MessageId": "m", "ReceiptHandle": "r", "Body": "{}"},
                               "arn:aws:sqs:us-east-1:123456789012:q")
    schedules = [source.name for source in app.event_sources if isinstance(source, ScheduledEventConfig)]
    queues = [source.name for source in app.event_sources if isinstance(source, SQSEventConfig)]
    streams = [source.name for source in app.event_sources if isinstance(source, DynamoDBEventConfig)]
    for name in event_names():
        event = load_event(name, **any_values(name))
        if name.startswith("sqs-"):
            assert [set(record) for record in event["Records"]] == [set(pumped_record)], name
            assert handler_for(app, event) in queues
        elif name.startswith("dynamodb-"):
            [record] = event["Records"]
            pumped_change = dynamodb_record({"eventID": "e", "eventName": "INSERT", "dynamodb": record["dynamodb"]},
                                            record["eventSourceARN"])
            assert set(record) == set(pumped_change), name
            assert handler_for(app, event) in streams
        else:
            pumped = scheduled_event(app, handler_for(app, event), clock.now)
            assert set(event) == set(pumped), name
            assert event["resources"] == pumped["resources"], name  # the pump's rule names route the same way
            assert handler_for(app, event) in schedules


def test_a_missing_value_or_an_unknown_name_fails_naming_what_is_wrong():
    with pytest.raises(MissingValues, match="needs a value for: exportId"):
        load_event("sqs-exports", stage="test")
    with pytest.raises(UnknownEvent, match="schedule-outbox-sweep"):  # the message lists the names there are
        load_event("schedule-outbox-swep")
    with pytest.raises(UnknownEvent):
        load_event("../README")


def test_a_value_in_an_sqs_body_is_escaped_and_the_md5_is_the_bodys():
    event = load_event("sqs-email-outbox", stage="test", outboxId="o-1", to="a@example.org", username='Jo "JJ" O\\')
    [record] = event["Records"]
    body = json.loads(record["body"])
    assert body["params"]["username"] == 'Jo "JJ" O\\'
    assert (body["outboxId"], body["to"], body["template"]) == ("o-1", "a@example.org", "email_verified")
    assert record["md5OfBody"] == hashlib.md5(record["body"].encode(), usedforsecurity=False).hexdigest()
    assert record["eventSourceARN"].endswith(":portal-test-email-outbox")


# The uploads queue


def _new_document(kind, api, token_for):
    """A document of the kind awaiting its upload, asked for through the API as an office would."""
    if kind == "consent-forms":
        response = api.post("/members/10000000001/consent-forms", {
            "consentType": "STERILIZATION", "dateOfService": "2031-11-02", "fileName": "consent form.pdf",
            "contentType": "application/pdf"}, token=token_for("demo.group"))
        content = PDF
    elif kind == "clinical-documents":
        response = api.post("/prior-auths", {
            "requestType": "OUTPATIENT", "urgency": "STANDARD", "memberId": "10000000001",
            "requestingProviderId": "100000000001", "servicingProviderId": "100000000001",
            "startDate": "2031-11-25", "endDate": "2032-02-22", "serviceLines": [{"code": "E0601", "units": 3}],
            "diagnosisCodes": ["G47.33"], "medicalHistory": "Snoring.", "clinicalCriteria": [],
            "attachments": [{"fileName": "sleep study.pdf", "contentType": "application/pdf"}]},
            token=token_for("demo.jdoe"))
        content = PDF
    elif kind == "eligibility-files":
        response = api.post("/members/eligibility-files", {"fileName": "members.csv"}, token=token_for("demo.group"))
        content = ELIGIBILITY_CSV
    else:
        response = api.post("/claim-files", {"fileName": "claims.837"}, token=token_for("demo.group"))
        content = generate_837p([AVA], "1912301953", "310000001").encode()
    assert response.status_code == 201, response.data
    [document] = DocumentModel.scan(DocumentModel.kind == kind)
    assert document.status == "AWAITING_UPLOAD"
    return document, content


@pytest.mark.parametrize(("kind", "done"), [
    ("consent-forms", "RECEIVED"), ("clinical-documents", "RECEIVED"),
    ("eligibility-files", "COMPLETED"), ("claim-files", "COMPLETED"),
])
def test_an_upload_sample_processes_its_document_and_the_same_event_again_changes_nothing(
        app, api, token_for, fee_schedules, prior_auth_rules, clock, kind, done):
    document, content = _new_document(kind, api, token_for)
    aws_client("s3").put_object(Bucket=get_settings().documents_bucket, Key=document.s3_key, Body=content,
                                ContentType=document.content_type)  # as the presigned POST declares it
    uploaded_at = clock.now - timedelta(minutes=3)
    prefix, sample_kind, document_id, file_name = document.s3_key.split("/")
    assert (prefix, sample_kind, document_id) == ("uploads", kind, document.document_id)
    event = filled(f"sqs-uploads-{kind}", time=uploaded_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   documentId=document_id, fileName=file_name)

    assert deliver(app, event) == "process_uploaded_documents"
    if kind == "claim-files":  # the upload handler fanned the claims out: the batch worker makes them
        assert DocumentModel.get(document.document_id).status == "PROCESSING"
        EventPump(app).drain_queues()
    processed = DocumentModel.get(document.document_id)
    assert processed.status == done, processed.reason
    if kind != "claim-files":
        assert processed.received_at == uploaded_at  # the event's time, not the handler's
    after_first = (processed.attribute_values, bucket_objects(), ClaimModel.count(), len(sent_emails()))

    deliver(app, event)  # SQS delivers at least once
    again = DocumentModel.get(document.document_id)
    assert (again.attribute_values, bucket_objects(), ClaimModel.count(), len(sent_emails())) == after_first


def test_an_upload_with_no_document_is_quarantined_and_s3s_test_event_touches_nothing(app, aws):
    bucket = get_settings().documents_bucket
    stray = "uploads/consent-forms/no-such-document/consent.pdf"
    aws_client("s3").put_object(Bucket=bucket, Key=stray, Body=PDF)
    before = bucket_objects()
    assert deliver(app, filled("sqs-uploads-s3-test-event")) == "process_uploaded_documents"
    assert bucket_objects() == before
    deliver(app, filled("sqs-uploads-consent-forms", documentId="no-such-document", fileName="consent.pdf"))
    assert set(bucket_objects()) == {"quarantine/consent-forms/no-such-document/consent.pdf"}


# The email outbox


def test_an_outbox_sample_is_sent_through_ses_once_per_outbox_id(app, aws):
    event = filled("sqs-email-outbox", outboxId="sample-outbox-1", to="sample@example.org", username="sample.user")
    assert deliver(app, event) == "send_queued_emails"
    deliver(app, event)  # the same message again: idempotent on the outbox ID
    [email] = sent_emails()
    assert email["to"] == ["sample@example.org"]
    assert email["subject"] == "Email Verification"
    assert "Hello sample.user," in email["body"]
    deliver(app, filled("sqs-email-outbox", outboxId="sample-outbox-2", to="sample@example.org", username="u"))
    assert len(sent_emails()) == 2


def test_the_sweep_sample_enqueues_a_stranded_outbox_row(app, clock):
    stranded = outbox.new_email(EmailTemplate.ACTIVATION, "stranded@example.org",
                                {"username": "stranded", "link": "https://portal.test/activate?token=t"},
                                clock.now - timedelta(minutes=2))
    stranded.save()  # committed, never enqueued
    assert deliver(app, filled("schedule-outbox-sweep")) == "sweep_email_outbox"
    [row] = OutboxMessageModel.pending_messages.query("PENDING")  # kept until sent, due again only much later
    assert row.due_at == (clock.now + outbox.REDRIVE_AFTER).isoformat()
    assert [json.loads(body)["outboxId"] for body in queued_emails()] == [stranded.message_id]


# Exports and the payment cycle


def test_the_scheduled_exports_sample_starts_a_due_export_and_the_exports_sample_runs_it(
        app, api, token_for, roster_members):
    created = api.post("/reports/membership-export-subscriptions", {"frequency": "WEEKLY"},
                       token=token_for("demo.group"))
    assert created.status_code == 201
    subscription_id = created.data["subscriptionId"]
    deliver(app, filled("schedule-scheduled-exports"))
    assert ExportSubscriptionModel.get(subscription_id).last_export_id is None  # not due yet
    roster_members.advance(days=7)
    assert deliver(app, filled("schedule-scheduled-exports")) == "start_scheduled_exports"
    export_id = ExportSubscriptionModel.get(subscription_id).last_export_id
    assert ExportJobModel.get(export_id).status == "QUEUED"

    assert deliver(app, filled("sqs-exports", exportId=export_id)) == "run_membership_exports"
    assert ExportJobModel.get(export_id).status == "COMPLETED"
    assert [json.loads(body)["template"] for body in queued_emails()] == ["export_ready"]  # the pump would send it


def test_the_inactivity_sample_deactivates_an_unused_account(app, active_user):
    from datetime import timedelta

    from chalicelib.accounts.store import AccountModel, account_key

    active_user()
    AccountModel(pk=account_key("jdoe.office")).update(actions=[
        AccountModel.last_active_at.set(TODAY - timedelta(days=91))])
    assert deliver(app, filled("schedule-deactivate-unused-accounts")) == "deactivate_unused_accounts"
    assert AccountModel.get(account_key("jdoe.office")).status == "DISABLED"


def test_the_payment_cycle_sample_pays_finished_claims_once(app, api, token_for, fee_schedules):
    claim = api.post("/claims", OFFICE_VISIT, token=token_for("demo.jdoe"))
    assert claim.status_code == 201, claim.data
    assert deliver(app, filled("schedule-weekly-payment-cycle")) == "weekly_payment_cycle"
    [payment] = PaymentModel.scan()
    assert (payment.tax_id, payment.amount_cents, payment.claim_count) == ("310000001", 7800, 1)
    deliver(app, filled("schedule-weekly-payment-cycle"))  # nothing finished since: no second payment
    assert [p.payment_id for p in PaymentModel.scan()] == [payment.payment_id]
