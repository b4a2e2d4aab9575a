"""Create the resources of ``resources.yaml`` against an AWS endpoint (moto, locally).

The deploy path merges the same template into Chalice's CloudFormation; this module
is how the local stack and the tests get *the same* tables, indexes, TTLs, queues,
redrive policies, bucket settings and SES identity without a second definition.
It reads the template and calls each service's API for the handful of resource
types the template uses; an unknown type is an error, so nothing is skipped quietly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import yaml

TEMPLATE_PATH = Path(__file__).with_name("resources.yaml")
LOCAL_ACCOUNT_ID = "123456789012"

_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")

# What the emulator cannot honour, and why; the deployed template keeps it.
NOT_EMULATED = {
    "AWS::S3::BucketPolicy": (
        "moto takes every policy condition it cannot evaluate (aws:SecureTransport among them) as met, "
        "so the deny-non-TLS statement would deny every request"
    ),
    "AWS::Serverless::Function": "the functions are the app itself, called in-process (local/pump.py, the API server)",
    "AWS::Serverless::Api": "the API is the app itself, served by local/api_server.py (no stage throttling)",
    "AWS::Logs::LogGroup": "the functions run in-process and log to the console; no log group to keep",
    "AWS::CloudWatch::Alarm": "no function or queue metrics are published locally",
    "AWS::SNS::Topic": "the alarms' topic; no alarm fires locally",
    "AWS::SNS::Subscription": "the alarms' topic; no alarm fires locally",
    "AWS::WAFv2::WebACL": "no edge in front of the local API",
    "AWS::WAFv2::WebACLAssociation": "no edge in front of the local API",
    "AWS::CloudTrail::Trail": "moto records no S3 data events; the trail's bucket is made, and stays empty",
}


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@dataclass
class _Context:
    parameters: dict[str, str]
    region: str
    account_id: str
    physical: dict[str, dict[str, str]] = field(default_factory=dict)

    def pseudo(self, name: str) -> str | None:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws",
            "AWS::StackName": f"portal-{self.parameters.get('Stage', 'local')}",
        }.get(name)

    def ref(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        pseudo = self.pseudo(name)
        if pseudo is not None:
            return pseudo
        return self.physical[name]["Ref"]

    def get_att(self, logical_id: str, attribute: str) -> str:
        return self.physical[logical_id][attribute]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"}:
            return self.ref(value["Ref"])
        if set(value) == {"Fn::GetAtt"}:
            logical_id, attribute = value["Fn::GetAtt"]
            return self.get_att(logical_id, attribute)
        if set(value) == {"Fn::Sub"}:
            return _SUB_VARIABLE.sub(lambda match: self._sub_variable(match.group(1)), value["Fn::Sub"])
        return {key: self.resolve(item) for key, item in value.items()}

    def _sub_variable(self, name: str) -> str:
        if "." in name:
            logical_id, attribute = name.split(".", 1)
            return self.get_att(logical_id, attribute)
        return self.ref(name)


def _references(value: Any) -> set[str]:
    """Logical IDs a resource's properties refer to, so resources are made in order."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _references(item)
    elif isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            found.add(value["Fn::GetAtt"][0])
        if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
            found |= {name.split(".")[0] for name in _SUB_VARIABLE.findall(value["Fn::Sub"])}
        for item in value.values():
            found |= _references(item)
    return found


def _creation_order(resources: Mapping[str, Any]) -> list[str]:
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(logical_id: str) -> None:
        if logical_id in ordered:
            return
        if logical_id in visiting:
            raise ValueError(f"circular reference at {logical_id}")
        visiting.add(logical_id)
        depends_on = resources[logical_id].get("DependsOn", [])
        explicit = {depends_on} if isinstance(depends_on, str) else set(depends_on)
        for dependency in sorted(_references(resources[logical_id].get("Properties", {})) | explicit):
            if dependency in resources:
                visit(dependency)
        visiting.discard(logical_id)
        ordered.append(logical_id)

    for logical_id in resources:
        visit(logical_id)
    return ordered


