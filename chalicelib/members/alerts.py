"""Member alerts: what each alert type means, in the words the Provider Membership List shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

ALERT_LEGEND: dict[str, str] = {
    "NEW_ASSESSMENT": "New Assessment",
    "NEW_CARE_TREATMENT_PLAN": "New Care Treatment Plan",
    "UPDATED_CARE_TREATMENT_PLAN": "Updated Care Treatment Plan",
    "BH_CLINICAL_INFO": "BH Clinical Info",
}


class Alert(Protocol):
    alert_type: str
    appeared_on: date


def alert_label(alert_type: str) -> str:
    return ALERT_LEGEND.get(alert_type, alert_type)


def labelled(alerts: Iterable[Alert]) -> list[dict[str, object]]:
    return [{"alert_type": alert.alert_type, "label": alert_label(alert.alert_type), "appeared_on": alert.appeared_on}
            for alert in alerts]
