"""The audit trails are key-served pages: one Query, at most limit + 1 items read, no total, whatever their size."""

from datetime import timedelta

import pytest

from tests.support.moto import TODAY
from tests.support.principals import principal_named

BUSY = "busy.user"


@pytest.fixture
def busy_trail(aws):
    """A busy user's 300 reads of member data (and another user's), written as the services write them."""
    from chalicelib.audit import service as trail
    from chalicelib.audit.service import AuditAction, AuditEntry

    for minute in range(100):
        entries = [AuditEntry(f"1000000{minute:02d}{n}", AuditAction.MEMBER_VIEWED, "100000000001") for n in range(3)]
        trail.record_many(principal_named(BUSY), entries, TODAY + timedelta(minutes=minute))
    trail.record_many(principal_named("someone.else"), [
        AuditEntry("10000000001", AuditAction.MEMBER_VIEWED, "100000000001")], TODAY)


def test_a_users_trail_page_reads_at_most_limit_plus_one_items(api, token_for, busy_trail, items_read):
    staff = token_for("planadmin")
    seen: list[tuple[str, str]] = []
    token = None
    for _ in range(4):
        items_read.reset()
        path = f"/audit/users/{BUSY}?limit=25" + (f"&nextToken={token}" if token else "")
        page = api.get(path, token=staff)
        assert page.status_code == 200, page.data
        assert "count" not in page.data  # no total (DECISIONS: Lists and counts)
        queries = [(operation, items) for operation, items in items_read.calls if operation in ("Query", "Scan")]
        assert [operation for operation, _ in queries] == ["Query"]
        assert queries[0][1] <= 26
        assert len(page.data["items"]) == 25
        assert {item["username"] for item in page.data["items"]} == {BUSY}
        seen += [(item["occurredAt"], item["eventId"]) for item in page.data["items"]]
        token = page.data["nextToken"]
        assert token
    times = [occurred for occurred, _ in seen]
    assert times == sorted(times, reverse=True)  # newest first, pages in order
    assert len({event for _, event in seen}) == 100  # no item twice across pages


def test_the_last_page_of_a_trail_has_no_next_token(api, token_for, busy_trail):
    staff = token_for("planadmin")
    first = api.get(f"/audit/users/{BUSY}?limit=299", token=staff).data
    assert len(first["items"]) == 299
    last = api.get(f"/audit/users/{BUSY}?limit=299&nextToken={first['nextToken']}", token=staff).data
    assert len(last["items"]) == 1
    assert last["nextToken"] is None
    exactly = api.get("/audit/users/someone.else?limit=1", token=staff).data
    assert (len(exactly["items"]), exactly["nextToken"]) == (1, None)  # no empty page after a full one
