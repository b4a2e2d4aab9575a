"""Delivers what AWS would deliver to the app's event handlers, locally.

Lambda polls SQS and DynamoDB streams and fires EventBridge schedules; locally this pump does it, calling
the same handler objects Chalice registered (``app.handler_map``) with events of the
shapes Lambda sends. A handler that raises leaves its messages on the queue, so they
come back after the visibility timeout and end in the dead-letter queue, as in AWS.
The event shapes and the call itself are local/events.py's, shared with `make send-event`.

In AWS each function polls its own source at once: a long export never holds up an activation email. The
runner does the same (``run_apart``): one thread per queue, one for the streams and one for the schedules.
``tick`` does one serial round of everything, for tests that want to step the pump themselves.

Moto refusing or dropping a connection (a long bench keeps it busy) is transient: the pump logs it and
tries again on the next round, and a schedule handler that fails is logged like a failed Lambda
invocation; neither stops the runner.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError
from chalice import Chalice
from chalice.app import DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig

from chalicelib import wiring
from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.config import get_settings
from chalicelib.platform.logs import logger
from local.events import dynamodb_record, invoke, scheduled_event, sqs_record, stream_table

MAX_ROUNDS = 10
"""Rounds of one drain: a handler's messages feed at most a few queues after it."""
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (BotoConnectionError, HTTPClientError)
"""botocore's connection refused, reset, closed and timed out: moto busy or restarting, not a bug."""


def _streams_client() -> Any:
    """DynamoDB Streams; in-process (no endpoint set) at its regional endpoint by name, which moto's in-process
    mock routes to its streams backend (botocore's own endpoint resolution for it reaches moto's DynamoDB)."""
    settings = get_settings()
    if settings.aws_endpoint_url:
        return aws_client("dynamodbstreams")
    return boto3.session.Session().client("dynamodbstreams", region_name=settings.region,
                                          endpoint_url=f"https://streams.dynamodb.{settings.region}.amazonaws.com")


