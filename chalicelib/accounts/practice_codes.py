"""The out-of-band check's one-time code, on whatever item waits for it: a first registration's account, or a link
into a Tax ID that has no administrator (both keep ``practice_code_hash``, ``practice_code_expires_at`` and
``practice_code_attempts``).

Six digits, minted when its email is delivered (only its argon2id hash is stored, with its expiry from the clock),
``practice_code_minutes`` long and ``practice_code_attempts`` guesses, each guess claimed with a conditional update
before it is checked, so parallel guesses cannot get past the limit.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from chalicelib.accounts.passwords import SecretHasher
from chalicelib.accounts.store import AccountModel, LinkModel
from chalicelib.platform.dynamo.writes import WriteFailed, condition_failed
from chalicelib.platform.errors import InvalidConfirmationCode

CODE_DIGITS = 6
CODE_ATTRIBUTES = ("practice_code_hash", "practice_code_expires_at", "practice_code_attempts")

type Waiting = AccountModel | LinkModel


def mint(item: Waiting, hasher: SecretHasher, now: datetime, lifetime: timedelta, *, condition: Any) -> str | None:
    """A fresh code on ``item`` (its hash, expiry and no guesses yet), when ``condition`` still holds; None if not."""
    model = type(item)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    try:
        item.update(actions=[model.practice_code_hash.set(hasher.hash(code)),
                             model.practice_code_expires_at.set(now + lifetime),
                             model.practice_code_attempts.set(0)], condition=condition)
    except WriteFailed as error:
        if condition_failed(error):
            return None
        raise
    return code


def check(item: Waiting, hasher: SecretHasher, code: str, now: datetime, limit: int) -> None:
    """Claim one guess (a conditional ADD: refused once the code is used up or expired), then check it: 400
    INVALID_CONFIRMATION_CODE naming ``code`` with the tries left."""
    model = type(item)
    try:
        item.update(actions=[model.practice_code_attempts.add(1)],
                    condition=model.practice_code_hash.exists() & (model.practice_code_expires_at > now)
                    & (model.practice_code_attempts < limit))
    except WriteFailed as error:
        if condition_failed(error):
            raise InvalidConfirmationCode(fields={"code": "has expired or was tried too often: ask for a new "
                                                          "code"}) from None
        raise
    left = max(limit - int(item.practice_code_attempts or 0), 0)
    if not hasher.verify(item.practice_code_hash or "", code.strip()):
        words = f"{left} more {'try' if left == 1 else 'tries'}" if left else "no more tries: ask for a new code"
        raise InvalidConfirmationCode(fields={"code": f"is not the code we sent ({words})"})


def live_until(item: Waiting, now: datetime) -> datetime | None:
    """When the code sent last stops working, while it works."""
    expires = item.practice_code_expires_at if item.practice_code_hash else None
    return expires if expires is not None and expires > now else None


def without_code(model: type[Waiting]) -> list[Any]:
    return [getattr(model, name).remove() for name in CODE_ATTRIBUTES]
