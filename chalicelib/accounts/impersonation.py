"""Impersonate User: who may view the portal as whom, for how long, holding what. Pure rules.

Plan support staff (SUPPORT) view as any office user; a Tax ID's user administrators (USER_ADMIN) as the users of
their own Tax ID, and as one of its administrators only when they are one too (never a higher rank). Nobody views as
plan staff, as themselves, or as an account that is not active. A view lasts at most ``VIEW_LIMIT`` from its start,
whatever is done in it, and never outlives the actor's own session; it holds the user's permissions minus every
plan-staff one, and it is read-only (``platform.web.api.admit``). The service is ``impersonation_service``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.platform.errors import ImpersonationRefused, NotFound, PermissionRequired, PortalError
from chalicelib.platform.permissions import STAFF_PERMISSIONS, Permission

VIEW_LIMIT = timedelta(minutes=30)
TOKEN_PREFIX = "imp."  # noqa: S105 (a marker, not a secret)
"""An impersonation session's token starts so (a login's never does: URL-safe base64 has no dot), which tells the
authenticator to ask the impersonation service."""
NOT_VIEWABLE = "is not an office user you may view as"
NO_SECOND_FACTOR = "has not set up two-step verification yet, and sees no data until it does"
"""A user without a second factor sees only its set-up (chalicelib/accounts/mfa_service.py): a view shows no more."""


def is_impersonation_token(token: str) -> bool:
    return token.startswith(TOKEN_PREFIX)


@dataclass(frozen=True)
class Party:
    """The actor or the user, as the rules need them (read from the account as it is now)."""

    username: str
    plan_staff: bool
    active: bool
    tax_id: str | None
    administrator: bool
    permissions: frozenset[Permission]


def actor_refusal(actor: Party) -> PortalError | None:
    """Why ``actor`` may view as nobody (None: it may view as someone): plan staff need support, offices user
    administration."""
    needed = Permission.SUPPORT if actor.plan_staff else Permission.USER_ADMIN
    return None if needed in actor.permissions else PermissionRequired(needed.value, needed.words)


def refusal(actor: Party, user: Party) -> PortalError | None:
    """Why ``actor`` may not view the portal as ``user`` (None: it may). Another office's user answers 404, as a name
    with no account does."""
    refused = actor_refusal(actor)
    if refused is not None:
        return refused
    if actor.username.lower() == user.username.lower():
        return ImpersonationRefused("is your own account")
    if not actor.plan_staff and (user.plan_staff or not actor.tax_id or user.tax_id != actor.tax_id):
        return NotFound(fields={"username": NOT_VIEWABLE})
    if user.plan_staff:
        return ImpersonationRefused("is a plan-staff account, and plan staff are never viewed as")
    if not user.active:
        return ImpersonationRefused("is not an active account")
    if user.administrator and not actor.plan_staff and not actor.administrator:
        return ImpersonationRefused("is a Provider Administrator, a higher rank than yours: only an administrator "
                                    "views as one")
    return None


def view_ends_at(started_at: datetime, actor_session_ends_at: datetime) -> datetime:
    """Fixed at the start: activity in the view never extends it."""
    return min(started_at + VIEW_LIMIT, actor_session_ends_at)


def view_permissions(permissions: frozenset[Permission]) -> frozenset[Permission]:
    """The user's permissions, never a plan-staff one (plan-staff functions stay out of reach)."""
    return permissions - STAFF_PERMISSIONS


def minutes_between(started_at: datetime, ended_at: datetime) -> int:
    """Whole minutes, rounded up: a view of 10 seconds lasted 1 minute."""
    return max(1, math.ceil((ended_at - started_at).total_seconds() / 60))


def duration_words(minutes: int) -> str:
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def viewer_words(plan_staff: bool) -> str:
    """Who viewed, as the user's notice says it."""
    return "plan support staff" if plan_staff else "a user administrator of your practice"


def helper_words(username: str, plan_staff: bool) -> str:
    """Who acted on a user's account to help it (a reset, an unlock), as the user's notice names them."""
    return f"{username} ({viewer_words(plan_staff)})"
