"""The audit table's stream: every new record copied to the Object Lock archive (DECISIONS: Audit)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.audit import service as trail
from chalicelib.platform.config import get_settings

AUDIT_TABLE = "audit"

audit_stream = Blueprint(__name__)


def audit_stream_arn() -> str:
    """What the decorator names; the deployed event source is the table's own StreamArn (resources.yaml merges
    it over this), and the local pump finds the handler by the table named in the record's ARN."""
    settings = get_settings()
    return f"arn:aws:dynamodb:{settings.region}:000000000000:table/{settings.resource_name(AUDIT_TABLE)}/stream/0"


@audit_stream.on_dynamodb_record(stream_arn=audit_stream_arn(), batch_size=100, starting_position="TRIM_HORIZON")
def archive_audit_records(event: Any) -> None:
    trail.archive(record.new_image for record in event if record.new_image)
