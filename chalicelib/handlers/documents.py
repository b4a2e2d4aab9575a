"""S3 object-created events (through the uploads queue) reach the document checks here."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.platform import metrics
from chalicelib.platform.config import get_settings
from chalicelib.platform.logs import logger

upload_events = Blueprint(__name__)
UPLOADS_QUEUE = "uploads"


class UploadBatchFailed(Exception):
    """Some uploads of the batch were not processed; SQS redelivers them (done ones are not redone)."""


def s3_records(message_body: str) -> list[dict[str, Any]]:
    """The S3 records an SQS message carries; S3's "s3:TestEvent" carries none."""
    payload = json.loads(message_body)
    return [record for record in payload.get("Records", []) if record.get("eventSource") == "aws:s3"]


def event_time(record: dict[str, Any]) -> datetime:
    raw = record.get("eventTime")
    if not raw:
        return wiring.current().documents().now()
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)


@upload_events.on_sqs_message(queue=get_settings().resource_name(UPLOADS_QUEUE), batch_size=1)
def process_uploaded_documents(event: Any) -> None:
    failures = 0
    for message in event:
        for record in s3_records(message.body):
            key = unquote_plus(record["s3"]["object"]["key"])
            try:
                status = wiring.current().documents().process_upload(key, event_time(record))
            except Exception:  # noqa: BLE001 - one bad upload must not stop the others; SQS retries it
                logger.exception("upload processing failed", extra={"key_prefix": key[:40]})
                failures += 1
                continue
            logger.info("upload processed", extra={"status": status})
    metrics.flush()
    if failures:
        raise UploadBatchFailed(f"{failures} upload(s) failed")
