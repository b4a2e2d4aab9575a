"""SQS: send a JSON message to a queue known by its short name."""

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
