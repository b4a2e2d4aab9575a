"""Each Lambda function's own least-privilege IAM policy for a stage, rendered from resources.yaml (never by hand).

``FUNCTIONS`` declares what each function touches: the tables it reads and writes, the queues it sends to and
the one it consumes, the documents bucket, the audit archive, SES. Everything else follows from the template:
the physical names of the stage, the audit table's append-only grant, the function's own log group, the KMS
keys by alias. The API writes every table of the template (so a new table is granted to it with no step but
the template); an event handler gets only what it declares.

The audit table is append-only for every function (DECISIONS: Audit): PutItem, GetItem, Query and
ConditionCheckItem, never UpdateItem, DeleteItem or BatchWriteItem, which an explicit Deny refuses too.

`python -m infrastructure.policy` writes `.chalice/policy-<stage>-<function>.json` for every stage of
`.chalice/config.json` but `local` and `test` (which never deploy) and points each function's
``iam_policy_file`` at its file; a test fails when a committed file differs from its rendering.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infrastructure.provision import _Context, load_template

CHALICE_DIR = Path(__file__).resolve().parents[1] / ".chalice"
UNDEPLOYED_STAGES = ("local", "test")
APP_NAME = "provider-portal"
EVERY_TABLE = ("*",)
"""Every table of the template (the API's)."""
AUDIT_TABLE = "audit"
DOCUMENTS_BUCKET = "documents"
AUDIT_ARCHIVE_BUCKET = "audit-archive"
TABLES_KEY_ALIAS = "tables"
DOCUMENTS_KEY_ALIAS = "documents"
MFA_KEY_ALIAS = "mfa"
MFA_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt"]
MFA_KEY_PURPOSE = "totp-secret"
"""The encryption context's ``purpose`` every use of the MFA key names (chalicelib/accounts/mfa_service.py)."""

READ_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem",
                "dynamodb:DescribeTable"]
WRITE_ACTIONS = [*READ_ACTIONS, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                 "dynamodb:BatchWriteItem"]
APPEND_ACTIONS = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"]
REWRITE_ACTIONS = ["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
STREAM_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                  "dynamodb:ListStreams"]
SEND_ACTIONS = ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"]
CONSUME_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                   "sqs:ChangeMessageVisibility"]
OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]


@dataclass(frozen=True)
class Access:
    """What one function touches, by the template's short names (``portal-<stage>-<name>``)."""

    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    sends: tuple[str, ...] = ()
    consumes: str | None = None
    documents: bool = False
    archives_audit: bool = False
    sends_email: bool = False
    seals_mfa_secrets: bool = False
    """Encrypts and decrypts TOTP secrets with the MFA key directly (the login and enrolment)."""


FUNCTIONS: dict[str, Access] = {
    "api_handler": Access(writes=EVERY_TABLE, sends=("email-outbox", "exports"), documents=True,
                          seals_mfa_secrets=True),
    "process_uploaded_documents": Access(
        reads=("accounts", "members", "providers", "fee-schedules"),
        writes=("documents", "claims", "control", AUDIT_TABLE),
        sends=("claim-batches",), consumes="uploads", documents=True),
    "process_claim_batches": Access(
        reads=("accounts", "members", "providers", "fee-schedules"),
        writes=("documents", "claims", "control", AUDIT_TABLE),
        consumes="claim-batches", documents=True),
    "weekly_payment_cycle": Access(reads=("providers",), writes=("claims", "payments", "control"),
                                   documents=True),
    "run_membership_exports": Access(reads=("accounts", "roster"), writes=("exports", "outbox", AUDIT_TABLE),
                                     sends=("email-outbox",), consumes="exports", documents=True),
    "start_scheduled_exports": Access(writes=("export-subscriptions", "exports", AUDIT_TABLE), sends=("exports",)),
    "send_queued_emails": Access(reads=("providers",), writes=("idempotency", "accounts", "tokens", "outbox"),
                                 consumes="email-outbox",
                                 sends_email=True),
    "sweep_email_outbox": Access(writes=("outbox",), sends=("email-outbox",)),
    "deactivate_unused_accounts": Access(writes=("accounts", "sessions", "outbox", "control", AUDIT_TABLE),
                                         sends=("email-outbox",)),
    "archive_audit_records": Access(archives_audit=True),
}


