"""Business metrics as CloudWatch EMF through Powertools Metrics, flushed once per invocation.

The Powertools metrics module loads on the first metric, not at cold start.
"""

from __future__ import annotations

from functools import cache
from typing import Any

_pending = False


@cache
def _metrics() -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace="ProviderPortal", service="provider-portal")


def count(name: str, value: int = 1) -> None:
    global _pending
    from aws_lambda_powertools.metrics import MetricUnit

    _metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)
    _pending = True


def flush() -> None:
    """Publish what this invocation counted (nothing when it counted nothing)."""
    global _pending
    if _pending:
        _metrics().flush_metrics()
        _pending = False
