"""One moto stack per test module, put back to the state a fresh provisioning gives before every test.

Provisioning the template costs ~0.5 s (18 tables, 6 queues, a bucket, an SES identity); putting a
used stack back costs a few calls. Between two tests:

* every DynamoDB table a test wrote to is dropped and made anew by replaying the very calls
  ``provision`` made for it (CreateTable, UpdateTimeToLive, ...), then refilled with its data layers;
* the bucket loses every object version, delete marker and unfinished multipart upload, every
  queue is purged, and the bucket's notifications are set again so the uploads queue holds the
  ``s3:TestEvent`` a fresh provisioning leaves there;
* SES forgets what it sent and has exactly the template's identities again.

Which tables were written is seen on every botocore call (``BaseClient._make_api_call``, the path
PynamoDB, boto3 and Powertools take). A call that could change anything else (a table's or a
queue's or the bucket's settings, another service, a write whose tables cannot be told) taints the
stack: the next test gets a freshly provisioned moto, exactly as before this module existed.

Data layers (the demo providers, members, roster, ...) are loaded once per module by their
loaders, which may only put items; their puts are kept and replayed into a remade table.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from unittest import mock

from botocore import xform_name
from moto import mock_aws

DYNAMODB_READS = frozenset({
    "GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "DescribeTable", "ListTables",
    "DescribeTimeToLive", "DescribeContinuousBackups", "ListTagsOfResource", "DescribeEndpoints", "DescribeLimits",
})
"""Calls that change nothing."""

RESET_COVERS = {
    "sqs": frozenset({
        "SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
        "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "GetQueueUrl", "GetQueueAttributes",
        "ListQueues", "ListQueueTags", "ListDeadLetterSourceQueues", "PurgeQueue",
    }),
    "s3": frozenset({
        "PutObject", "GetObject", "HeadObject", "DeleteObject", "DeleteObjects", "CopyObject", "ListObjects",
        "ListObjectsV2", "ListObjectVersions", "CreateMultipartUpload", "UploadPart", "UploadPartCopy",
        "CompleteMultipartUpload", "AbortMultipartUpload", "ListMultipartUploads", "ListParts", "GetObjectTagging",
        "PutObjectTagging", "DeleteObjectTagging", "GetObjectAttributes", "HeadBucket", "ListBuckets",
        "GetBucketLocation", "GetBucketNotificationConfiguration", "GetBucketVersioning", "GetBucketCors",
        "GetBucketLifecycleConfiguration", "GetBucketEncryption", "GetPublicAccessBlock", "GetBucketPolicy",
        "GetBucketOwnershipControls",
    }),
    "ses": frozenset({
        "SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail", "GetSendQuota",
        "GetSendStatistics", "ListIdentities", "GetIdentityVerificationAttributes", "ListVerifiedEmailAddresses",
        "VerifyEmailIdentity", "VerifyEmailAddress", "VerifyDomainIdentity", "DeleteIdentity",
    }),
    "kms": frozenset({"Encrypt", "Decrypt", "DescribeKey", "GenerateDataKey"}),
}
"""Per service, the calls whose effects the reset undoes (messages, objects, sent mail, identities), or that change
nothing (KMS's use of a key)."""

KEY_CALLS = frozenset({"kms:Encrypt"})
"""A loader may seal a secret with a template key (the demo accounts' TOTP secrets): its items then hold ciphertext
of this provisioning's keys, so after a fresh provisioning (new keys) that layer is loaded anew, not replayed."""

BATCH = 25
DIFF_AT_MOST = 100
"""A table a test wrote to is put back item by item when it should hold at most this many; else made anew."""

_CLIENTS: dict[tuple[int, str, str], Any] = {}
"""Clients outlive a module's moto (moto intercepts them whenever a mock is active); each costs ~80 ms to make."""


class LayerError(RuntimeError):
    """A data loader did something the stack cannot replay."""


def _table_name(name: str) -> str:
    return name.split(":table/", 1)[1].split("/", 1)[0] if name.startswith("arn:") else name


def written_tables(operation: str, params: Mapping[str, Any]) -> set[str] | None:
    """The tables a DynamoDB call may change; None when it cannot be told (PartiQL, table settings, ...)."""
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return {_table_name(params["TableName"])}
    if operation == "BatchWriteItem":
        return {_table_name(name) for name in params["RequestItems"]}
    if operation == "TransactWriteItems":
        return {_table_name(action["TableName"]) for item in params["TransactItems"] for action in item.values()}
    return None


class Stack:
    """The template's resources in moto, for the tests of one module."""

    def __init__(self, session: Any, region: str, provision: Callable[[], Any],
                 loaders: Mapping[str, Callable[[], Any]]) -> None:
        self._session = session
        self._region = region
        self._provision = provision
        self._loaders = loaders
        self._mock: Any = None
        self._mode = "test"  # "provision", "internal", "record" or "test"
        self._table_calls: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self._keys: dict[str, list[str]] = {}
        self._buckets: dict[str, dict[str, Any]] = {}
        self._queues: list[str] = []
        self._identities: set[str] = set()
        self._recording: list[tuple[str, dict[str, Any]]] = []
        self._layers: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}  # layer -> table -> key -> item
        self._loaded: set[str] = set()
        self._key_bound: set[str] = set()
        self._dirty: set[str] = set()
        self.tainted: str | None = None
        self.provisionings = 0

    # -- botocore sees every call -------------------------------------------------------------

    def observe(self, service: str, operation: str, params: Mapping[str, Any]) -> None:
        if self._mode in ("internal", "provision"):
            if self._mode == "provision" and service == "dynamodb" and "TableName" in params:
                self._table_calls.setdefault(params["TableName"], []).append((operation, dict(params)))
            return
        if self._mode == "record":
            self._recording.append((f"{service}:{operation}", dict(params)))
            return
        if service == "dynamodb":
            if operation in DYNAMODB_READS:
                return
            tables = written_tables(operation, params)
            if tables is None or not tables <= set(self._table_calls):
                self.tainted = f"dynamodb {operation}"
            else:
                self._dirty |= tables
        elif operation not in RESET_COVERS.get(service, ()):
            self.tainted = f"{service} {operation}"

    @contextmanager
    def _as(self, mode: str) -> Iterator[None]:
        previous, self._mode = self._mode, mode
        try:
            yield
        finally:
            self._mode = previous

    def client(self, service: str) -> Any:
        key = (id(self._session), service, self._region)
        if key not in _CLIENTS:
            _CLIENTS[key] = self._session.client(service, region_name=self._region)
        return _CLIENTS[key]

    # -- provisioning ---------------------------------------------------------------------------

    def start(self) -> None:
        """A fresh moto with the template provisioned, and what a reset needs to know about it."""
        self._mock = mock_aws()
        self._mock.start()
        self._table_calls.clear()
        with self._as("provision"):
            self._provision()
        self.provisionings += 1
        with self._as("internal"):
            dynamodb, s3, sqs = self.client("dynamodb"), self.client("s3"), self.client("sqs")
            self._keys = {name: [key["AttributeName"] for key in dynamodb.describe_table(TableName=name)[
                "Table"]["KeySchema"]] for name in self._table_calls}
            self._buckets = {}
            for bucket in s3.list_buckets()["Buckets"]:
                notifications = s3.get_bucket_notification_configuration(Bucket=bucket["Name"])
                notifications.pop("ResponseMetadata", None)
                self._buckets[bucket["Name"]] = notifications
            self._queues = sqs.list_queues().get("QueueUrls", [])
            self._identities = set(self.client("ses").list_identities()["Identities"])
        self._loaded.clear()
        for layer in self._key_bound:  # sealed with the keys of the moto that was stopped
            self._layers.pop(layer, None)
        self._dirty.clear()
        self.tainted = None

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

    # -- between tests --------------------------------------------------------------------------

    def reset(self, layers: Iterable[str]) -> None:
        """Put the stack back to freshly provisioned, with these data layers loaded."""
        if self.tainted:
            self.stop()
            self.start()
        target = set(layers)
        unknown = target - set(self._loaders)
        if unknown:
            raise LayerError(f"no loader for {sorted(unknown)}")
        recorded = {layer for layer in target if layer in self._layers}
        with self._as("internal"):
            self._reset_objects_queues_and_mail()
            for table in sorted(self._dirty | self._tables_of(self._loaded ^ recorded)):
                self._restore(table, recorded)
        self._dirty.clear()
        self._loaded = recorded
        for layer in (name for name in self._loaders if name in target - recorded):
            self.ensure(layer)

    def ensure(self, layer: str) -> None:
        """Load a data layer on top of what is there (its loader the first time, its puts after)."""
        if layer in self._loaded:
            return
        if layer in self._layers:
            with self._as("internal"):
                for table, items in self._layers[layer].items():
                    self._put(table, items.values())
        else:
            self._layers[layer] = self._record(layer)
        self._loaded.add(layer)

    def _tables_of(self, layers: Iterable[str]) -> set[str]:
        return {table for layer in layers for table in self._layers[layer]}

    def _record(self, layer: str) -> dict[str, dict[str, dict[str, Any]]]:
        self._recording = []
        calls: list[tuple[str, dict[str, Any]]] = []
        try:
            with self._as("record"):
                self._loaders[layer]()
            calls = self._recording
            if any(name in KEY_CALLS for name, _ in calls):
                self._key_bound.add(layer)
            return self._layer_items(layer, calls)
        except BaseException:
            for name, params in calls or self._recording:  # the next test gets whatever it wrote undone
                service, operation = name.split(":", 1)
                self.observe(service, operation, params)
            raise
        finally:
            self._recording = []

    def _layer_items(self, layer: str, calls: list[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, dict[str, Any]]]:
        items: dict[str, dict[str, dict[str, Any]]] = {}
        for name, params in calls:
            if name == "dynamodb:PutItem":
                puts = [(_table_name(params["TableName"]), params["Item"])]
                if set(params) - {"TableName", "Item", "ReturnConsumedCapacity"}:
                    raise LayerError(f"layer {layer}: a PutItem with conditions cannot be replayed: {sorted(params)}")
            elif name == "dynamodb:BatchWriteItem":
                puts = []
                for table, requests in params["RequestItems"].items():
                    for request in requests:
                        if set(request) != {"PutRequest"}:
                            raise LayerError(f"layer {layer}: only puts are replayed, not {sorted(request)}")
                        puts.append((_table_name(table), request["PutRequest"]["Item"]))
            elif name in KEY_CALLS:
                continue
            else:
                raise LayerError(f"layer {layer}: a loader may only put DynamoDB items, not call {name}")
            for table, item in puts:
                if not all(isinstance(value, dict) and len(value) == 1 for value in item.values()):
                    raise LayerError(f"layer {layer}: {table} items must be typed DynamoDB attribute values")
                items.setdefault(table, {})[self._key(table, item)] = item
        self._check_overlaps(layer, items)
        return items

    def _check_overlaps(self, layer: str, items: Mapping[str, Mapping[str, Any]]) -> None:
        """Layers are a union: one item two layers both write must be the same item, or order would matter."""
        for other, other_items in self._layers.items():
            for table, keyed in items.items():
                for key, item in keyed.items():
                    if key in other_items.get(table, {}) and other_items[table][key] != item:
                        raise LayerError(f"layers {other} and {layer} write different items at {table} {key}")

    def _key(self, table: str, item: Mapping[str, Any]) -> str:
        return json.dumps([item[name] for name in self._keys[table]], sort_keys=True)

    def _restore(self, table: str, layers: Iterable[str]) -> None:
        """The table as provisioning made it, holding exactly these layers' items."""
        expected: dict[str, dict[str, Any]] = {}
        for layer in layers:
            expected.update(self._layers[layer].get(table, {}))
        dynamodb = self.client("dynamodb")
        if len(expected) > DIFF_AT_MOST:  # a scan of moto's big tables costs more than putting them back
            dynamodb.delete_table(TableName=table)
            for operation, params in self._table_calls[table]:
                getattr(dynamodb, xform_name(operation))(**params)
            self._put(table, expected.values())
            return
        found = {self._key(table, item): item
                 for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
                 for item in page["Items"]}
        self._write(table, [{"DeleteRequest": {"Key": {name: item[name] for name in self._keys[table]}}}
                            for key, item in found.items() if key not in expected]
                    + [{"PutRequest": {"Item": item}} for key, item in expected.items() if found.get(key) != item])

    def _put(self, table: str, items: Iterable[dict[str, Any]]) -> None:
        self._write(table, [{"PutRequest": {"Item": item}} for item in items])

    def _write(self, table: str, pending: list[dict[str, Any]]) -> None:
        dynamodb = self.client("dynamodb")
        while pending:
            batch, pending = pending[:BATCH], pending[BATCH:]
            unprocessed = dynamodb.batch_write_item(RequestItems={table: batch}).get("UnprocessedItems", {})
            pending += unprocessed.get(table, [])

    def _reset_objects_queues_and_mail(self) -> None:
        s3, sqs, ses = self.client("s3"), self.client("sqs"), self.client("ses")
        for bucket in self._buckets:
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                versions = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                            for v in (*page.get("Versions", []), *page.get("DeleteMarkers", []))]
                for start in range(0, len(versions), 1000):
                    s3.delete_objects(Bucket=bucket, Delete={"Objects": versions[start:start + 1000], "Quiet": True})
            for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
                s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        # moto refuses a second purge of a queue within 60 s, as SQS does; the reset may purge as often as it likes
        with mock.patch.dict(os.environ, {"MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR": "false"}):
            for url in self._queues:
                sqs.purge_queue(QueueUrl=url)
        for bucket, notifications in self._buckets.items():
            if notifications:  # sends the s3:TestEvent a fresh provisioning leaves on the queue
                s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=notifications)
        identities = set(ses.list_identities()["Identities"])
        for identity in identities - self._identities:
            ses.delete_identity(Identity=identity)
        for identity in self._identities - identities:
            if "@" in identity:
                ses.verify_email_identity(EmailAddress=identity)
            else:
                ses.verify_domain_identity(Domain=identity)
        # SES has no call to forget what it sent; moto's backend is where sent_emails() reads it
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        backend = ses_backends[DEFAULT_ACCOUNT_ID][self._region]
        backend.sent_messages.clear()
        backend.sent_message_count = 0
        backend.rejected_messages_count = 0
