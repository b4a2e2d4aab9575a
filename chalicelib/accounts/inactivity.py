"""Provider accounts unused for a number of days are deactivated (DECISIONS: Login, identity and users): the rules.

An active provider account sits in the accounts table's sparse ``inactivity-index`` under one of a few buckets
(spread by username, so logins do not all write one index partition) with its last activity as the sort key: its
last login, else its activation. The daily job reads each bucket with ``sort key < cutoff``, so it reads only the
accounts that are due, whatever the number of active ones. Plan staff are never in the index.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

BUCKETS = 8
"""Index partitions the active accounts are spread over: each login rewrites one account's sort key."""


def bucket_of(username: str) -> str:
    digest = hashlib.sha256(username.strip().lower().encode()).digest()
    return f"IDLE#{int.from_bytes(digest[:4], 'big') % BUCKETS}"


def all_buckets() -> tuple[str, ...]:
    return tuple(f"IDLE#{number}" for number in range(BUCKETS))


def cutoff(now: datetime, inactive_days: int) -> datetime:
    """An account whose last activity is before this is due to be deactivated."""
    return now - timedelta(days=inactive_days)


def last_activity(last_login_at: datetime | None, activated_at: datetime | None, created_at: datetime) -> datetime:
    """The last login, else the activation, else the registration."""
    return last_login_at or activated_at or created_at


def is_unused(last_active_at: datetime, now: datetime, inactive_days: int) -> bool:
    """More than ``inactive_days`` without use (exactly that many days is not yet)."""
    return last_active_at < cutoff(now, inactive_days)
