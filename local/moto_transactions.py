"""moto's TransactWriteItems without a deep copy of every table per item.

moto 5.2.5 backs a transaction out by deep-copying each table it touches, once per item of the
transaction (a 100-item transaction copies the table 100 times), so a transaction costs what the
table holds, squared by its size: an audit trail of tens of thousands of records made every export
crawl. DynamoDB lets a transaction touch an item once, so no part's condition can depend on
another part's write: checking every condition first, then writing, is the same all-or-nothing.
A write that fails after others landed (an invalid update) is undone item by item from the items
as they were. Installed in the local moto server and the in-process test stack alike.
"""

from __future__ import annotations

import copy
from typing import Any

TRANSACTION_PARTS = frozenset({"ConditionCheck", "Put", "Delete", "Update"})
MAX_PARTS = 100


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _key_of(backend: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def _parts(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    from moto.dynamodb.exceptions import (
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > MAX_PARTS:
        raise TooManyTransactionsException()
    parts, seen = [], set()
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in TRANSACTION_PARTS:
            raise ValueError("Unsupported transaction operation")
        key = _key_of(backend, op_type, op)
        identity = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        parts.append((op_type, op, key))
    return parts


def _condition_error(backend: Any, op: dict[str, Any], key: dict[str, Any]) -> tuple[Any, Any, Any]:
    from moto.dynamodb.comparisons import get_filter_expression as condition_of
    from moto.dynamodb.exceptions import ConditionalCheckFailed

    expression = op.get("ConditionExpression")
    if expression is None:
        return (None, None, None)
    current = backend.get_item(op["TableName"], key)
    if condition_of(expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")).expr(current):
        return (None, None, None)
    old = current.to_json()["Attributes"] if current and op.get(
        "ReturnValuesOnConditionCheckFailure") == "ALL_OLD" else None
    return ("ConditionalCheckFailed", str(ConditionalCheckFailed(item=old).message), old)


def _write(backend: Any, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    """The part's write, with its own condition (already met: it names the expression's attribute names)."""
    expression = {"condition_expression": op.get("ConditionExpression"),
                  "expression_attribute_names": op.get("ExpressionAttributeNames"),
                  "expression_attribute_values": op.get("ExpressionAttributeValues")}
    if op_type == "Put":
        backend.put_item(op["TableName"], op["Item"], **expression)
    elif op_type == "Delete":
        backend.delete_item(op["TableName"], key, **expression)
    elif op_type == "Update":
        backend.update_item(op["TableName"], key, update_expression=op["UpdateExpression"], **expression)


def _undo(backend: Any, written: list[tuple[str, dict[str, Any], dict[str, Any] | None]]) -> None:
    for table_name, key, before in reversed(written):
        if before is None:
            backend.delete_item(table_name, key)
        else:
            backend.put_item(table_name, before)


def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.exceptions import MockValidationException, TransactionCanceledException

    parts = _parts(self, transact_items)
    errors = [_condition_error(self, op, key) for _, op, key in parts]
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    written: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    for index, (op_type, op, key) in enumerate(parts):
        if op_type == "ConditionCheck":
            continue
        current = self.get_item(op["TableName"], key)
        before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
        try:
            _write(self, op_type, op, key)
        except MockValidationException:
            _undo(self, written)
            raise
        except Exception as error:  # moto answers any other failure as the part's cancellation reason
            _undo(self, written)
            reasons: list[tuple[Any, Any, Any]] = [(None, None, None)] * len(parts)
            reasons[index] = (type(error).__name__, str(error), None)
            raise TransactionCanceledException(reasons) from error
        written.append((op["TableName"], key, before))
