"""A search page of claims or prior authorizations reads what it shows plus one item, however big the partition.

Each search is measured with the items DynamoDB read for it (what `make bench` reports as
X-Dynamo-Items-Read: what each Query examined before filtering, what each get returned), once
with 30 items in the office's partition and once with 300. The page has no total: counting
would read the whole partition (DECISIONS.md, "Lists and counts"); nextToken says more exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib.claims.store import ClaimModel, received_key, service_key
from chalicelib.priorauth.store import PriorAuthRequestModel
from chalicelib.priorauth.store import received_key as request_received_key
from local.api_server import dynamo_items_read
from tests.claims.test_claims import office_visit
from tests.claims.test_claims import submit as submit_claim
from tests.priorauth.test_prior_auth import cpap
from tests.priorauth.test_prior_auth import submit as submit_prior_auth

pytestmark = pytest.mark.usefixtures("fee_schedules", "prior_auth_rules")
PAGE = 20


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[], Any]], tuple[Any, list[tuple[str, int]]]]:
    """Runs a call and answers its result with each DynamoDB call it made: (operation, items read)."""
    from botocore.client import BaseClient

    original = BaseClient._make_api_call
    made: list[tuple[str, int]] = []

    def counted(client: Any, operation_name: str, api_params: Any) -> Any:
        result = original(client, operation_name, api_params)
        if client.meta.service_model.service_name == "dynamodb":
            made.append((operation_name, dynamo_items_read(operation_name, result)))
        return result

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)

    def run(call: Callable[[], Any]) -> tuple[Any, list[tuple[str, int]]]:
        made.clear()
        result = call()
        return result, list(made)

    return run


def _copies_of_claim(number: str, count: int) -> Iterator[ClaimModel]:
    original = ClaimModel.get(number)
    for index in range(count):
        copy = ClaimModel(**{**original.attribute_values, "claim_number": f"{number[:-6]}{index:06d}"})
        copy.received_at = original.received_at.replace(microsecond=index)
        copy.received_key = received_key(copy.received_at, copy.claim_number)
        copy.service_key = service_key(copy.service_from, copy.claim_number)
        yield copy


def _copies_of_request(number: str, count: int) -> Iterator[PriorAuthRequestModel]:
    original = PriorAuthRequestModel.get(number, "REQUEST")
    for index in range(count):
        copy = PriorAuthRequestModel(**{**original.attribute_values, "request_id": f"{number}-{index:04d}"})
        copy.received_at = original.received_at.replace(microsecond=index)
        copy.received_key = request_received_key(copy.received_at, copy.request_id)
        yield copy


def _grow(model: Any, copies: Iterator[Any], count: int) -> None:
    with model.batch_write() as batch:
        for _ in range(count):
            batch.save(next(copies))


def _measure(api: Any, token: str, reads: Any, paths: list[str]) -> dict[str, tuple[int, int, bool]]:
    """Per path: (items read by the whole request, the most one Query read, whether a next page is offered)."""
    figures = {}
    for path in paths:
        response, calls = reads(lambda path=path: api.get(path, token=token))
        assert response.status_code == 200, response.data
        assert "count" not in response.data
        assert len(response.data["items"]) == PAGE, path
        queries = [items for operation, items in calls if operation == "Query"]
        figures[path] = (sum(items for _, items in calls), max(queries), bool(response.data["nextToken"]))
    return figures


CLAIM_SEARCHES = [f"/claims?limit={PAGE}", f"/claims?limit={PAGE}&status=APPROVED",
                  f"/claims?limit={PAGE}&receivedFrom=2031-11-23&receivedTo=2031-11-23",
                  f"/claims?limit={PAGE}&memberId=10000000001"]
PRIOR_AUTH_SEARCHES = [f"/prior-auths?limit={PAGE}", f"/prior-auths?limit={PAGE}&status=APPROVED",
                       f"/prior-auths?limit={PAGE}&receivedFrom=2031-11-23&receivedTo=2031-11-23",
                       f"/prior-auths?limit={PAGE}&memberId=10000000001"]


def test_a_claims_search_page_reads_the_same_items_with_30_or_300_claims_in_the_partition(api, token_for, reads):
    token = token_for("demo.jdoe")
    created = submit_claim(api, token, office_visit())
    assert (created.status_code, created.data["status"]) == (201, "APPROVED")
    copies = _copies_of_claim(created.data["claimNumber"], 300)
    _grow(ClaimModel, copies, 29)
    with_30 = _measure(api, token, reads, CLAIM_SEARCHES)
    _grow(ClaimModel, copies, 270)
    with_300 = _measure(api, token, reads, CLAIM_SEARCHES)
    assert with_300 == with_30
    for path, (_, most_one_query_read, more) in with_30.items():
        assert most_one_query_read == PAGE + 1, path  # the page and one past it: never a count of the partition
        assert more, path


def test_the_last_claims_page_offers_no_next_page(api, token_for, reads):
    token = token_for("demo.jdoe")
    created = submit_claim(api, token, office_visit()).data["claimNumber"]
    _grow(ClaimModel, _copies_of_claim(created, 300), 2 * PAGE - 1)
    first = api.get(f"/claims?limit={PAGE}", token=token).data
    last, calls = reads(lambda: api.get(f"/claims?limit={PAGE}&nextToken={first['nextToken']}", token=token))
    assert len(last.data["items"]) == PAGE
    assert last.data["nextToken"] is None
    assert {c["claimNumber"] for c in first["items"]}.isdisjoint(c["claimNumber"] for c in last.data["items"])
    assert max(items for operation, items in calls if operation == "Query") == PAGE


def test_a_prior_auth_search_page_reads_the_same_items_with_30_or_300_requests(api, token_for, reads):
    token = token_for("demo.jdoe")
    created = submit_prior_auth(api, token, cpap())
    assert (created.status_code, created.data["priorAuth"]["status"]) == (201, "APPROVED")
    copies = _copies_of_request(created.data["priorAuth"]["authorizationNumber"], 300)
    _grow(PriorAuthRequestModel, copies, 29)
    with_30 = _measure(api, token, reads, PRIOR_AUTH_SEARCHES)
    _grow(PriorAuthRequestModel, copies, 270)
    with_300 = _measure(api, token, reads, PRIOR_AUTH_SEARCHES)
    assert with_300 == with_30
    for path, (_, most_one_query_read, more) in with_30.items():
        assert most_one_query_read == PAGE + 1, path
        assert more, path


def _more_payments(payment_id: str, start: int, count: int) -> None:
    """Copies of a payment, each added to the Tax ID's count in its own transaction as the cycle adds one."""
    from chalicelib.claims.payments import payments_count
    from chalicelib.claims.store import PaymentModel
    from chalicelib.platform.dynamo.control import count_in
    from chalicelib.platform.dynamo.writes import transaction

    original = PaymentModel.get(payment_id)
    for index in range(start, start + count):
        copy = PaymentModel(**{**original.attribute_values, "payment_id": f"{payment_id[:-4]}{index:04d}"})
        copy.paid_key = f"{copy.paid_on}#{copy.payment_id}"
        with transaction() as writes:
            writes.save(copy)
            count_in(writes, payments_count(copy.tax_id))


