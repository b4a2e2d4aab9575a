"""Security events: structured log lines with a distinct ``event`` name, at WARNING so every stage keeps them.

A read of an object that exists but belongs to another office answers exactly as a missing one
(the same error, so the same 404 bytes); only this log line tells the two apart. It names who
asked (username and role), what kind of object (from the error code: ``claim``, ``prior_auth``,
``member``), and, through the request's bound log keys, the route template and the correlation
ID; the line's timestamp is when. Never the object's ID, the member or any other PHI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.platform.errors import NotFound
from chalicelib.platform.logs import logger

if TYPE_CHECKING:
    from chalicelib.platform.access import Principal

CROSS_OFFICE_READ = "CROSS_OFFICE_READ"
NOT_FOUND_SUFFIX = "_NOT_FOUND"


def withheld[Error: NotFound](principal: Principal, error: Error) -> Error:
    """``error`` (a NotFound, to raise) after recording that ``principal`` asked for another office's object."""
    logger.warning("security event: another office's object withheld", extra={
        "event": CROSS_OFFICE_READ,
        "username": principal.username,
        "role": principal.role.value,
        "object_kind": error.code.removesuffix(NOT_FOUND_SUFFIX).lower(),
    })
    return error
