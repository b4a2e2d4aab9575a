"""The email outbox: write with the data, enqueue after commit, deliver from the queue.

A request writes an outbox row in the same DynamoDB transaction as the data the email
is about, then puts the message on the queue. The row stays until the email is sent: the
sender drops it. If the process dies or SQS fails before the enqueue, the scheduled sweep
enqueues the row a minute later, so no request that answered success loses its email. If
sending keeps failing (SES refusing for longer than the queue's five receives, so the message
is parked in the dead-letter queue), the sweep enqueues the row again ``REDRIVE_AFTER`` the
last enqueue, and again after that, until SES answers or the row's lifetime ends: mail
redrives itself once SES is back. Delivery is idempotent on the outbox ID (Powertools
idempotency), so a message enqueued twice (the sweep's and the dead-letter queue's, say) is
sent once.

An account email (an activation or reset link, "already registered", "account locked") is
queued as whom and what: ``{"accountEmail": purpose, "username" | "email"}``, never a link or
a token. At delivery the accounts service (``use_account_mailer``) finds the account, mints the
one-time token when the email carries one (only its hash is stored) and says what to send, or
that nothing is to be sent (no such account, not in that state, the hourly limit reached).
Minting happens inside the idempotent send: a redelivered message after a send returns the
recorded result and mints nothing. A retry after a failed send mints a new token; the earlier
one was never emailed, so nobody holds it, and it lapses with its TTL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.emails.store import PENDING, OutboxMessageModel
from chalicelib.emails.templates import EmailTemplate, render
from chalicelib.platform import metrics
from chalicelib.platform.aws import mailer, queue
from chalicelib.platform.config import get_settings
from chalicelib.platform.dynamo.writes import PersistenceFailed, condition_failed
from chalicelib.platform.logs import logger

EMAIL_QUEUE = "email-outbox"
EMAIL_KIND = "email"
OUTBOX_ROW_LIFETIME = timedelta(days=4)
"""How long an unsent email is retried: a longer SES outage drops it (the dead-letter alarm has long fired)."""
SWEEP_MIN_AGE = timedelta(minutes=1)
REDRIVE_AFTER = timedelta(minutes=15)
"""Well past the queue's 5 receives x 60 s visibility: an enqueued row still here by then was not sent."""
SWEEP_BATCH = 100


def new_email(template: EmailTemplate, to: str, params: Mapping[str, str], now: datetime, *,
              send_at: datetime | None = None, message_id: str | None = None) -> OutboxMessageModel:
    """An unsaved outbox row; the caller writes it in its own transaction and publishes it after the commit.

    ``send_at``: an email for later, left unpublished; the sweep sends it then (an impersonation's notice at its time
    limit). ``message_id``: that row again with new parameters, written over it and published now (the view ended
    sooner); delivery is idempotent on the ID, so it is sent once."""
    return OutboxMessageModel(
        message_id=message_id or str(uuid.uuid4()),
        kind=EMAIL_KIND,
        payload={"template": template.value, "to": to, "params": dict(params)},
        pending=PENDING,
        created_at=now.isoformat(),
        due_at=((send_at or now) + SWEEP_MIN_AGE).isoformat(),
        ttl=(send_at or now) + OUTBOX_ROW_LIFETIME,
    )


ACCOUNT_EMAIL = "accountEmail"


@dataclass(frozen=True)
class OutgoingEmail:
    """What an account email turned into at delivery: a template, an address and the template's parameters."""

    template: EmailTemplate
    to: str
    params: Mapping[str, str]


AccountMailer = Callable[[str, Mapping[str, str]], OutgoingEmail | None]
"""(purpose, whom: ``username`` or ``email``) -> the email to send, or None to send nothing."""
_account_mailer: AccountMailer | None = None


def use_account_mailer(mailer: AccountMailer) -> None:
    """The entry points say who turns an account email into a sendable one (the accounts service)."""
    global _account_mailer
    _account_mailer = mailer


def new_account_email(purpose: str, now: datetime, *, username: str = "", email: str = "") -> OutboxMessageModel:
    """An unsaved outbox row naming the account (by username or by email address) and the purpose only."""
    whom = {"username": username} if username else {"email": email}
    return OutboxMessageModel(
        message_id=str(uuid.uuid4()),
        kind=EMAIL_KIND,
        payload={ACCOUNT_EMAIL: purpose, **whom},
        pending=PENDING,
        created_at=now.isoformat(),
        due_at=(now + SWEEP_MIN_AGE).isoformat(),
        ttl=now + OUTBOX_ROW_LIFETIME,
    )


