"""How a write can fail, and the transaction every area writes in: the persistence vocabulary services use.

Services say what they mean (``missing``, ``condition_failed``, ``cancelled_by_condition``) and never
import PynamoDB; the stores and this package are the only places that know it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.exceptions import (
    DeleteError,
    DoesNotExist,
    PutError,
    PynamoDBException,
    TransactWriteError,
    UpdateError,
)
from pynamodb.transactions import TransactWrite

from chalicelib.platform.dynamo.base import transaction_connection

Missing = DoesNotExist
"""A get that found no item."""

WriteFailed = (PutError, UpdateError, DeleteError)
"""A single-item write DynamoDB refused (its condition, or the service)."""

TransactionCancelled = TransactWriteError
"""A transaction DynamoDB cancelled: no part of it was written."""

PersistenceFailed = PynamoDBException
"""Any failure of the persistence library."""

Transaction = TransactWrite

_CONDITION_FAILED = "ConditionalCheckFailedException"
_CANCELLED_BY_CONDITION = "ConditionalCheckFailed"


def condition_failed(error: PynamoDBException) -> bool:
    """The write was refused because its condition did not hold (not a throttle or a fault)."""
    return error.cause_response_code == _CONDITION_FAILED


def cancelled_by_condition(error: TransactWriteError) -> list[bool]:
    """For each item of a cancelled transaction, in order: did its own condition fail?"""
    return [reason is not None and reason.code == _CANCELLED_BY_CONDITION
            for reason in (error.cancellation_reasons or [])]


@contextmanager
def transaction() -> Iterator[TransactWrite]:
    """All or nothing: the writes added inside are committed together when the block ends."""
    with TransactWrite(connection=transaction_connection()) as writes:
        yield writes
