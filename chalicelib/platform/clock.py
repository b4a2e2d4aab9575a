"""The one reader of the wall clock.

Every "now" in a request, an event or a schedule comes from the ``Clock`` the services were
built with. Only ``chalicelib.wiring`` (the place that builds them) hands ``wall_clock`` out;
tests build the wiring with a fake clock instead, so a rule that depends on "now" is tested
on a known day.
"""

from collections.abc import Callable
from datetime import UTC, datetime

type Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)