def queue_body(message: OutboxMessageModel) -> dict[str, Any]:
    return {"outboxId": message.message_id, **message.payload}


def publish(messages: Iterable[OutboxMessageModel], now: datetime | None = None) -> int:
    """Enqueue committed rows and set when the sweep looks at each again (``REDRIVE_AFTER`` from ``now``, or
    from the row's writing on a request's first enqueue). A failed enqueue leaves the row due for the sweep."""
    published = 0
    for message in messages:
        try:
            queue.send_json(EMAIL_QUEUE, queue_body(message))
        except (BotoCoreError, ClientError) as error:
            logger.warning("outbox enqueue failed; the sweep will retry", extra={
                "outbox_id": message.message_id, "error": type(error).__name__,
            })
            continue
        enqueued_at = now or datetime.fromisoformat(message.created_at)
        _postpone(message, enqueued_at + REDRIVE_AFTER)
        published += 1
    return published


def _postpone(message: OutboxMessageModel, due: datetime) -> None:
    """Only while the row exists: the sender may have sent the email and dropped the row already."""
    try:
        message.update(actions=[OutboxMessageModel.due_at.set(due.isoformat())],
                       condition=OutboxMessageModel.message_id.exists())
    except PersistenceFailed as error:
        if not condition_failed(error):
            logger.warning("outbox row not postponed after enqueue; the sweep may enqueue it early, and delivery "
                           "stays idempotent", extra={"outbox_id": message.message_id,
                                                      "error": type(error).__name__})


def sweep(now: datetime) -> int:
    """Enqueue rows now due: never enqueued a minute after writing, or enqueued and still unsent
    ``REDRIVE_AFTER`` later (one Query on the sparse index)."""
    due = OutboxMessageModel.pending_messages.query(
        PENDING, OutboxMessageModel.due_at <= now.isoformat(), limit=SWEEP_BATCH
    )
    return publish(list(due), now)


def deliver(message: dict[str, Any], lambda_context: Any = None) -> None:
    """Render and send one queued email, at most once per outbox ID."""
    sender = _idempotent_sender()
    if lambda_context is not None:
        _idempotency_config().register_lambda_context(lambda_context)
    sender(message=message)
    _drop(message["outboxId"])


def _drop(outbox_id: str) -> None:
    """Sent (or known to need no sending): the row has done its work."""
    try:
        OutboxMessageModel(message_id=outbox_id).delete()
    except PersistenceFailed as error:
        logger.warning("outbox row not dropped after the send; the sweep enqueues it again and delivery is "
                       "idempotent", extra={"outbox_id": outbox_id, "error": type(error).__name__})


def _send(message: dict[str, Any]) -> dict[str, str]:
    outgoing = _outgoing(message)
    if outgoing is None:
        logger.info("account email not sent", extra={"outbox_id": message["outboxId"],
                                                      "purpose": message[ACCOUNT_EMAIL]})
        return {"sesMessageId": ""}
    settings = get_settings()
    email = render(outgoing.template, outgoing.params, settings)
    ses_id = mailer.send_email(
        sender_name=settings.sender_name, sender_email=settings.sender_email, to=outgoing.to, email=email
    )
    logger.info("email sent", extra={"outbox_id": message["outboxId"], "template": outgoing.template.value})
    metrics.count("EmailSent")
    return {"sesMessageId": ses_id}


def _outgoing(message: dict[str, Any]) -> OutgoingEmail | None:
    if ACCOUNT_EMAIL not in message:
        return OutgoingEmail(EmailTemplate(message["template"]), message["to"], message["params"])
    if _account_mailer is None:
        raise RuntimeError("no account mailer: chalicelib.handlers.emails sets it on import")
    whom = {key: message[key] for key in ("username", "email") if message.get(key)}
    return _account_mailer(message[ACCOUNT_EMAIL], whom)


@cache
def _idempotency_config() -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(event_key_jmespath="outboxId", expires_after_seconds=7 * 24 * 3600)


@cache
def _idempotent_sender() -> Callable[..., dict[str, str]]:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

    from chalicelib.platform.aws.clients import aws_client

    persistence = DynamoDBPersistenceLayer(
        table_name=get_settings().resource_name("idempotency"), boto3_client=aws_client("dynamodb")
    )
    return idempotent_function(
        data_keyword_argument="message", persistence_store=persistence, config=_idempotency_config()
    )(_send)