class Provisioner:
    """Creates each resource type of the template with the service's own API."""

    def __init__(self, session: boto3.session.Session, endpoint_url: str | None, context: _Context) -> None:
        self._session = session
        self._endpoint_url = endpoint_url
        self._context = context
        self._clients: dict[str, Any] = {}
        self._creators: dict[str, Callable[[str, dict[str, Any]], dict[str, str]]] = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::SQS::Queue": self._queue,
            "AWS::SQS::QueuePolicy": self._queue_policy,
            "AWS::S3::Bucket": self._bucket,
            "AWS::S3::BucketPolicy": self._bucket_policy,
            "AWS::SES::EmailIdentity": self._email_identity,
            "AWS::KMS::Key": self._key,
            "AWS::KMS::Alias": self._alias,
        }

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, region_name=self._context.region, endpoint_url=self._endpoint_url
            )
        return self._clients[service]

    def create(self, resource_type: str, properties: dict[str, Any]) -> dict[str, str]:
        creator = self._creators.get(resource_type)
        if creator is None:
            raise ValueError(f"provision.py cannot create {resource_type}; add it here and to the template")
        return creator(resource_type, properties)

    def _table(self, _: str, props: dict[str, Any]) -> dict[str, str]:
        name = props["TableName"]
        request: dict[str, Any] = {
            "TableName": name,
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
        }
        if props.get("GlobalSecondaryIndexes"):
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        if props.get("SSESpecification"):
            sse = props["SSESpecification"]
            request["SSESpecification"] = {"Enabled": sse.get("SSEEnabled", False)}
            if "KMSMasterKeyId" in sse:
                request["SSESpecification"].update(SSEType=sse["SSEType"], KMSMasterKeyId=sse["KMSMasterKeyId"])
        dynamodb = self.client("dynamodb")
        description = dynamodb.create_table(**request)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        recovery = props.get("PointInTimeRecoverySpecification")
        if recovery:
            dynamodb.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={
                    "PointInTimeRecoveryEnabled": recovery["PointInTimeRecoveryEnabled"]
                },
            )
        return {"Ref": name, "Arn": description["TableArn"]}

    def _queue(self, _: str, props: dict[str, Any]) -> dict[str, str]:
        attributes: dict[str, str] = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"):
            if key in props:
                attributes[key] = str(props[key])
        if "SqsManagedSseEnabled" in props:
            attributes["SqsManagedSseEnabled"] = str(props["SqsManagedSseEnabled"]).lower()
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=props["QueueName"], Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return {"Ref": url, "Arn": arn, "QueueName": props["QueueName"]}

    def _queue_policy(self, _: str, props: dict[str, Any]) -> dict[str, str]:
        for url in props["Queues"]:
            self.client("sqs").set_queue_attributes(
                QueueUrl=url, Attributes={"Policy": json.dumps(props["PolicyDocument"])}
            )
        return {"Ref": ",".join(props["Queues"])}

    def _bucket(self, _: str, props: dict[str, Any]) -> dict[str, str]:
        s3 = self.client("s3")
        name = props["BucketName"]
        request: dict[str, Any] = {"Bucket": name, "ObjectLockEnabledForBucket": bool(props.get("ObjectLockEnabled"))}
        if self._context.region != "us-east-1":
            request["CreateBucketConfiguration"] = {"LocationConstraint": self._context.region}
        s3.create_bucket(**request)
        if "ObjectLockConfiguration" in props:
            s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=props["ObjectLockConfiguration"])
        if "PublicAccessBlockConfiguration" in props:
            s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
            )
        if "BucketEncryption" in props:
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                         "BucketKeyEnabled": bool(rule.get("BucketKeyEnabled"))}
                        for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                    ]
                },
            )
        if "OwnershipControls" in props:
            s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=props["OwnershipControls"])
        if "CorsConfiguration" in props:
            rules = [
                {("MaxAgeSeconds" if key == "MaxAge" else key): value for key, value in rule.items()}
                for rule in props["CorsConfiguration"]["CorsRules"]
            ]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        if "LifecycleConfiguration" in props:
            s3.put_bucket_lifecycle_configuration(
                Bucket=name,
                LifecycleConfiguration={
                    "Rules": [_lifecycle_rule(rule) for rule in props["LifecycleConfiguration"]["Rules"]]
                },
            )
        if "VersioningConfiguration" in props:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=props["VersioningConfiguration"])
        notifications = props.get("NotificationConfiguration")
        if notifications:
            s3.put_bucket_notification_configuration(
                Bucket=name,
                NotificationConfiguration={
                    "QueueConfigurations": [
                        {"QueueArn": entry["Queue"], "Events": [entry["Event"]], **_filter(entry)}
                        for entry in notifications.get("QueueConfigurations", [])
                    ]
                },
            )
        return {"Ref": name, "Arn": f"arn:aws:s3:::{name}"}

    def _bucket_policy(self, _: str, props: dict[str, Any]) -> dict[str, str]:
        self.client("s3").put_bucket_policy(Bucket=props["Bucket"], Policy=json.dumps(props["PolicyDocument"]))
        return {"Ref": props["Bucket"]}

    def _key(self, _: str, props: dict[str, Any]) -> dict[str, str]:
        kms = self.client("kms")
        metadata = kms.create_key(Description=props.get("Description", ""),
                                  Policy=json.dumps(props["KeyPolicy"]))["KeyMetadata"]
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=metadata["KeyId"])
        return {"Ref": metadata["KeyId"], "Arn": metadata["Arn"], "KeyId": metadata["KeyId"]}

    def _alias(self, _: str, props: dict[str, Any]) -> dict[str, str]:
        self.client("kms").create_alias(AliasName=props["AliasName"], TargetKeyId=props["TargetKeyId"])
        return {"Ref": props["AliasName"]}

    def _email_identity(self, _: str, props: dict[str, Any]) -> dict[str, str]:
        identity = props["EmailIdentity"]
        ses = self.client("ses")
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)
        return {"Ref": identity}


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {
        "ID": rule["Id"], "Status": rule["Status"], "Filter": {"Prefix": rule.get("Prefix", "")},
    }
    if "ExpirationInDays" in rule:
        converted["Expiration"] = {"Days": rule["ExpirationInDays"]}
    if "NoncurrentVersionExpiration" in rule:
        converted["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
        }
    if "AbortIncompleteMultipartUpload" in rule:
        converted["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
        }
    return converted


