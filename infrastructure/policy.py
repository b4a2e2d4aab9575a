"""The Lambda functions' IAM policy for a stage, rendered from resources.yaml (never kept by hand).

Every table, queue and the documents bucket the template defines, named for the stage; nothing
else. `python -m infrastructure.policy` rewrites `.chalice/policy-<stage>.json` for every stage of
`.chalice/config.json` but `local` and `test` (which never deploy); a test fails when a committed
file differs from its rendering, so adding a table to the template is the only step.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from infrastructure.provision import _Context, load_template

CHALICE_DIR = Path(__file__).resolve().parents[1] / ".chalice"
UNDEPLOYED_STAGES = ("local", "test")

TABLE_ACTIONS = [
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query",
    "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
]
QUEUE_ACTIONS = [
    "sqs:SendMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
]
OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]


def _names(template: dict[str, Any], stage: str, resource_type: str, name_property: str) -> list[str]:
    parameters = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
    context = _Context(parameters={**parameters, "Stage": stage}, region="*", account_id="*")
    return sorted(context.resolve(spec["Properties"][name_property])
                  for spec in template["Resources"].values() if spec["Type"] == resource_type)


def render_policy(stage: str, template: dict[str, Any] | None = None) -> dict[str, Any]:
    template = template or load_template()
    tables = _names(template, stage, "AWS::DynamoDB::Table", "TableName")
    queues = _names(template, stage, "AWS::SQS::Queue", "QueueName")
    buckets = _names(template, stage, "AWS::S3::Bucket", "BucketName")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Logs", "Effect": "Allow",
             "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": "arn:*:logs:*:*:*"},
            {"Sid": "Tables", "Effect": "Allow", "Action": TABLE_ACTIONS,
             "Resource": [arn for table in tables for arn in (f"arn:*:dynamodb:*:*:table/{table}",
                                                              f"arn:*:dynamodb:*:*:table/{table}/index/*")]},
            {"Sid": "Queues", "Effect": "Allow", "Action": QUEUE_ACTIONS,
             "Resource": [f"arn:*:sqs:*:*:{queue}" for queue in queues]},
            {"Sid": "Documents", "Effect": "Allow", "Action": OBJECT_ACTIONS,
             "Resource": [f"arn:*:s3:::{bucket}/*" for bucket in buckets]},
            {"Sid": "Email", "Effect": "Allow", "Action": ["ses:SendEmail"], "Resource": "*"},
            {"Sid": "DocumentsBucket", "Effect": "Allow", "Action": ["s3:ListBucket"],
             "Resource": [f"arn:*:s3:::{bucket}" for bucket in buckets]},
        ],
    }


def deployed_stages() -> list[str]:
    config = json.loads((CHALICE_DIR / "config.json").read_text(encoding="utf-8"))
    return [stage for stage in config.get("stages", {}) if stage not in UNDEPLOYED_STAGES]


def policy_text(stage: str) -> str:
    return json.dumps(render_policy(stage), indent=2) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    for stage in deployed_stages():
        (CHALICE_DIR / f"policy-{stage}.json").write_text(policy_text(stage), encoding="utf-8")
        print(f"wrote .chalice/policy-{stage}.json")


if __name__ == "__main__":
    main()