@dataclass
class EventPump:
    app: Chalice
    schedule_every_seconds: float = 60.0
    _last_schedule_run: float = field(default=0.0)
    _shard_iterators: dict[str, str] = field(default_factory=dict)
    """Per stream shard, where the next GetRecords reads (a failed batch is read again, as Lambda retries it)."""

    def sqs_sources(self) -> list[SQSEventConfig]:
        return [source for source in self.app.event_sources if isinstance(source, SQSEventConfig)]

    def schedules(self) -> list[ScheduledEventConfig]:
        return [source for source in self.app.event_sources if isinstance(source, ScheduledEventConfig)]

    def drain_queues(self, wait_seconds: int = 0) -> int:
        """Deliver every message now visible, again while a round handled some: what a handler sends to a queue
        drained before its own (an 837 file's claim batches) is delivered in the same call. Returns how many
        were handled successfully."""
        handled = 0
        for _ in range(MAX_ROUNDS):
            this_round = sum(self._drain_queue(source, wait_seconds if not handled else 0)
                             for source in self.sqs_sources())
            handled += this_round
            if not this_round:
                break
        return handled

    def _drain_queue(self, source: SQSEventConfig, wait_seconds: int) -> int:
        sqs = aws_client("sqs")
        queue_url = sqs.get_queue_url(QueueName=source.queue)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        handled = 0
        while True:
            messages = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=min(source.batch_size, 10),
                WaitTimeSeconds=wait_seconds,
                AttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                return handled
            event = {"Records": [sqs_record(message, queue_arn) for message in messages]}
            try:
                invoke(self.app, source.name, event)
            except Exception:  # noqa: BLE001 - as in Lambda, any failure leaves the batch to be redelivered
                logger.warning("local pump: handler failed; messages return after the visibility timeout",
                               extra={"handler": source.name})
                return handled
            sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
            handled += len(messages)
            wait_seconds = 0

    def stream_sources(self) -> list[DynamoDBEventConfig]:
        return [source for source in self.app.event_sources if isinstance(source, DynamoDBEventConfig)]

    def drain_streams(self) -> int:
        """Deliver every stream record written since the last call, to the handler of its table's stream (the
        decorator names the table; the stream's own ARN is moto's). Returns how many were handled."""
        return sum(self._drain_stream(source) for source in self.stream_sources())

    def _drain_stream(self, source: DynamoDBEventConfig) -> int:
        table = stream_table(source.stream_arn)
        stream_arn = aws_client("dynamodb").describe_table(TableName=table)["Table"].get("LatestStreamArn")
        if not stream_arn:
            return 0
        streams = _streams_client()
        handled = 0
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            handled += self._drain_shard(streams, source, stream_arn, shard["ShardId"])
        return handled

    def _drain_shard(self, streams: Any, source: DynamoDBEventConfig, stream_arn: str, shard_id: str) -> int:
        iterator = self._shard_iterators.get(shard_id) or streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard_id, ShardIteratorType=source.starting_position)["ShardIterator"]
        handled = 0
        while True:
            page = streams.get_records(ShardIterator=iterator, Limit=source.batch_size)
            records = page.get("Records", [])
            if records:
                try:
                    invoke(self.app, source.name,
                           {"Records": [dynamodb_record(record, stream_arn) for record in records]})
                except Exception:  # noqa: BLE001 - as in Lambda, a failed batch is delivered again
                    logger.warning("local pump: stream handler failed; its records come again",
                                   extra={"handler": source.name})
                    self._shard_iterators[shard_id] = iterator
                    return handled
                handled += len(records)
            iterator = page.get("NextShardIterator") or iterator
            self._shard_iterators[shard_id] = iterator
            if not records:
                return handled

    def fire_schedules(self) -> int:
        """Fire every schedule; returns how many ran without failing."""
        fired = 0
        for source in self.schedules():
            try:
                invoke(self.app, source.name, scheduled_event(self.app, source.name, wiring.current().now()))
            except Exception:  # noqa: BLE001 - as in Lambda, a failed schedule run is logged; the next one comes
                logger.exception("local pump: schedule handler failed", extra={"handler": source.name})
                continue
            fired += 1
        self._last_schedule_run = time.monotonic()
        return fired

    def run_apart(self, stop: threading.Event, pause_seconds: float = 0.3) -> list[threading.Thread]:
        """Poll every source on its own daemon thread until ``stop`` is set, as Lambda's pollers do."""
        jobs: list[tuple[str, Callable[[], object]]] = [
            (f"queue {source.queue}", lambda source=source: self._drain_queue(source, 0))
            for source in self.sqs_sources()
        ]
        jobs.append(("streams", self.drain_streams))
        jobs.append(("schedules", self._fire_schedules_when_due))
        threads = [threading.Thread(target=self._poll, args=(job, stop, pause_seconds), name=f"pump {name}",
                                    daemon=True) for name, job in jobs]
        for thread in threads:
            thread.start()
        return threads

    @staticmethod
    def _poll(job: Callable[[], object], stop: threading.Event, pause_seconds: float) -> None:
        while not stop.is_set():
            try:
                job()
            except TRANSIENT_ERRORS as error:
                logger.warning("local pump: AWS (moto) unreachable; trying again on the next round",
                               extra={"error": type(error).__name__})
            stop.wait(pause_seconds)

    def _fire_schedules_when_due(self) -> None:
        if time.monotonic() - self._last_schedule_run >= self.schedule_every_seconds:
            self.fire_schedules()

    def tick(self) -> None:
        """One round of the runner's loop: queues now, schedules when their interval is up. A transient error
        reaching moto is logged and the round ends; the next round tries again."""
        try:
            self.drain_queues()
            self.drain_streams()
            self._fire_schedules_when_due()
        except TRANSIENT_ERRORS as error:
            logger.warning("local pump: AWS (moto) unreachable; trying again on the next round",
                           extra={"error": type(error).__name__})
