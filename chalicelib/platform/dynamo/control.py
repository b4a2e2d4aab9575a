"""Counters and leases that several processes share, each kept by one conditional DynamoDB write.

A counter hands out numbers no two callers share (an atomic ADD), whatever the clock says: two 837
files acknowledged in one second get different interchange control numbers. A lease lets one holder
at a time do a job (a payment cycle) and lapses by itself if the holder dies. A "made once" marker
names the one thing an identity stands for (the claim an 837 file's Nth claim became), written in the
same transaction as that thing, so a retried or racing run finds it instead of making a second one.
A tally counts the parts of a job done by several workers (an 837 file's batches): each part adds its
amount once, however often it is delivered, and exactly one write sees the tally reach its total.
A maintained count is the size of a list, added to in the transaction that adds to the list, so a
list can say its total with one GetItem instead of reading its partition (DECISIONS: lists and counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pynamodb.attributes import NumberAttribute, NumberSetAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.platform.dynamo.base import TableMeta, table_name
from chalicelib.platform.dynamo.writes import Missing, WriteFailed, condition_failed

if TYPE_CHECKING:
    from pynamodb.transactions import TransactWrite


class ControlModel(Model):
    class Meta(TableMeta):
        table_name = table_name("control")

    control_key = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(null=True)
    holder = UnicodeAttribute(null=True)
    held_until = UTCDateTimeAttribute(null=True)
    total = NumberAttribute(null=True)
    part_count = NumberAttribute(null=True)
    parts = NumberSetAttribute(null=True)


def next_number(counter: str) -> int:
    """1, 2, 3, ... for this counter, each handed out once."""
    item = ControlModel(control_key=f"counter#{counter}")
    item.update(actions=[ControlModel.value.add(1)])
    return int(item.value or 0)


def count_in(writes: TransactWrite, name: str, amount: int = 1) -> None:
    """Add ``amount`` to the maintained count ``name`` as part of ``writes`` (the change it counts)."""
    writes.update(ControlModel(control_key=f"count#{name}"), actions=[ControlModel.value.add(amount)])


def maintained_count(name: str) -> int:
    """The maintained count ``name``: one GetItem, 0 before anything was counted."""
    try:
        return int(ControlModel.get(f"count#{name}").value or 0)
    except Missing:
        return 0


def take_lease(job: str, holder: str, now: datetime, duration: timedelta) -> bool:
    """True when ``holder`` now holds the job's lease: nobody held it, or the last holder's lapsed."""
    item = ControlModel(control_key=f"lease#{job}")
    try:
        item.update(
            actions=[ControlModel.holder.set(holder), ControlModel.held_until.set(now + duration)],
            condition=ControlModel.held_until.does_not_exist() | (ControlModel.held_until <= now),
        )
    except WriteFailed as error:
        if condition_failed(error):
            return False
        raise
    return True


def release_lease(job: str, holder: str) -> None:
    """Give the lease back (only its holder can), so the next run need not wait for it to lapse."""
    item = ControlModel(control_key=f"lease#{job}")
    try:
        item.update(actions=[ControlModel.held_until.remove(), ControlModel.holder.remove()],
                    condition=ControlModel.holder == holder)
    except WriteFailed as error:
        if not condition_failed(error):
            raise


def made_once(identity: str) -> str | None:
    """What ``identity`` was made into (see ``mark_made_once``), or None while nothing has been."""
    try:
        return ControlModel.get(f"once#{identity}").holder
    except Missing:
        return None


def mark_made_once(writes: TransactWrite, identity: str, made: str) -> None:
    """In the transaction that makes ``made``: record it as ``identity``'s one result. The transaction is
    cancelled when the identity already names something (a racing run made it first)."""
    writes.save(ControlModel(control_key=f"once#{identity}", holder=made),
                condition=ControlModel.control_key.does_not_exist())


@dataclass(frozen=True)
class Tally:
    """Where a job's tally stands after one write: the amount done, and the total once it is known."""

    done: int
    total: int | None
    part_count: int | None

    @property
    def complete(self) -> bool:
        return self.total is not None and self.done >= self.total


def _tally(item: ControlModel) -> Tally:
    return Tally(int(item.value or 0), None if item.total is None else int(item.total),
                 None if item.part_count is None else int(item.part_count))


def add_part(job: str, part: int, amount: int) -> Tally | None:
    """Add part ``part``'s ``amount`` to the job's tally, once: None when that part was counted before (a
    second delivery). One conditional ADD on one item, so two workers never both count one part."""
    item = ControlModel(control_key=f"tally#{job}")
    try:
        item.update(actions=[ControlModel.value.add(amount), ControlModel.parts.add({part})],
                    condition=~ControlModel.parts.contains(part))
    except WriteFailed as error:
        if condition_failed(error):
            return None
        raise
    return _tally(item)


def set_total(job: str, total: int, part_count: int) -> Tally:
    """The job's total (and how many parts make it), once every part is handed out; the tally as it stands."""
    item = ControlModel(control_key=f"tally#{job}")
    item.update(actions=[ControlModel.total.set(total), ControlModel.part_count.set(part_count),
                         ControlModel.value.add(0)])
    return _tally(item)


def tally(job: str) -> Tally | None:
    """The job's tally as it stands (a consistent read), None before any part or total was written."""
    try:
        return _tally(ControlModel.get(f"tally#{job}", consistent_read=True))
    except Missing:
        return None
