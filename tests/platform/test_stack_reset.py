"""The module's moto stack, once used, is put back exactly as a fresh provisioning leaves it (stack.py)."""

import json

import pytest

from chalicelib.platform.config import get_settings
from tests.support import moto_stack as stack_module
from tests.support.moto import sent_emails

LAYERS = ["providers", "demo_users", "members"]
VOLATILE_QUEUE_ATTRIBUTES = {"CreatedTimestamp", "LastModifiedTimestamp"}


def scan(dynamodb, table):
    return sorted(json.dumps(item, sort_keys=True) for page in dynamodb.get_paginator("scan").paginate(
        TableName=table, ConsistentRead=True) for item in page["Items"])


def state(stack):
    """Everything a test could see or change: tables (settings and items), queues, bucket, SES."""
    dynamodb, s3, sqs, ses = (stack.client(name) for name in ("dynamodb", "s3", "sqs", "ses"))
    tables = {}
    for name in dynamodb.list_tables()["TableNames"]:
        table = dynamodb.describe_table(TableName=name)["Table"]
        tables[name] = {
            "settings": {key: table.get(key) for key in (
                "KeySchema", "AttributeDefinitions", "BillingModeSummary", "StreamSpecification", "SSEDescription")},
            "indexes": sorted(json.dumps({key: index[key] for key in ("IndexName", "KeySchema", "Projection")},
                                         sort_keys=True) for index in table.get("GlobalSecondaryIndexes", [])),
            "ttl": dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"],
            "recovery": dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
                "PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
            "items": scan(dynamodb, name),
        }
    queues = {}
    for url in sqs.list_queues()["QueueUrls"]:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        queues[url] = {key: value for key, value in attributes.items() if key not in VOLATILE_QUEUE_ATTRIBUTES}
    buckets = {}
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        versions = s3.list_object_versions(Bucket=bucket)
        buckets[bucket] = {
            "versions": [v["Key"] for v in versions.get("Versions", [])],
            "delete_markers": [v["Key"] for v in versions.get("DeleteMarkers", [])],
            "uploads": [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])],
            "notifications": s3.get_bucket_notification_configuration(Bucket=bucket).get("QueueConfigurations"),
            "versioning": s3.get_bucket_versioning(Bucket=bucket).get("Status"),
            "cors": cors_rules(s3, bucket),
        }
    return {
        "tables": tables, "queues": queues, "buckets": buckets,
        "identities": sorted(ses.list_identities()["Identities"]), "sent": sent_emails(),
        "sent_last_24h": ses.get_send_quota()["SentLast24Hours"],
    }


def cors_rules(s3, bucket):
    """The bucket's CORS rules; None for a bucket with none (the audit archive: no browser posts to it)."""
    from botocore.exceptions import ClientError

    try:
        return s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchCORSConfiguration":
            return None
        raise


def key_of(dynamodb, table, suffix):
    description = dynamodb.describe_table(TableName=table)["Table"]
    types = {a["AttributeName"]: a["AttributeType"] for a in description["AttributeDefinitions"]}
    return {key["AttributeName"]: {"N": "7"} if types[key["AttributeName"]] == "N" else {types[key["AttributeName"]]:
            f"stray-{suffix}"} for key in description["KeySchema"]}