class UnknownResource(LookupError):
    """FUNCTIONS names a table or queue the template does not define."""


@dataclass(frozen=True)
class _Stage:
    name: str
    tables: frozenset[str]
    queues: frozenset[str]
    buckets: dict[str, str]
    sender_email: str

    def physical(self, short_name: str) -> str:
        return f"portal-{self.name}-{short_name}"

    def table(self, short_name: str) -> str:
        name = self.physical(short_name)
        if name not in self.tables:
            raise UnknownResource(f"no table {name} in resources.yaml")
        return name

    def queue_arn(self, short_name: str) -> str:
        name = self.physical(short_name)
        if name not in self.queues:
            raise UnknownResource(f"no queue {name} in resources.yaml")
        return f"arn:*:sqs:*:*:{name}"


def _names(template: dict[str, Any], stage: str, resource_type: str, name_property: str) -> dict[str, str]:
    """Logical ID -> physical name (the account a wildcard) of each resource of a type."""
    parameters = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
    context = _Context(parameters={**parameters, "Stage": stage}, region="*", account_id="*")
    return {logical_id: context.resolve(spec["Properties"][name_property])
            for logical_id, spec in template["Resources"].items() if spec["Type"] == resource_type}


def _stage(stage: str, template: dict[str, Any]) -> _Stage:
    buckets = {name.removeprefix(f"portal-{stage}-").removesuffix("-*"): name
               for name in _names(template, stage, "AWS::S3::Bucket", "BucketName").values()}
    return _Stage(stage, frozenset(_names(template, stage, "AWS::DynamoDB::Table", "TableName").values()),
                  frozenset(_names(template, stage, "AWS::SQS::Queue", "QueueName").values()), buckets,
                  stage_sender_email(stage))


def _table_arns(names: list[str]) -> list[str]:
    return [arn for name in sorted(names) for arn in (f"arn:*:dynamodb:*:*:table/{name}",
                                                      f"arn:*:dynamodb:*:*:table/{name}/index/*")]


def log_group_name(stage: str, function: str) -> str:
    """The group resources.yaml gives the function (LoggingConfig), with its retention."""
    return f"/aws/lambda/{APP_NAME}-{stage}-{function}"


def _key_statement(sid: str, stage: str, alias: str, service: str) -> dict[str, Any]:
    """Use of a customer-managed key, named by its alias (its ID is the deploy's), through one service only."""
    return {"Sid": sid, "Effect": "Allow", "Action": KMS_ACTIONS, "Resource": "arn:*:kms:*:*:key/*",
            "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": f"alias/portal-{stage}-{alias}"},
                          "StringLike": {"kms:ViaService": f"{service}.*.amazonaws.com"}}}


