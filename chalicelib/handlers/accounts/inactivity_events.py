"""The daily schedule that deactivates provider accounts unused for ``PORTAL_INACTIVE_DAYS`` (its own function)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Cron

from chalicelib import wiring
from chalicelib.platform import metrics
from chalicelib.platform.logs import logger

inactivity_events = Blueprint(__name__)


@inactivity_events.schedule(Cron(0, 7, "*", "*", "?", "*"))
def deactivate_unused_accounts(event: Any) -> None:
    """Every day at 07:00 UTC (02:00 or 03:00 in the plan's Eastern time, few logins then)."""
    run = wiring.current().inactivity().deactivate_unused()
    if run.deactivated:
        logger.info("unused accounts deactivated", extra={"count": len(run.deactivated), "skipped": run.skipped})
    metrics.flush()
