"""Background email delivery: the outbox queue's consumer and the outbox sweep."""

from __future__ import annotations

import json
from typing import Any

from chalice import Blueprint, Rate

from chalicelib import wiring
from chalicelib.emails import outbox
from chalicelib.platform import metrics
from chalicelib.platform.config import get_settings
from chalicelib.platform.logs import logger

email_events = Blueprint(__name__)
outbox.use_account_mailer(lambda purpose, whom: wiring.current().accounts().account_email(purpose, whom))


class EmailBatchFailed(Exception):
    """Some messages of the batch were not sent; SQS redelivers the batch (sent ones are skipped)."""


@email_events.on_sqs_message(queue=get_settings().resource_name(outbox.EMAIL_QUEUE), batch_size=10)
def send_queued_emails(event: Any) -> None:
    failures: list[str] = []
    for record in event:
        try:
            outbox.deliver(json.loads(record.body), lambda_context=event.context)
        except Exception:  # noqa: BLE001 - one bad message must not stop the rest of the batch
            logger.exception("email delivery failed", extra={"sqs_message_id": record.to_dict().get("messageId")})
            failures.append(record.to_dict().get("messageId", "?"))
    if failures:
        metrics.count("EmailFailed", len(failures))
    metrics.flush()
    if failures:
        raise EmailBatchFailed(f"{len(failures)} of the batch failed: {', '.join(failures)}")


@email_events.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_email_outbox(event: Any) -> None:
    enqueued = outbox.sweep(wiring.current().now())
    if enqueued:
        logger.warning("outbox sweep enqueued stranded emails", extra={"count": enqueued})
        metrics.count("OutboxSwept", enqueued)
    metrics.flush()
