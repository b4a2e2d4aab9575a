"""EMF metric lines stay out of the local console; where metrics are on, each flush publishes and forgets."""

import json

import pytest

from chalicelib.platform import metrics


def emf_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if '"_aws"' in line]


def test_disabled_metrics_print_nothing_even_past_powertools_100_value_limit(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    for _ in range(250):  # the demo loader submits hundreds of claims without a request to flush them
        metrics.count("ClaimPaid")
    metrics.flush()
    assert emf_lines(capsys.readouterr().out) == []


def test_enabled_metrics_flush_once_per_invocation_and_start_empty_again(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    metrics.count("LoginSucceeded")
    metrics.count("LoginSucceeded")
    metrics.flush()
    metrics.flush()  # nothing new: nothing printed
    metrics.count("LoginFailed")
    metrics.flush()
    lines = emf_lines(capsys.readouterr().out)
    assert [line.get("LoginSucceeded") for line in lines] == [[1.0, 1.0], None]
    assert lines[1]["LoginFailed"] == [1.0]


@pytest.fixture(autouse=True)
def _nothing_left_over():
    yield
    metrics._metrics().clear_metrics()
    metrics._pending = False
