"""The deploy template a HIPAA auditor reads: per-function roles, an append-only audit trail archived under
Object Lock, retention, alarms, customer-managed keys and throttling. Checked on the template Chalice merges
(``chalice package --merge-template``, as `make package` builds it) and on resources.yaml."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from infrastructure.policy import FUNCTIONS, log_group_name, render_policy
from infrastructure.provision import load_template
from local.environment import PROJECT_DIR

SIX_YEARS_DAYS = 2190
LOG_RETENTION_DAYS = 2192
PHI_TABLES = {"accounts", "members", "roster", "registry", "documents", "audit", "prior-auths", "claims", "payments",
              "outbox"}


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The dev stage's merged template, packaged here (about 15 s)."""
    out = tmp_path_factory.mktemp("package")
    chalice = str(Path(sys.executable).with_name("chalice"))
    env = {**os.environ, "PORTAL_STAGE": "dev", "AWS_DEFAULT_REGION": "us-east-1"}
    subprocess.run([chalice, "package", "--stage", "dev", "--merge-template", "infrastructure/resources.yaml",
                    "--template-format", "yaml", str(out)], cwd=PROJECT_DIR, env=env, check=True,
                   capture_output=True)
    return yaml.safe_load((out / "sam.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return load_template()["Resources"]


def _of_type(resources: dict[str, Any], resource_type: str) -> dict[str, Any]:
    return {name: spec for name, spec in resources.items() if spec["Type"] == resource_type}


def _function_name(spec: dict[str, Any]) -> str:
    handler = spec["Properties"]["Handler"]
    return "api_handler" if handler == "app.app" else handler.rsplit(".", 1)[1]


def test_every_function_has_its_own_role_with_its_own_policy(merged):
    functions = _of_type(merged["Resources"], "AWS::Serverless::Function")
    assert {_function_name(spec) for spec in functions.values()} == set(FUNCTIONS)
    roles = {spec["Properties"]["Role"]["Fn::GetAtt"][0] for spec in functions.values()}
    assert len(roles) == len(functions)
    for spec in functions.values():
        role = merged["Resources"][spec["Properties"]["Role"]["Fn::GetAtt"][0]]
        [policy] = role["Properties"]["Policies"]
        assert policy["PolicyDocument"] == render_policy("dev", _function_name(spec))


def test_the_apis_role_can_only_append_to_the_audit_table(merged):
    [api] = [spec for spec in _of_type(merged["Resources"], "AWS::Serverless::Function").values()
             if _function_name(spec) == "api_handler"]
    role = merged["Resources"][api["Properties"]["Role"]["Fn::GetAtt"][0]]
    statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    audit = "arn:*:dynamodb:*:*:table/portal-dev-audit"
    allowed = {action for s in statements if s["Effect"] == "Allow" and audit in s["Resource"]
               for action in s["Action"]}
    assert allowed == {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"}
    denied = {action for s in statements if s["Effect"] == "Deny" and audit in s["Resource"] for action in s["Action"]}
    assert {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"} <= denied
    for statement in statements:  # no wildcard resource for logs or SES, in any statement
        if any(action.startswith(("logs:", "ses:")) for action in statement["Action"]):
            assert statement["Resource"] != "*"
            assert "arn:*:logs:*:*:*" not in str(statement["Resource"])


def test_the_merged_functions_keep_chalices_handlers_and_log_to_their_own_groups(merged):
    merged_resources = merged["Resources"]
    for spec in _of_type(merged_resources, "AWS::Serverless::Function").values():
        name = _function_name(spec)
        group = merged_resources[spec["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]]
        assert group["Properties"]["RetentionInDays"] == LOG_RETENTION_DAYS, name
        assert group["Properties"]["LogGroupName"]["Fn::Sub"].replace("${Stage}", "dev") == log_group_name("dev", name)
        assert spec["Properties"]["CodeUri"] == "./deployment.zip"
        alarmed = {(alarm["Properties"]["MetricName"]) for alarm in _of_type(merged_resources,
                                                                             "AWS::CloudWatch::Alarm").values()
                   if alarm["Properties"]["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": _logical(
                       merged_resources, spec)}}]}
        assert alarmed == {"Errors", "Throttles"}, name


def _logical(resources: dict[str, Any], function: dict[str, Any]) -> str:
    return next(name for name, spec in resources.items() if spec is function)


def test_the_audit_stream_reaches_its_handler_and_the_archive_is_locked_six_years(merged, resources):
    audit = resources["AuditTable"]["Properties"]
    assert audit["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    [archiver] = [spec for spec in _of_type(merged["Resources"], "AWS::Serverless::Function").values()
                  if _function_name(spec) == "archive_audit_records"]
    [source] = archiver["Properties"]["Events"].values()
    assert source["Type"] == "DynamoDB"
    assert source["Properties"]["Stream"] == {"Fn::GetAtt": ["AuditTable", "StreamArn"]}
    bucket = resources["AuditArchiveBucket"]["Properties"]
    assert bucket["ObjectLockEnabled"] is True
    assert bucket["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": SIX_YEARS_DAYS}}}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert merged["Globals"]["Function"]["Environment"]["Variables"]["PORTAL_AUDIT_ARCHIVE_BUCKET"] == {
        "Ref": "AuditArchiveBucket"}


def test_every_dead_letter_queue_has_an_alarm_to_the_alerts_topic(resources):
    dead_letter = {spec["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
                   for spec in _of_type(resources, "AWS::SQS::Queue").values() if "RedrivePolicy" in spec["Properties"]}
    assert len(dead_letter) == 4
    alarms = _of_type(resources, "AWS::CloudWatch::Alarm").values()
    for queue in dead_letter:
        [alarm] = [a["Properties"] for a in alarms
                   if a["Properties"]["Dimensions"][0]["Value"] == {"Fn::GetAtt": [queue, "QueueName"]}]
        assert (alarm["MetricName"], alarm["ComparisonOperator"], alarm["Threshold"]) == (
            "ApproximateNumberOfMessagesVisible", "GreaterThanThreshold", 0)
        assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}]
    api = [a["Properties"] for a in alarms if a["Properties"]["Namespace"] == "AWS/ApiGateway"]
    assert [a["MetricName"] for a in api] == ["5XXError"]
    assert resources["AlertsSubscription"]["Properties"]["Endpoint"] == {"Ref": "AlertEmail"}


def test_phi_tables_and_the_buckets_use_rotated_customer_managed_keys(resources):
    keys = _of_type(resources, "AWS::KMS::Key")
    assert set(keys) == {"TablesKey", "DocumentsKey", "MfaKey"}
    assert all(spec["Properties"]["EnableKeyRotation"] is True for spec in keys.values())
    for spec in _of_type(resources, "AWS::DynamoDB::Table").values():
        name = spec["Properties"]["TableName"]["Fn::Sub"].removeprefix("portal-${Stage}-")
        sse = spec["Properties"]["SSESpecification"]
        if name in PHI_TABLES:
            assert (sse["SSEType"], sse["KMSMasterKeyId"]) == ("KMS", {"Ref": "TablesKey"}), name
    for bucket in ("DocumentsBucket", "AuditArchiveBucket"):
        [rule] = resources[bucket]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                         "KMSMasterKeyID": {"Fn::GetAtt": ["DocumentsKey", "Arn"]}}
        assert rule["BucketKeyEnabled"] is True
    functions = [render_policy("dev", name) for name in FUNCTIONS]
    assert all(any(s["Sid"] == "TablesKey" for s in policy["Statement"]) for policy in functions
               if any(s["Sid"] in ("WriteTables", "AppendAudit") for s in policy["Statement"]))


