"""Counters and leases that several processes share, each kept by one conditional DynamoDB write.

A counter hands out numbers no two callers share (an atomic ADD), whatever the clock says: two 837
files acknowledged in one second get different interchange control numbers. A lease lets one holder
at a time do a job (a payment cycle) and lapses by itself if the holder dies.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.platform.dynamo.base import TableMeta, table_name
from chalicelib.platform.dynamo.writes import WriteFailed, condition_failed


class ControlModel(Model):
    class Meta(TableMeta):
        table_name = table_name("control")

    control_key = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(null=True)
    holder = UnicodeAttribute(null=True)
    held_until = UTCDateTimeAttribute(null=True)


def next_number(counter: str) -> int:
    """1, 2, 3, ... for this counter, each handed out once."""
    item = ControlModel(control_key=f"counter#{counter}")
    item.update(actions=[ControlModel.value.add(1)])
    return int(item.value or 0)


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
