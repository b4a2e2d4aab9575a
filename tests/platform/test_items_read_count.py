"""What `make bench` reports as DynamoDB items read per request, from each call's own answer."""

from __future__ import annotations

from local.api_server import dynamo_items_read


def test_a_query_counts_what_it_examined_before_filtering() -> None:
    assert dynamo_items_read("Query", {"Count": 2, "ScannedCount": 40, "Items": [{}, {}]}) == 40


def test_gets_count_the_items_they_returned() -> None:
    assert dynamo_items_read("GetItem", {"Item": {"pk": {"S": "a"}}}) == 1
    assert dynamo_items_read("GetItem", {}) == 0
    assert dynamo_items_read("BatchGetItem", {"Responses": {"t1": [{}, {}], "t2": [{}]}}) == 3
    assert dynamo_items_read("TransactGetItems", {"Responses": [{}, {}]}) == 2


def test_writes_and_other_services_read_nothing() -> None:
    assert dynamo_items_read("PutItem", {}) == 0
    assert dynamo_items_read("SendMessage", {"MessageId": "x"}) == 0
