"""Business metrics as CloudWatch EMF through Powertools Metrics, flushed once per invocation.

The Powertools metrics module loads on the first metric, not at cold start. Where metrics are
disabled (``POWERTOOLS_METRICS_DISABLED``: the local stage, so `make run`'s console stays readable)
nothing is counted at all: Powertools itself would still print a full set of 100 values from
``add_metric``, whatever the setting, and its disabled ``flush_metrics`` keeps what it holds, so
counting without publishing would fill the console with EMF lines while the demo data loads.
"""

from __future__ import annotations

from functools import cache
from typing import Any

_pending = False


@cache
def _metrics() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace="ProviderPortal", service="provider-portal")


def _disabled() -> bool:
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    return bool(is_metrics_disabled())


def count(name: str, value: int = 1) -> None:
    global _pending
    if _disabled():
        return
    from aws_lambda_powertools.metrics import MetricUnit

    _metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)
    _pending = True


def flush() -> None:
    """Publish what this invocation counted (nothing when it counted nothing), and forget it."""
    global _pending
    if _pending:
        metrics = _metrics()
        metrics.flush_metrics()
        metrics.clear_metrics()
        _pending = False