def test_payment_history_reads_its_page_and_one_count_with_30_or_300_payments(api, token_for, reads):
    submit_claim(api, token_for("demo.jdoe"), office_visit())
    [payment] = api.post("/review/payment-cycles", token=token_for("planadmin")).data["payments"]
    group = token_for("demo.group")

    def measured() -> tuple[dict[str, Any], list[tuple[str, int]]]:
        response, calls = reads(lambda: api.get(f"/payments?limit={PAGE}", token=group))
        assert response.status_code == 200, response.data
        return response.data, calls

    _more_payments(payment["paymentId"], 1, 29)
    with_30, calls_30 = measured()
    _more_payments(payment["paymentId"], 30, 270)
    with_300, calls_300 = measured()
    assert (with_30["count"], with_300["count"]) == (30, 300)  # the maintained count, not a read of the partition
    assert calls_30 == calls_300
    assert max(items for operation, items in calls_300 if operation == "Query") == PAGE + 1
    assert sum(1 for operation, _ in calls_300 if operation == "Query") == 1
    assert len(with_300["items"]) == PAGE
    assert with_300["nextToken"]

    ranged = api.get(f"/payments?limit={PAGE}&paidFrom={payment['paidOn']}", token=group).data
    assert (ranged["count"], len(ranged["items"]), bool(ranged["nextToken"])) == (None, PAGE, True)


def test_a_file_list_reads_its_page_and_one_count_with_10_or_60_files_and_each_office_sees_its_own(
        api, token_for, reads):
    group, jdoe = token_for("demo.group"), token_for("demo.jdoe")

    def start_files(token: str, count: int) -> set[str]:
        made = set()
        for index in range(count):
            response = api.post("/claim-files", {"fileName": f"batch-{index}.837"}, token=token)
            assert response.status_code == 201, response.data
            made.add(response.data["file"]["documentId"])
        return made

    def measured(token: str) -> tuple[dict[str, Any], list[tuple[str, int]]]:
        response, calls = reads(lambda: api.get("/claim-files?limit=5", token=token))
        assert response.status_code == 200, response.data
        return response.data, calls

    hers = start_files(jdoe, 3)
    start_files(group, 7)
    with_10, calls_10 = measured(group)
    start_files(group, 50)
    with_60, calls_60 = measured(group)
    assert (with_10["count"], with_60["count"]) == (10, 60)  # the group's list: the Tax ID's files
    assert calls_10 == calls_60
    assert max(items for operation, items in calls_60 if operation == "Query") == 5 + 1
    own = api.get("/claim-files?limit=50", token=jdoe).data  # a practitioner's list: the files made for it
    assert (own["count"], {item["documentId"] for item in own["items"]}, own["nextToken"]) == (3, hers, None)
