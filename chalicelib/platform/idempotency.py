"""Submitting with an ``Idempotency-Key``: the same key makes one request (Powertools idempotency).

The record key is the account and the key; the payload fingerprint is checked, so the same key
with another body is refused rather than answered with the first request. A second call that
arrives while the first is still writing waits for it (a few short polls) and then answers the
same request; only if the first takes longer does it get ``REQUEST_IN_PROGRESS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from typing import Any

from chalicelib.platform.access import Principal
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import IdempotencyKeyReused, RequestInProgress

RECORD_LIFETIME_SECONDS = 24 * 3600
IN_PROGRESS_POLLS = 15
POLL_SECONDS = 0.2


@cache
def _config() -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(event_key_jmespath="[scope, account, key]", payload_validation_jmespath="fingerprint",
                             expires_after_seconds=RECORD_LIFETIME_SECONDS, raise_on_no_idempotency_key=True)


@cache
def _persistence() -> Any:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from chalicelib.platform.aws.clients import aws_client

    return DynamoDBPersistenceLayer(table_name=get_settings().resource_name("idempotency"),
                                    boto3_client=aws_client("dynamodb"))


def once(scope: str, principal: Principal, key: str, fingerprint: str, work: Callable[[], str],
         lambda_context: Any = None) -> str:
    """Run ``work`` (which returns the ID of what it made) once per (scope, account, key)."""
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        _config().register_lambda_context(lambda_context)

    def run(record: dict[str, str]) -> dict[str, str]:
        return {"id": work()}

    guarded = idempotent_function(data_keyword_argument="record", persistence_store=_persistence(),
                                  config=_config())(run)
    record = {"scope": scope, "account": principal.username, "key": key, "fingerprint": fingerprint}
    for _ in range(IN_PROGRESS_POLLS):
        try:
            return guarded(record=record)["id"]
        except IdempotencyAlreadyInProgressError:
            time.sleep(POLL_SECONDS)
        except IdempotencyValidationError:
            raise IdempotencyKeyReused(fields={"Idempotency-Key": "was already used with a different body"}) from None
    raise RequestInProgress(fields={"Idempotency-Key": "is still being processed"})


def reset_cached_clients() -> None:
    _config.cache_clear()
    _persistence.cache_clear()
