"""A threaded server answers requests side by side: each keeps its own correlation ID (logs, audit records)."""

from __future__ import annotations

import threading

from chalicelib.platform.logs import bind_correlation_id, correlation_id


def test_each_thread_keeps_its_own_correlation_id() -> None:
    both_bound = threading.Barrier(2)
    seen: dict[str, str | None] = {}

    def request(name: str) -> None:
        bind_correlation_id(name)
        both_bound.wait(timeout=5)  # the other request has bound its own ID by now
        seen[name] = correlation_id()

    threads = [threading.Thread(target=request, args=(name,)) for name in ("first-request", "second-request")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert seen == {"first-request": "first-request", "second-request": "second-request"}
