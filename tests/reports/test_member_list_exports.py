import csv
import io

import pytest
import requests

from chalicelib import wiring
from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.config import get_settings
from chalicelib.reports import roster
from chalicelib.reports.store import ExportJobModel, ExportSubscriptionModel, RosterCountModel
from tests.support.moto import sent_emails

pytestmark = pytest.mark.usefixtures("roster_members")


def start(api, token, **body):
    response = api.post("/reports/membership-exports", body, token=token)
    assert response.status_code == 202
    return response.data


def download(api, token, export_id):
    response = api.get(f"/reports/membership-exports/{export_id}/download", token=token)
    assert response.status_code == 302, response.data
    got = requests.get(response.headers["Location"], timeout=10)
    assert got.status_code == 200
    return got.content


def test_export_runs_in_the_background_and_the_file_reads_back_intact(api, token_for, pump):
    token = token_for("demo.group")
    job = start(api, token)
    assert job["status"] == "QUEUED"
    assert job["downloadPath"] is None
    pump.drain_queues()
    done = api.get(f"/reports/membership-exports/{job['exportId']}", token=token).data
    assert done["status"] == "COMPLETED"
    expected = RosterCountModel.get(roster.group_view("310000001"), "COUNT").members
    assert done["rows"] == expected

    raw = download(api, token, job["exportId"])
    assert raw.count(b"\r\n") == expected + 1  # CRLF after the header and every row
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[0][:4] == ["Alerts", "First Name", "Last Name", "Plan Member ID"]
    assert len(rows) == expected + 1
    quoted = next(row for row in rows if row[3] == "10000008888")
    assert (quoted[1], quoted[2]) == ("José", 'Smith, "Jr"')
    ava = next(row for row in rows if row[3] == "10000000001")
    assert ava[0] == "New Assessment (2031-10-14); BH Clinical Info (2031-11-02)"

    [email] = [e for e in sent_emails() if e["subject"] == "Your Provider Membership List export is ready"]
    assert email["to"] == ["demo.group@example.org"]
    assert "Thompson" not in email["body"]  # no PHI in email
    assert f"/member-reports/exports/{job['exportId']}" in email["body"]  # its page in the portal


def test_download_before_done_after_expiry_and_by_others(api, token_for, pump, roster_members):
    token = token_for("demo.group")
    job = start(api, token)
    early = api.get(f"/reports/membership-exports/{job['exportId']}/download", token=token)
    assert early.status_code == 409
    assert early.data["code"] == "EXPORT_NOT_READY"
    pump.drain_queues()
    other = api.get(f"/reports/membership-exports/{job['exportId']}", token=token_for("demo.buckeye"))
    assert other.status_code == 404
    roster_members.advance(days=7)
    expired = api.get(f"/reports/membership-exports/{job['exportId']}/download", token=token_for("demo.group"))
    assert expired.status_code == 410
    assert expired.data["code"] == "EXPORT_EXPIRED"


def test_a_failed_export_is_marked_with_the_reason_and_leaves_no_file(api, token_for, pump, monkeypatch):
    token = token_for("demo.group")

    def broken(*_args, **_kwargs):
        raise ConnectionError("S3 went away")

    monkeypatch.setattr("chalicelib.platform.aws.storage.complete_multipart", broken)
    job = start(api, token)
    pump.drain_queues()
    failed = api.get(f"/reports/membership-exports/{job['exportId']}", token=token).data
    assert failed["status"] == "FAILED"
    assert failed["reason"] == "the export stopped: ConnectionError"
    assert failed["downloadPath"] is None
    s3 = aws_client("s3")
    bucket = get_settings().documents_bucket
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="exports/")
    assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")


def test_a_job_delivered_twice_runs_once(api, token_for, pump):
    token = token_for("demo.group")
    job = start(api, token)
    assert wiring.current().exports().run(job["exportId"]) == "COMPLETED"
    pump.drain_queues()  # the queued message for the same job
    assert ExportJobModel.get(job["exportId"]).status == "COMPLETED"
    assert len([e for e in sent_emails() if e["subject"].startswith("Your Provider Membership List")]) == 1


