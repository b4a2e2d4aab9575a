"""The one Powertools logger. Log events and IDs, never bodies, passwords, tokens or hashes.

botocore and PynamoDB log whole request parameters at DEBUG (password hashes, the
outbox's token links); they stay at WARNING whatever the application's level.
"""

import logging

from aws_lambda_powertools import Logger

from chalicelib.platform.config import get_settings

for _library in ("botocore", "boto3", "pynamodb", "urllib3", "s3transfer"):
    logging.getLogger(_library).setLevel(logging.WARNING)

logger = Logger(service="provider-portal", level=get_settings().log_level)


def bind_correlation_id(value: str) -> None:
    """This request's correlation ID on every log line and audit record it writes.

    Powertools' ``set_correlation_id`` keeps it on the logger, shared by every thread; the local
    server answers each request on its own thread, so the ID lives in Powertools' context
    variable instead, one per thread (one per invocation on Lambda).
    """
    logger.thread_safe_append_keys(correlation_id=value)


def bind_route(template: str) -> None:
    """The route this request matched, as registered (``/members/{memberId}``), on every line it writes: the
    template, never the concrete path, which carries member IDs (and its query string names and birth dates)."""
    logger.thread_safe_append_keys(route=template)


def correlation_id() -> str | None:
    value = logger.thread_safe_get_current_keys().get("correlation_id")
    return str(value) if value is not None else None