def use_everything(stack):
    """What tests do, each kind of write on tables no other write touches; objects, messages, mail, identities."""
    dynamodb, s3, sqs, ses = (stack.client(name) for name in ("dynamodb", "s3", "sqs", "ses"))
    name = get_settings().resource_name
    providers = name("providers")
    [provider] = dynamodb.scan(TableName=providers, Limit=1)["Items"]
    dynamodb.delete_item(TableName=providers, Key={"provider_id": provider["provider_id"]})
    for table in (name("accounts"), name("members")):  # an item changed, or one made by an update
        existing = dynamodb.scan(TableName=table, Limit=1)["Items"]
        keys = [k["AttributeName"] for k in dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]]
        key = {k: existing[0][k] for k in keys} if existing else key_of(dynamodb, table, "update")
        dynamodb.update_item(TableName=table, Key=key, UpdateExpression="SET stray = :s",
                             ExpressionAttributeValues={":s": {"S": "changed"}})
    dynamodb.batch_write_item(RequestItems={name("sessions"): [
        {"PutRequest": {"Item": key_of(dynamodb, name("sessions"), "batch")}}]})
    dynamodb.transact_write_items(TransactItems=[{"Put": {"TableName": name("tokens"),
                                                          "Item": key_of(dynamodb, name("tokens"), "tx")}}])
    others = set(dynamodb.list_tables()["TableNames"]) - {name(t) for t in ("providers", "accounts", "members",
                                                                             "sessions", "tokens")}
    for table in others:
        dynamodb.put_item(TableName=table, Item=key_of(dynamodb, table, "put"))
    bucket = get_settings().documents_bucket
    s3.put_object(Bucket=bucket, Key="uploads/x.pdf", Body=b"one")
    s3.put_object(Bucket=bucket, Key="uploads/x.pdf", Body=b"two")
    s3.delete_object(Bucket=bucket, Key="uploads/x.pdf")
    s3.put_object(Bucket=bucket, Key="exports/y.csv", Body=b"y")
    s3.create_multipart_upload(Bucket=bucket, Key="exports/z.csv")
    for url in sqs.list_queues()["QueueUrls"]:
        sqs.send_message(QueueUrl=url, MessageBody="{}")
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)  # one left in flight
    sender = get_settings().sender_email
    ses.send_email(Source=sender, Destination={"ToAddresses": ["a@example.org"]},
                   Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
    ses.delete_identity(Identity=sender)
    ses.verify_email_identity(EmailAddress="someone-else@example.org")


@pytest.mark.parametrize("diff_at_most", [stack_module.DIFF_AT_MOST, 0], ids=["item-by-item", "tables-made-anew"])
def test_a_used_stack_is_put_back_as_a_fresh_provisioning_leaves_it(stack, aws, monkeypatch, diff_at_most):
    monkeypatch.setattr(stack_module, "DIFF_AT_MOST", diff_at_most)
    provisionings = stack.provisionings
    stack.tainted = "compare with a fresh provisioning"
    stack.reset(["providers"])
    assert stack.provisionings == provisionings + 1
    fresh = state(stack)
    assert fresh["tables"][get_settings().resource_name("providers")]["items"]
    assert fresh["sent"] == []
    stack.reset(LAYERS)
    with_data = state(stack)
    assert with_data["tables"] != fresh["tables"]
    stack.reset(["providers"])  # layers dropped from tables no test wrote to
    assert state(stack) == fresh
    stack.reset(LAYERS)
    assert state(stack) == with_data

    use_everything(stack)
    assert not stack.tainted  # all of that is undone by a reset, not a provisioning
    used = state(stack)
    for part in ("tables", "queues", "buckets", "identities", "sent"):
        assert used[part] != with_data[part], part
    stack.reset(LAYERS)  # the same layers: only what was written is put back
    assert state(stack) == with_data

    use_everything(stack)
    stack.reset(["providers"])
    assert state(stack) == fresh

    use_everything(stack)
    stack.reset(LAYERS)
    assert state(stack) == with_data
    assert stack.provisionings == provisionings + 1
    uploads = stack.client("sqs").get_queue_url(QueueName=get_settings().resource_name("uploads"))["QueueUrl"]
    [test_event] = stack.client("sqs").receive_message(QueueUrl=uploads, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(test_event["Body"])["Event"] == "s3:TestEvent"


def test_a_change_the_reset_cannot_undo_gets_a_fresh_provisioning(stack, aws):
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName=get_settings().resource_name("uploads"))["QueueUrl"]
    template = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
    provisionings = stack.provisionings
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "1"})
    assert stack.tainted == "sqs SetQueueAttributes"
    stack.reset(["providers"])
    assert stack.provisionings == provisionings + 1
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == template


def test_a_loader_may_only_put_items(stack, aws, monkeypatch):
    from chalicelib.providers.store import ProviderModel

    monkeypatch.setitem(stack._loaders, "reads", lambda: list(ProviderModel.scan()))
    with pytest.raises(stack_module.LayerError, match="may only put DynamoDB items, not call dynamodb:Scan"):
        stack.ensure("reads")
