"""The template is the one definition: the models, the handlers and the deploy all agree with it."""

import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from pynamodb.attributes import TTLAttribute

from chalicelib.platform.config import get_settings
from chalicelib.wiring import table_models
from infrastructure.provision import TEMPLATE_PATH, load_template, provision

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def provisioned():
    settings = get_settings()
    with mock_aws():
        provision(stage=settings.stage, region=settings.region, endpoint_url=None,
                  sender_email=settings.sender_email)
        yield boto3.client("dynamodb", region_name=settings.region)


def _key_schema(entries):
    return {(entry["AttributeName"], entry["KeyType"]) for entry in entries}


def test_every_model_matches_its_table_keys_and_indexes(provisioned):
    for model in table_models():
        table = provisioned.describe_table(TableName=model.Meta.table_name)["Table"]
        hash_key = model._hash_keyname
        assert (f"{hash_key}", "HASH") in _key_schema(table["KeySchema"]), model.__name__
        declared = {index["IndexName"]: index for index in table.get("GlobalSecondaryIndexes", [])}
        for index in model._indexes.values():
            name = index.Meta.index_name
            assert name in declared, f"{model.__name__}.{name} is not in the template"
            model_keys = {(attr.attr_name, "HASH" if attr.is_hash_key else "RANGE")
                          for attr in index.Meta.attributes.values() if attr.is_hash_key or attr.is_range_key}
            assert model_keys == _key_schema(declared[name]["KeySchema"]), f"{model.__name__}.{name}"
            assert index.Meta.projection.projection_type == declared[name]["Projection"]["ProjectionType"]


def test_tables_have_ttl_where_the_models_expire_rows(provisioned):
    for model in table_models():
        ttl_attributes = [
            a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)
        ]
        if not ttl_attributes:
            continue
        described = provisioned.describe_time_to_live(TableName=model.Meta.table_name)["TimeToLiveDescription"]
        assert described["TimeToLiveStatus"] == "ENABLED"
        assert described["AttributeName"] == ttl_attributes[0]


def test_every_table_has_recovery_and_encryption():
    for logical_id, resource in load_template()["Resources"].items():
        if resource["Type"] == "AWS::DynamoDB::Table":
            properties = resource["Properties"]
            assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], logical_id
            assert properties["SSESpecification"]["SSEEnabled"], logical_id


def test_every_queue_the_app_consumes_exists_with_a_dead_letter_queue(provisioned):
    from chalice.app import SQSEventConfig

    from app import app

    sqs = boto3.client("sqs", region_name=get_settings().region)
    consumed = [s.queue for s in app.event_sources if isinstance(s, SQSEventConfig)]
    assert consumed
    for name in consumed:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
        assert "deadLetterTargetArn" in attributes["RedrivePolicy"]


def test_the_bucket_blocks_public_access_and_encrypts(provisioned):
    s3 = boto3.client("s3", region_name=get_settings().region)
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert {get_settings().documents_bucket, get_settings().audit_archive_bucket} <= buckets
    for bucket in buckets:
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()), bucket
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("aws:kms", "AES256"), bucket
    [documents] = s3.get_bucket_encryption(Bucket=get_settings().documents_bucket)[
        "ServerSideEncryptionConfiguration"]["Rules"]
    key = documents["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    assert documents["BucketKeyEnabled"] is True
    kms = boto3.client("kms", region_name=get_settings().region)
    assert kms.get_key_rotation_status(KeyId=key.rsplit("/", 1)[-1])["KeyRotationEnabled"] is True


def test_the_deployed_bucket_denies_requests_without_tls():
    """Not provisioned locally (see provision.NOT_EMULATED); the deployed template must keep it."""
    [statement] = load_template()["Resources"]["DocumentsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_uploads_reach_the_uploads_queue_and_only_uploads(provisioned):
    s3 = boto3.client("s3", region_name=get_settings().region)
    config = s3.get_bucket_notification_configuration(Bucket=get_settings().documents_bucket)
    [queue] = config["QueueConfigurations"]
    assert queue["QueueArn"].endswith(get_settings().resource_name("uploads"))
    assert queue["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "uploads/"}]


def test_the_sender_identity_is_verified(provisioned):
    ses = boto3.client("ses", region_name=get_settings().region)
    assert get_settings().sender_email in ses.list_identities()["Identities"]


def test_cfn_lint_accepts_the_template():
    cfn_lint = str(Path(sys.executable).with_name("cfn-lint"))
    result = subprocess.run([cfn_lint, str(TEMPLATE_PATH)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