def test_the_export_list_pages_without_a_total(api, token_for, aws_calls):
    token = token_for("demo.group")
    first, second = start(api, token), start(api, token)
    aws_calls.clear()
    page = api.get("/reports/membership-exports?limit=1", token=token).data
    assert "count" not in page  # counting would read the Tax ID's partition (DECISIONS: lists and counts)
    assert len(page["items"]) == 1
    assert aws_calls.count("Query") == 1
    rest = api.get(f"/reports/membership-exports?limit=1&nextToken={page['nextToken']}", token=token).data
    assert (len(rest["items"]), rest["nextToken"]) == (1, None)
    assert {job["exportId"] for job in page["items"] + rest["items"]} == {first["exportId"], second["exportId"]}


def test_weekly_subscription_starts_an_export_when_due_and_only_once(api, token_for, pump, roster_members):
    token = token_for("demo.group")
    created = api.post("/reports/membership-export-subscriptions", {"frequency": "WEEKLY"}, token=token)
    assert created.status_code == 201
    subscription = created.data
    assert subscription["active"] is True
    service = wiring.current().exports()
    assert service.run_due_subscriptions() == 0
    roster_members.advance(days=7)
    assert service.run_due_subscriptions() == 1
    assert service.run_due_subscriptions() == 0
    pump.drain_queues()
    token = token_for("demo.group")  # a week later: a new session on the same clock
    stored = ExportSubscriptionModel.get(subscription["subscriptionId"])
    job = ExportJobModel.get(stored.last_export_id)
    assert job.status == "COMPLETED"
    assert job.subscription_id == subscription["subscriptionId"]
    assert stored.next_run_at > subscription["nextRunAt"]

    listed = api.get("/reports/membership-export-subscriptions", token=token).data
    assert [item["subscriptionId"] for item in listed["items"]] == [subscription["subscriptionId"]]
    stop = api.call("DELETE", f"/reports/membership-export-subscriptions/{subscription['subscriptionId']}",
                    token=token)
    assert stop.status_code == 204
    roster_members.advance(days=7)
    assert service.run_due_subscriptions() == 0
    foreign = api.call("DELETE", f"/reports/membership-export-subscriptions/{subscription['subscriptionId']}",
                       token=token_for("demo.buckeye"))
    assert foreign.status_code == 404


def test_subscription_bad_input(api, token_for):
    token = token_for("demo.group")
    bad = api.post("/reports/membership-export-subscriptions", {"frequency": "HOURLY"}, token=token)
    assert bad.status_code == 400
    assert "frequency" in bad.data["fields"]
    not_mine = api.post("/reports/membership-exports", {"providerId": "200000000001"}, token=token)
    assert not_mine.status_code == 404


def test_each_member_an_export_carries_gets_its_own_record_in_its_own_trail(api, token_for, pump, aws_calls):
    from chalicelib.audit.store import AuditEventModel

    token = token_for("demo.group")
    job = start(api, token)
    aws_calls.clear()
    pump.drain_queues()
    done = api.get(f"/reports/membership-exports/{job['exportId']}", token=token).data
    assert done["status"] == "COMPLETED"
    assert "Scan" not in aws_calls
    assert "BatchWriteItem" not in aws_calls  # the audit table is append-only: conditional Puts only
    assert aws_calls.count("TransactWriteItems") >= -(-done["rows"] // 100)  # 100 conditional Puts a call at most

    staff = token_for("planadmin")
    trail = api.get("/audit/members/10000000001", token=staff).data["items"]
    exported = [item for item in trail if item["action"] == "MEMBER_EXPORTED"]
    assert [(item["username"], item["detail"]) for item in exported] == [
        ("demo.group", f"left in export {job['exportId']}")]

    rows = list(csv.reader(io.StringIO(download(api, token, job["exportId"]).decode("utf-8"), newline="")))[1:]
    records = [event for row in rows for event in AuditEventModel.query(row[3])
               if event.action == "MEMBER_EXPORTED" and event.detail == f"left in export {job['exportId']}"]
    assert sorted(event.member_id for event in records) == sorted(row[3] for row in rows)  # one each, no more
    assert all(len(event.detail) < 100 for event in records)  # never one record listing members


def test_an_export_run_again_records_each_member_once(api, token_for, pump):
    from chalicelib.audit.store import AuditEventModel

    token = token_for("demo.group")
    job = start(api, token)
    pump.drain_queues()
    ExportJobModel.get(job["exportId"]).update(actions=[ExportJobModel.status.set("QUEUED")])  # taken over
    assert wiring.current().exports().run(job["exportId"]) == "COMPLETED"
    ava = [event for event in AuditEventModel.query("10000000001") if event.action == "MEMBER_EXPORTED"]
    assert len(ava) == 1