def _filter(entry: dict[str, Any]) -> dict[str, Any]:
    if "Filter" not in entry:
        return {}
    rules = entry["Filter"]["S3Key"]["Rules"]
    return {"Filter": {"Key": {"FilterRules": rules}}}


def provision(
    *,
    stage: str,
    region: str,
    endpoint_url: str | None,
    sender_email: str,
    portal_origin: str = "http://127.0.0.1:8000",
    session: boto3.session.Session | None = None,
    template: dict[str, Any] | None = None,
) -> dict[str, dict[str, str]]:
    """Create every resource of the template; returns logical ID -> its Ref and attributes."""
    template = template or load_template()
    parameters = {
        name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()
    }
    parameters.update({"Stage": stage, "SenderEmail": sender_email, "PortalOrigin": portal_origin})
    context = _Context(parameters=parameters, region=region, account_id=LOCAL_ACCOUNT_ID)
    provisioner = Provisioner(session or boto3.session.Session(), endpoint_url, context)
    resources = template["Resources"]
    for logical_id in _creation_order(resources):
        spec = resources[logical_id]
        if spec["Type"] in NOT_EMULATED:
            context.physical[logical_id] = {"Ref": logical_id}
            continue
        properties = context.resolve(spec.get("Properties", {}))
        context.physical[logical_id] = provisioner.create(spec["Type"], properties)
    return context.physical
