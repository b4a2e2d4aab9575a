"""Background email delivery: the outbox queue's consumer and the outbox sweep."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chalice import Blueprint, Rate

from chalicelib import wiring
from chalicelib.accounts.enums import AccountEmail
from chalicelib.emails import outbox
from chalicelib.emails.outbox import OutgoingEmail
from chalicelib.platform import metrics
from chalicelib.platform.config import get_settings
from chalicelib.platform.logs import logger

email_events = Blueprint(__name__)


def _account_email(purpose: str, whom: Mapping[str, str]) -> OutgoingEmail | None:
    """An account email at delivery: the practice's one-time code is the approvals' (it goes to the practice's
    address on record), a new address's link My Account's, a link's code the linker's, every other one the accounts
    service's."""
    if purpose == AccountEmail.PRACTICE_CODE.value:
        return wiring.current().approvals().practice_code_email(whom.get("username", ""))
    if purpose == AccountEmail.EMAIL_CHANGE.value:
        return wiring.current().my_account().email_change_email(whom.get("username", ""))
    if purpose == AccountEmail.LINK_PRACTICE_CODE.value:
        return wiring.current().links().code_email(whom.get("username", ""))
    return wiring.current().accounts().account_email(purpose, whom)


outbox.use_account_mailer(_account_email)


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
