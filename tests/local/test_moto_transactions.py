"""The local moto's transactions: all or nothing, as DynamoDB's, without copying the tables they touch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local import moto_transactions

pytestmark = pytest.mark.moto


@pytest.fixture
def table() -> Iterator[Any]:
    moto_transactions.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
        client.put_item(TableName="t", Item={"k": {"S": "kept"}, "n": {"N": "1"}})
        yield client


def put_new(key: str) -> dict[str, Any]:
    return {"Put": {"TableName": "t", "Item": {"k": {"S": key}}, "ConditionExpression": "attribute_not_exists(k)"}}


def keys(client: Any) -> set[str]:
    return {item["k"]["S"] for item in client.scan(TableName="t")["Items"]}


def test_a_failed_condition_writes_no_part_and_names_the_part(table):
    with pytest.raises(ClientError) as refused:
        table.transact_write_items(TransactItems=[put_new("a"), put_new("kept"), put_new("b")])
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [reason["Code"] for reason in refused.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed", "None"]
    assert keys(table) == {"kept"}


def test_a_write_that_fails_after_others_landed_undoes_them(table):
    bad_update = {"Update": {"TableName": "t", "Key": {"k": {"S": "kept"}}, "UpdateExpression": "SET n = n + :s",
                             "ExpressionAttributeValues": {":s": {"S": "text"}}}}
    changed = {"Update": {"TableName": "t", "Key": {"k": {"S": "kept"}}, "UpdateExpression": "SET n = :two",
                          "ExpressionAttributeValues": {":two": {"N": "2"}}}}
    with pytest.raises(ClientError):
        table.transact_write_items(TransactItems=[put_new("a"), bad_update])
    assert keys(table) == {"kept"}
    table.transact_write_items(TransactItems=[put_new("a"), changed])
    assert keys(table) == {"kept", "a"}
    assert table.get_item(TableName="t", Key={"k": {"S": "kept"}})["Item"]["n"] == {"N": "2"}


def test_one_item_twice_in_a_transaction_is_refused(table):
    with pytest.raises(ClientError) as refused:
        table.transact_write_items(TransactItems=[put_new("a"), {"Delete": {"TableName": "t",
                                                                            "Key": {"k": {"S": "a"}}}}])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert keys(table) == {"kept"}


def test_a_transaction_copies_no_table(table, monkeypatch):
    import copy

    copied: list[str] = []
    original = copy.deepcopy

    def counting(value: Any, *args: Any) -> Any:
        copied.append(type(value).__name__)
        return original(value, *args)

    monkeypatch.setattr(copy, "deepcopy", counting)
    table.transact_write_items(TransactItems=[put_new(f"n{index}") for index in range(100)])
    assert "Table" not in copied
    assert len(keys(table)) == 101