def test_documents_old_versions_expire_and_data_events_are_logged(resources):
    rules = {rule["Prefix"]: rule for rule in
             resources["DocumentsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"] if "Prefix" in rule}
    assert rules["exports/"]["ExpirationInDays"] == 8  # available 7 days (README)
    assert rules["exports/"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    assert rules["results/"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    assert "ExpirationInDays" not in rules["quarantine/"]  # kept in quarantine (README)
    assert rules["quarantine/"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": SIX_YEARS_DAYS}
    trail = resources["DocumentsTrail"]["Properties"]
    assert trail["S3BucketName"] == {"Ref": "DocumentsTrailBucket"}
    [selector] = trail["AdvancedEventSelectors"]
    fields = {f["Field"]: f for f in selector["FieldSelectors"]}
    assert fields["resources.type"]["Equals"] == ["AWS::S3::Object"]
    assert fields["resources.ARN"]["StartsWith"] == [{"Fn::Sub": "${DocumentsBucket.Arn}/"}]


def test_the_api_is_throttled_per_client_ip_and_per_stage(merged, resources):
    [rule] = resources["ApiWebAcl"]["Properties"]["Rules"]
    assert rule["Statement"]["RateBasedStatement"] == {"Limit": {"Ref": "RequestsPerIpPer5Minutes"},
                                                       "AggregateKeyType": "IP"}
    assert rule["Action"] == {"Block": {}}
    association = resources["ApiWebAclAssociation"]["Properties"]
    assert "${RestAPI}" in association["ResourceArn"]["Fn::Sub"]
    api = merged["Resources"]["RestAPI"]["Properties"]
    [settings] = api["MethodSettings"]
    assert (settings["ThrottlingBurstLimit"], settings["ThrottlingRateLimit"]) == (
        {"Ref": "ApiBurstLimit"}, {"Ref": "ApiRateLimit"})
    assert len(api["DefinitionBody"]["paths"]) > 10  # Chalice's routes survive the merge


def test_only_the_api_seals_totp_secrets_with_the_mfa_key_and_only_under_their_context(resources):
    assert resources["MfaKeyAlias"]["Properties"] == {"AliasName": {"Fn::Sub": "alias/portal-${Stage}-mfa"},
                                                      "TargetKeyId": {"Ref": "MfaKey"}}
    using = {name: [s for s in render_policy("prod", name)["Statement"] if s["Sid"] == "MfaKey"] for name in FUNCTIONS}
    assert {name for name, statements in using.items() if statements} == {"api_handler"}
    [statement] = using["api_handler"]
    assert statement["Action"] == ["kms:Encrypt", "kms:Decrypt"]
    assert statement["Condition"] == {
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/portal-prod-mfa"},
        "StringEquals": {"kms:EncryptionContext:purpose": "totp-secret"}}