def render_policy(stage: str, function: str, template: dict[str, Any] | None = None) -> dict[str, Any]:
    template = template or load_template()
    access = FUNCTIONS[function]
    where = _stage(stage, template)
    audit = where.table(AUDIT_TABLE)
    writes = sorted(where.tables) if access.writes == EVERY_TABLE else [where.table(t) for t in access.writes]
    reads = [where.table(t) for t in access.reads]
    statements: list[dict[str, Any]] = [
        {"Sid": "OwnLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"arn:*:logs:*:*:log-group:{log_group_name(stage, function)}:*"},
    ]
    if reads:
        statements.append({"Sid": "ReadTables", "Effect": "Allow", "Action": READ_ACTIONS,
                           "Resource": _table_arns(reads)})
    if [t for t in writes if t != audit]:
        statements.append({"Sid": "WriteTables", "Effect": "Allow", "Action": WRITE_ACTIONS,
                           "Resource": _table_arns([t for t in writes if t != audit])})
    if audit in writes:
        statements.append({"Sid": "AppendAudit", "Effect": "Allow", "Action": APPEND_ACTIONS,
                           "Resource": _table_arns([audit])})
    if reads or writes:
        statements.append(_key_statement("TablesKey", stage, TABLES_KEY_ALIAS, "dynamodb"))
    if access.archives_audit:
        statements += [
            {"Sid": "AuditStream", "Effect": "Allow", "Action": STREAM_ACTIONS,
             "Resource": f"arn:*:dynamodb:*:*:table/{audit}/stream/*"},
            {"Sid": "AuditArchive", "Effect": "Allow", "Action": ["s3:PutObject"],
             "Resource": f"arn:*:s3:::{where.buckets[AUDIT_ARCHIVE_BUCKET]}/*"},
            _key_statement("ArchiveKey", stage, DOCUMENTS_KEY_ALIAS, "s3"),
        ]
    if access.sends:
        statements.append({"Sid": "SendQueues", "Effect": "Allow", "Action": SEND_ACTIONS,
                           "Resource": [where.queue_arn(q) for q in access.sends]})
    if access.consumes:
        statements.append({"Sid": "ConsumeQueue", "Effect": "Allow", "Action": CONSUME_ACTIONS,
                           "Resource": where.queue_arn(access.consumes)})
    if access.documents:
        bucket = where.buckets[DOCUMENTS_BUCKET]
        statements += [
            {"Sid": "Documents", "Effect": "Allow", "Action": OBJECT_ACTIONS, "Resource": f"arn:*:s3:::{bucket}/*"},
            {"Sid": "DocumentsBucket", "Effect": "Allow", "Action": ["s3:ListBucket"],
             "Resource": f"arn:*:s3:::{bucket}"},
            _key_statement("DocumentsKey", stage, DOCUMENTS_KEY_ALIAS, "s3"),
        ]
    if access.seals_mfa_secrets:
        statements.append({"Sid": "MfaKey", "Effect": "Allow", "Action": MFA_KEY_ACTIONS,
                           "Resource": "arn:*:kms:*:*:key/*",
                           "Condition": {"ForAnyValue:StringEquals": {
                               "kms:ResourceAliases": f"alias/portal-{stage}-{MFA_KEY_ALIAS}"},
                               "StringEquals": {"kms:EncryptionContext:purpose": MFA_KEY_PURPOSE}}})
    if access.sends_email:
        statements.append({"Sid": "Email", "Effect": "Allow", "Action": ["ses:SendEmail"],
                           "Resource": f"arn:*:ses:*:*:identity/{where.sender_email}"})
    statements.append({"Sid": "AuditAppendOnly", "Effect": "Deny", "Action": REWRITE_ACTIONS,
                       "Resource": _table_arns([audit])})
    return {"Version": "2012-10-17", "Statement": statements}


def _config() -> dict[str, Any]:
    return json.loads((CHALICE_DIR / "config.json").read_text(encoding="utf-8"))


def stage_sender_email(stage: str) -> str:
    """The stage's sender (PORTAL_SENDER_EMAIL in .chalice/config.json): the only SES identity it may send as."""
    config = _config()
    stage_variables = config.get("stages", {}).get(stage, {}).get("environment_variables", {})
    return str(stage_variables.get("PORTAL_SENDER_EMAIL") or config["environment_variables"]["PORTAL_SENDER_EMAIL"])


def deployed_stages() -> list[str]:
    return [stage for stage in _config().get("stages", {}) if stage not in UNDEPLOYED_STAGES]


def policy_file(stage: str, function: str) -> str:
    return f"policy-{stage}-{function}.json"


def policy_text(stage: str, function: str) -> str:
    return json.dumps(render_policy(stage, function), indent=2) + "\n"


def config_text() -> str:
    """.chalice/config.json with every deployed stage's functions pointing at their own policy files."""
    config = _config()
    for stage in deployed_stages():
        settings = config["stages"][stage]
        settings.pop("iam_policy_file", None)
        functions = settings.setdefault("lambda_functions", {})
        for function in FUNCTIONS:
            functions.setdefault(function, {})["iam_policy_file"] = policy_file(stage, function)
    return json.dumps(config, indent=2) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    for stage in deployed_stages():
        for function in FUNCTIONS:
            (CHALICE_DIR / policy_file(stage, function)).write_text(policy_text(stage, function), encoding="utf-8")
        print(f"wrote .chalice/policy-{stage}-<function>.json for {len(FUNCTIONS)} functions")
    (CHALICE_DIR / "config.json").write_text(config_text(), encoding="utf-8")


if __name__ == "__main__":
    main()
