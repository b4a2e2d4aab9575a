"""The audit archive: each audit record, as the table's stream delivers it, an object in the Object Lock bucket.

The bucket's default retention is COMPLIANCE for six years (infrastructure/resources.yaml), so an archived
record cannot be deleted or overwritten by anyone, the account's root included, until then. A record that is
archived twice (a stream batch retried) becomes a second version of the same key; both stay.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.config import get_settings

_DESERIALIZER = TypeDeserializer()


def archive_key(member_id: str, occurred_key: str) -> str:
    return f"audit/{member_id}/{occurred_key}.json"


def plain(image: Mapping[str, Any]) -> dict[str, Any]:
    """A stream image (DynamoDB's typed JSON) as plain JSON values."""
    return {name: _DESERIALIZER.deserialize(value) for name, value in image.items()}


def put_record(record: Mapping[str, Any]) -> str:
    key = archive_key(str(record["member_id"]), str(record["occurred_key"]))
    aws_client("s3").put_object(
        Bucket=get_settings().audit_archive_bucket, Key=key, ContentType="application/json",
        Body=json.dumps(record, sort_keys=True, default=str).encode("utf-8"), ChecksumAlgorithm="SHA256",
    )
    return key
