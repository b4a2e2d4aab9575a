"""Every audit record reaches the Object Lock archive through the table's stream (DECISIONS: Audit), and the
audit writes are conditional Puts that never overwrite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from chalicelib.platform.config import get_settings
from infrastructure.provision import provision
from tests.support.principals import principal_named

WHEN = datetime(2031, 11, 23, 17, 0, tzinfo=UTC)


@pytest.fixture
def stack() -> Iterator[None]:
    """A stack of its own: the shared one empties every bucket between tests, which Object Lock forbids."""
    from chalicelib.platform.aws import clients

    settings = get_settings()
    clients.aws_client.cache_clear()
    with mock_aws():
        provision(stage=settings.stage, region=settings.region, endpoint_url=None, sender_email=settings.sender_email)
        yield
    clients.aws_client.cache_clear()


def test_a_record_written_lands_in_the_locked_archive(stack):
    from app import app
    from chalicelib.audit import service as trail
    from chalicelib.audit.service import AuditAction, AuditEntry
    from local.pump import EventPump

    entries = [AuditEntry(f"1000000000{n}", AuditAction.MEMBER_VIEWED, "100000000001") for n in range(3)]
    assert trail.record_many(principal_named("demo.group"), entries, WHEN) == 3

    pump = EventPump(app)
    assert pump.drain_streams() == 3
    assert pump.drain_streams() == 0  # each record once

    s3 = boto3.client("s3", region_name=get_settings().region)
    bucket = get_settings().audit_archive_bucket
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    retention = lock["Rule"]["DefaultRetention"]
    assert (lock["ObjectLockEnabled"], retention["Mode"], retention["Days"]) == ("Enabled", "COMPLIANCE", 2190)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert [key.split("/")[1] for key in keys] == ["10000000000", "10000000001", "10000000002"]
    record = json.loads(s3.get_object(Bucket=bucket, Key=keys[1])["Body"].read())
    assert (record["member_id"], record["username"], record["action"]) == ("10000000001", "demo.group",
                                                                          "MEMBER_VIEWED")
    assert keys[1] == f"audit/10000000001/{record['occurred_key']}.json"


def test_disclosures_are_conditional_puts_and_a_repeat_writes_none_again(stack):
    from chalicelib.audit import service as trail
    from chalicelib.audit.service import AuditAction, AuditEntry
    from chalicelib.audit.store import AuditEventModel

    calls: list[tuple[str, dict]] = []
    client = boto3.client("dynamodb", region_name=get_settings().region)
    original = type(client)._make_api_call

    def watch(self, operation, params):  # type: ignore[no-untyped-def]
        calls.append((operation, params))
        return original(self, operation, params)

    entries = [AuditEntry(f"2{n:010d}", AuditAction.MEMBER_EXPORTED, "100000000001", "left in export x")
               for n in range(130)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("botocore.client.BaseClient._make_api_call", watch)
        assert trail.record_disclosures("demo.group", "PROVIDER_USER", "export-x", entries[:60], WHEN) == 60
        assert trail.record_disclosures("demo.group", "PROVIDER_USER", "export-x", entries, WHEN) == 70
    writes = [(operation, params) for operation, params in calls if operation.endswith(("Item", "Items"))]
    assert {operation for operation, _ in writes} == {"TransactWriteItems"}
    assert all(len(params["TransactItems"]) <= 100 for _, params in writes)
    assert all("attribute_not_exists" in item["Put"]["ConditionExpression"]
               for _, params in writes for item in params["TransactItems"])
    assert sum(1 for n in range(130) for _ in AuditEventModel.query(f"2{n:010d}")) == 130  # one each, no more
