"""A principal with no session, for tests that write as a user without logging in (audit records)."""

from __future__ import annotations

from chalicelib.platform.access import Principal, Role
from tests.support.moto import TODAY


def principal_named(username: str, role: Role = Role.PROVIDER_USER) -> Principal:
    return Principal(username=username, role=role, provider_type=None, provider_ids=(), tax_ids=(), states=(),
                     home_provider_id=None, session_id="", session_ends_at=TODAY, session_hard_expiry=TODAY)
