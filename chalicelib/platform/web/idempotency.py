"""The ``Idempotency-Key`` request header, checked before it names a stored record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.platform.errors import ValidationFailed

if TYPE_CHECKING:
    from chalicelib.platform.web.api import RequestInfo

IDEMPOTENCY_HEADER = "idempotency-key"
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:")


def idempotency_key(request: RequestInfo) -> str | None:
    """The key of this request: the view's own ``request``, never Chalice's app-wide one (see ``RequestInfo``)."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= 100 or not set(key) <= _KEY_CHARS:
        raise ValidationFailed(fields={"Idempotency-Key": "must be 1 to 100 letters, digits or -_.:"})
    return key
