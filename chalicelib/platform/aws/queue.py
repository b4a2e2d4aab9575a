"""SQS: send a JSON message to a queue known by its short name; a queue's redrive limit."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.config import get_settings


@cache
def queue_url(short_name: str) -> str:
    name = get_settings().resource_name(short_name)
    return aws_client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def send_json(short_name: str, body: dict[str, Any]) -> str:
    response = aws_client("sqs").send_message(QueueUrl=queue_url(short_name), MessageBody=json.dumps(body))
    return response["MessageId"]


@cache
def max_receive_count(short_name: str) -> int | None:
    """How many receives the queue allows before SQS moves a message to its dead-letter queue (its redrive
    policy, as infrastructure/resources.yaml defines it); None for a queue without one. Read once per process."""
    attributes = aws_client("sqs").get_queue_attributes(
        QueueUrl=queue_url(short_name), AttributeNames=["RedrivePolicy"]).get("Attributes", {})
    policy = attributes.get("RedrivePolicy")
    return int(json.loads(policy)["maxReceiveCount"]) if policy else None


def is_last_delivery(short_name: str, receive_count: int) -> bool:
    """True when SQS moves the message to the queue's dead-letter queue if this delivery (the ``receive_count``th)
    fails too."""
    limit = max_receive_count(short_name)
    return limit is not None and receive_count >= limit
