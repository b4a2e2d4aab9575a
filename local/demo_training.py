"""Demo Provider Training attestations, relative to the plan's today, so each demo office shows a standing:

- demo.group (Indiana): every required module attested this training year (complete, no banner);
- demo.buckeye (Ohio): Fraud, Waste and Abuse attested last training year (due), Model of Care never (overdue:
  the banner on every page);
- demo.jdoe: nothing attested (overdue: the banner).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from chalicelib.training.modules import module_named
from chalicelib.training.store import AttestationModel, history_key, latest_key

THIS_YEAR = {"demo.group": ("fraud-waste-abuse", "cultural-competency")}
LAST_YEAR = {"demo.buckeye": ("fraud-waste-abuse",), "demo.group": ("portal-registration",)}


def _attestation(username: str, module_id: str, on: date, version: str) -> list[AttestationModel]:
    at = datetime.combine(on, time(15, 30), tzinfo=UTC)
    facts = {"module_id": module_id, "version": version, "completed_at": at}
    return [AttestationModel(username, latest_key(module_id), **facts),
            AttestationModel(username, history_key(module_id, at.isoformat()), **facts)]


def load_attestations(today: date) -> int:
    rows: list[AttestationModel] = []
    for username, module_ids in THIS_YEAR.items():
        for module_id in module_ids:
            module = module_named(module_id)
            assert module is not None
            on = min(today, module.year_start(today) + timedelta(days=30))
            rows += _attestation(username, module_id, on, module.version)
    for username, module_ids in LAST_YEAR.items():
        for module_id in module_ids:
            module = module_named(module_id)
            assert module is not None
            on = module.year_start(today) - timedelta(days=30)
            rows += _attestation(username, module_id, on, module.version)
    with AttestationModel.batch_write() as batch:
        for row in rows:
            batch.save(row)
    return len(rows) // 2
