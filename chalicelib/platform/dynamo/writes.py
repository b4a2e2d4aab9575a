"""How a write can fail, and the transaction every area writes in: the persistence vocabulary services use.

Services say what they mean (``missing``, ``condition_failed``, ``cancelled_by_condition``) and never
import PynamoDB; the stores and this package are the only places that know it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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


class Transaction(TransactWrite):
    """PynamoDB's TransactWrite, keeping the order its writes were added in.

    PynamoDB sends a transaction's items grouped by kind (condition checks, deletes, puts, updates), not in the
    order the code added them, and DynamoDB's cancellation reasons follow the items as sent. This keeps the order
    of the calls so ``cancelled_by_condition`` answers in it, whatever kinds a transaction mixes.
    """

    _WIRE_ORDER = ("condition_check", "delete", "save", "update")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[str] = []

    def condition_check(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append("condition_check")
        super().condition_check(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append("delete")
        super().delete(*args, **kwargs)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append("save")
        super().save(*args, **kwargs)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append("update")
        super().update(*args, **kwargs)

    def wire_positions(self) -> list[int]:
        """For each write in call order, its position among the items as sent."""
        offsets, start = {}, 0
        for kind in self._WIRE_ORDER:
            offsets[kind] = start
            start += self.calls.count(kind)
        positions = []
        seen = dict.fromkeys(self._WIRE_ORDER, 0)
        for kind in self.calls:
            positions.append(offsets[kind] + seen[kind])
            seen[kind] += 1
        return positions

_CONDITION_FAILED = "ConditionalCheckFailedException"
_CANCELLED_BY_CONDITION = "ConditionalCheckFailed"


def condition_failed(error: PynamoDBException) -> bool:
    """The write was refused because its condition did not hold (not a throttle or a fault)."""
    return error.cause_response_code == _CONDITION_FAILED


def cancelled_by_condition(error: TransactWriteError) -> list[bool]:
    """For each write of a cancelled transaction, in the order the code added them (``transaction``): did its own
    condition fail?"""
    reasons = error.cancellation_reasons or []
    positions = getattr(error, "wire_positions", None) or range(len(reasons))
    return [position < len(reasons) and reasons[position] is not None
            and reasons[position].code == _CANCELLED_BY_CONDITION for position in positions]


@contextmanager
def transaction() -> Iterator[Transaction]:
    """All or nothing: the writes added inside are committed together when the block ends. A cancelled one raises
    ``TransactionCancelled``, whose reasons ``cancelled_by_condition`` reads in the order the writes were added."""
    writes = Transaction(connection=transaction_connection())
    try:
        with writes:
            yield writes
    except TransactWriteError as error:
        error.wire_positions = writes.wire_positions()  # type: ignore[attr-defined]
        raise
