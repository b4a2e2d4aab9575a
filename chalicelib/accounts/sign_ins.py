"""An account's sign-ins and failed attempts, kept as audit records in its own trail (``sign_in_subject``).

Login writes one record per attempt on an account that exists: signed in, a wrong password (and whether it locked
the account), or refused while locked; My Account's check of the current password writes its failures too. Each
record carries the client's address (API Gateway's source address, never a header the client wrote) and its browser
(the ``User-Agent`` header, cut short), so the user can tell their own sign-ins from someone else's. A username with
no account writes nothing: there is no trail to keep it in, and the throttle table counts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry, AuditPage, sign_in_subject

if TYPE_CHECKING:
    from collections.abc import Mapping

USER_AGENT_CHARS = 200
"""How much of a User-Agent is kept: enough to tell browsers apart, never a large item."""


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from: what a session and a sign-in record keep of it."""

    address: str = ""
    user_agent: str = ""

    @classmethod
    def of(cls, address: str, headers: Mapping[str, str]) -> ClientInfo:
        agent = "".join(ch for ch in (headers.get("user-agent") or "") if ch.isprintable())
        return cls(address=address, user_agent=agent[:USER_AGENT_CHARS])


NO_CLIENT = ClientInfo()


@dataclass(frozen=True)
class SignIn:
    """One attempt as My Account lists it."""

    occurred_at: datetime
    outcome: str
    detail: str | None
    client_address: str | None
    user_agent: str | None


@dataclass(frozen=True)
class SignInPage:
    items: list[SignIn]
    next_token: str | None


OUTCOMES = {
    AuditAction.SIGNED_IN: "SIGNED_IN",
    AuditAction.SIGN_IN_FAILED: "FAILED",
    AuditAction.SIGN_IN_LOCKED: "LOCKED",
    AuditAction.PASSWORD_CHECK_FAILED: "PASSWORD_CHECK_FAILED",
}
"""What the history calls each kind of record (the JSON's ``outcome``)."""


def record(username: str, role: str, action: AuditAction, client: ClientInfo, now: datetime,
           detail: str | None = None) -> None:
    """One record in the account's sign-in trail (a conditional Put: the audit table is append-only)."""
    trail.record_without_session(username, role, [AuditEntry(sign_in_subject(username), action, None, detail,
                                                             client.address, client.user_agent)], now)


def history(username: str, limit: int, token: str | None) -> SignInPage:
    """The account's attempts, newest first: one Query of its own partition (``limit`` + 1 items at most)."""
    found: AuditPage = trail.by_member(sign_in_subject(username), limit, token)
    return SignInPage([SignIn(datetime.fromisoformat(item.occurred_at), OUTCOMES.get(AuditAction(item.action),
                                                                                     item.action),
                              item.detail, item.client_address, item.user_agent) for item in found.items],
                      found.next_token)
