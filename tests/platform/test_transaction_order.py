"""A cancelled transaction's reasons in the order the code added its writes, whatever kinds it mixes: PynamoDB
sends condition checks, deletes, puts and updates grouped by kind, so reading DynamoDB's reasons by call order
would blame the wrong write (a racing change told as "last administrator", a link taken told as "one waits")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.accounts.store import TaxIdSettingsModel
from chalicelib.platform.dynamo.writes import TransactionCancelled, cancelled_by_condition, transaction

WHEN = datetime(2026, 1, 5, tzinfo=UTC)
CALL_ORDER = ("update", "check", "put", "delete")
"""The order the writes are added in; PynamoDB sends them as check, delete, put, update."""


def item(key: str) -> TaxIdSettingsModel:
    return TaxIdSettingsModel(pk=f"TEST#{key}", updated_by="someone", updated_at=WHEN)


def mixed_transaction(failing: str) -> None:
    """One write of each kind, each conditional; only ``failing``'s condition does not hold."""
    def holds(name: str) -> object:
        return TaxIdSettingsModel.updated_by == ("nobody" if name == failing else "someone")

    with transaction() as writes:
        writes.update(TaxIdSettingsModel.get("TEST#updated"), actions=[TaxIdSettingsModel.updated_by.set("changed")],
                      condition=holds("update"))
        writes.condition_check(TaxIdSettingsModel, "TEST#checked", condition=holds("check"))
        writes.save(item("new"), condition=TaxIdSettingsModel.pk.exists() if failing == "put"
                    else TaxIdSettingsModel.pk.does_not_exist())
        writes.delete(TaxIdSettingsModel.get("TEST#deleted"), condition=holds("delete"))


@pytest.mark.parametrize("failing", CALL_ORDER)
def test_each_write_is_blamed_in_the_order_it_was_added(aws, failing):
    for key in ("updated", "checked", "deleted"):
        item(key).save()
    with pytest.raises(TransactionCancelled) as cancelled:
        mixed_transaction(failing)
    assert cancelled_by_condition(cancelled.value) == [name == failing for name in CALL_ORDER]
    assert TaxIdSettingsModel.get("TEST#updated").updated_by == "someone"  # nothing was written
    assert TaxIdSettingsModel.get("TEST#deleted").updated_by == "someone"
    assert TaxIdSettingsModel.count("TEST#new") == 0
