"""The sample events of ``events/``: load one with its placeholders filled, deliver it to its handler.

Each file is an event in the shape Lambda delivers it (an SQS batch, an EventBridge "Scheduled
Event"); ``{{name}}`` marks what a test or a person fills in: an ID, a key, the bucket, the stage,
a time. The handler is found as AWS routes the event: an SQS record by the queue named in its
``eventSourceARN``, a schedule by the rule named in its ``resources``.

The event pump builds its events with the same shapes (``sqs_record``, ``scheduled_event``) and
calls handlers through ``invoke``, so a sample and what the pump delivers cannot drift apart.
Nothing here reads settings at import: ``make send-event`` sets the local stage's environment first.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalice import Chalice
from chalice.app import DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig
from chalice.local import LambdaContext

from local.environment import PROJECT_DIR

EVENTS_DIR = PROJECT_DIR / "events"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
ACCOUNT_ID = "123456789012"
EVENT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class UnknownEvent(LookupError):
    """No file of that name in events/."""


class MissingValues(ValueError):
    """The file has placeholders no value was given for."""


class NoHandler(LookupError):
    """No handler of the app takes this event (a queue or a rule it does not know)."""


def event_names() -> list[str]:
    return sorted(path.stem for path in EVENTS_DIR.glob("*.json"))


def _path(name: str) -> Path:
    """The file of a name; only names events/ lists (``events/x.json`` and ``x.json`` are ``x``)."""
    stem = Path(name).name.removesuffix(".json")
    if stem not in event_names():
        raise UnknownEvent(f"no event {name!r} in events/; there are: {', '.join(event_names())}")
    return EVENTS_DIR / f"{stem}.json"


def placeholders(name: str) -> list[str]:
    """The values a file needs, in order of first use (those inside an SQS body included)."""
    return list(dict.fromkeys(PLACEHOLDER.findall(_path(name).read_text(encoding="utf-8"))))


def load_event(name: str, **values: str) -> dict[str, Any]:
    """events/<name>.json with every ``{{placeholder}}`` filled; values it does not use are ignored."""
    missing = [placeholder for placeholder in placeholders(name) if placeholder not in values]
    if missing:
        raise MissingValues(f"events/{_path(name).name} needs a value for: {', '.join(missing)} "
                            f"(given: {', '.join(sorted(values)) or 'none'})")
    event = _fill(json.loads(_path(name).read_text(encoding="utf-8")), values)
    for record in event.get("Records", []):
        if "md5OfBody" in record:  # as SQS computes it, over the body the handler gets
            record["md5OfBody"] = hashlib.md5(record["body"].encode("utf-8"), usedforsecurity=False).hexdigest()
    return event


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, str):
        return _fill_text(value, values, in_json=_is_json(value))
    return value


def _fill_text(text: str, values: Mapping[str, str], *, in_json: bool) -> str:
    """Inside a JSON body (an SQS message's) a value is escaped as a JSON string, so a quote stays a quote."""

    def value(match: re.Match[str]) -> str:
        raw = values[match.group(1)]
        return json.dumps(raw)[1:-1] if in_json else raw

    return PLACEHOLDER.sub(value, text)


def _is_json(text: str) -> bool:
    if not text.startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def event_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(EVENT_TIME_FORMAT)


def stack_values(now: datetime | None = None) -> dict[str, str]:
    """The values the stack itself knows: its stage, its documents bucket, and now (the wiring's clock)."""
    from chalicelib import wiring
    from chalicelib.platform.config import get_settings

    settings = get_settings()
    return {"stage": settings.stage, "bucket": settings.documents_bucket,
            "time": event_time(now or wiring.current().now())}


# The shapes the pump delivers, and the delivery itself


def lambda_context(name: str) -> LambdaContext:
    return LambdaContext(function_name=name, memory_size=1024, max_runtime_ms=60_000)


def sqs_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """One SQS message (as ReceiveMessage returns it) as a record of the event Lambda hands the handler."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


def dynamodb_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """One stream record (as GetRecords returns it) as a record of the event Lambda hands the handler: the
    creation time in epoch seconds, and the stream's ARN."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    change["ApproximateCreationDateTime"] = created.timestamp() if isinstance(created, datetime) else created
    return {
        "eventID": record["eventID"], "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb", "awsRegion": stream_arn.split(":")[3], "dynamodb": change,
        "eventSourceARN": stream_arn,
    }


def stream_table(stream_arn: str) -> str:
    """The table a stream ARN belongs to (``arn:...:table/<name>/stream/<label>``)."""
    return stream_arn.split(":table/", 1)[-1].split("/", 1)[0]


def rule_name(app: Chalice, handler_name: str) -> str:
    """The EventBridge rule `chalice deploy` names for a schedule."""
    from chalicelib.platform.config import get_settings

    return f"{app.app_name}-{get_settings().stage}-{handler_name}-event"


def scheduled_event(app: Chalice, handler_name: str, now: datetime) -> dict[str, Any]:
    region = _region()
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
        "account": ACCOUNT_ID, "time": event_time(now), "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{rule_name(app, handler_name)}"],
        "detail": {},
    }


def _region() -> str:
    from chalicelib.platform.config import get_settings

    return get_settings().region


def handler_for(app: Chalice, event: Mapping[str, Any]) -> str:
    """The name (in ``app.handler_map``) of the handler AWS would call with this event."""
    records = event.get("Records") or [{}]
    if records[0].get("eventSource") == "aws:sqs":
        queue = str(records[0].get("eventSourceARN", "")).rsplit(":", 1)[-1]
        for source in app.event_sources:
            if isinstance(source, SQSEventConfig) and queue in (source.queue, (source.queue_arn or "").split(":")[-1]):
                return source.name
        raise NoHandler(f"no handler of the app reads the queue {queue!r}")
    if records[0].get("eventSource") == "aws:dynamodb":
        table = stream_table(str(records[0].get("eventSourceARN", "")))
        for source in app.event_sources:
            if isinstance(source, DynamoDBEventConfig) and stream_table(source.stream_arn) == table:
                return source.name
        raise NoHandler(f"no handler of the app reads the stream of the table {table!r}")
    if event.get("detail-type") == "Scheduled Event":
        rule = str((event.get("resources") or [""])[0]).rsplit("/", 1)[-1]
        for source in app.event_sources:
            if isinstance(source, ScheduledEventConfig) and rule in (source.name, rule_name(app, source.name)):
                return source.name
        raise NoHandler(f"no schedule of the app is fired by the rule {rule!r}")
    raise NoHandler("the event is neither an SQS batch, a DynamoDB stream batch nor a Scheduled Event")


def invoke(app: Chalice, handler_name: str, event: Mapping[str, Any]) -> Any:
    """Call a registered handler as Lambda would: the raw event and a context (for its remaining time)."""
    return app.handler_map[handler_name](event, lambda_context(handler_name))


def deliver(app: Chalice, event: Mapping[str, Any]) -> str:
    """Hand the event to the handler AWS would route it to; returns that handler's name. Its errors propagate."""
    name = handler_for(app, event)
    invoke(app, name, event)
    return name
