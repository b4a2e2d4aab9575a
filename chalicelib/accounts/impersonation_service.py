"""Impersonate User: start a view of the portal as another user, authenticate its session, end it.

A view is its own session (``ImpersonationModel``, its token marked by ``impersonation.TOKEN_PREFIX``), apart from
the actor's, which is kept and comes back when the view ends. It acts for the user's providers with the user's
permissions as they are on each request, minus every plan-staff one; its end is fixed at the start (at most 30
minutes, never past the actor's own session) and nothing extends it. Each request checks that the actor may still
view as the user (the rules of ``impersonation``, on both accounts as they are now) and that the actor's own session
lives; else the view ends there.

Audit: the start is the actor's record in the user's account trail; every record made during the view names the
user and the actor (``Principal.impersonation``, read where audit records are made); the end is one more record,
written once whoever ends it (End, logout, the time limit, a lost right). The user's email notice is written with the
start, due at the time limit; an earlier end writes it again with the real times and sends it at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.accounts import impersonation as rules
from chalicelib.accounts import office_users
from chalicelib.accounts.enums import AccountStatus
from chalicelib.accounts.mfa_store import MfaModel, mfa_key
from chalicelib.accounts.policies import SessionPolicy
from chalicelib.accounts.store import (
    AccountModel,
    ImpersonationModel,
    ImpersonatorModel,
    SessionModel,
    impersonation_key,
    impersonator_key,
)
from chalicelib.accounts.tokens import fingerprint, new_token
from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry, account_subject
from chalicelib.emails import outbox
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform import metrics
from chalicelib.platform.access import Impersonation, Principal, Role
from chalicelib.platform.dynamo.writes import (
    Missing,
    TransactionCancelled,
    WriteFailed,
    cancelled_by_condition,
    condition_failed,
    transaction,
)
from chalicelib.platform.errors import (
    AlreadyImpersonating,
    ImpersonationRefused,
    NotFound,
    NotImpersonating,
    PortalError,
    SessionExpired,
)
from chalicelib.platform.logs import logger
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.templating import us_datetime
from chalicelib.providers import service as providers

if TYPE_CHECKING:
    from chalicelib.accounts.service import AccountService
    from chalicelib.emails.store import OutboxMessageModel
    from chalicelib.platform.clock import Clock
    from chalicelib.platform.config import Settings


@dataclass(frozen=True)
class ViewCandidate:
    """Whom a username names, once the actor may view as it: what the page shows before "View as this user"."""

    username: str
    office: str
    administrator: bool


@dataclass(frozen=True)
class NewImpersonation:
    token: str
    username: str
    office: str
    actor: str
    started_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class EndedImpersonation:
    username: str
    actor: str
    actor_role: Role
    started_at: datetime
    ended_at: datetime
    minutes: int
    reason: str


class ImpersonationService:
    def __init__(self, settings: Settings, accounts: AccountService, *, clock: Clock) -> None:
        self._settings = settings
        self._accounts = accounts
        self._clock = clock
        self._sessions = SessionPolicy.from_settings(settings)

    # Starting

    def candidate(self, actor: Principal, username: str) -> ViewCandidate:
        """The user ``username`` names when ``actor`` may view as it; else the refusal ``start`` would give."""
        user = self._viewable(actor, username)
        grant = office_users.grant_of(user)
        return ViewCandidate(user.username, self._office(user), bool(grant and grant.administrator))

    def may_view_as(self, actor: Principal, username: str) -> bool:
        """Whether ``start`` would let ``actor`` view as ``username`` now (the "View as this user" button)."""
        if actor.impersonation is not None:
            return False
        try:
            self._viewable(actor, username)
        except PortalError:
            return False
        return True

    def start(self, actor: Principal, username: str) -> NewImpersonation:
        """A new view of the portal as ``username``: its session token, for the actor's browser or client to use
        instead of its own (kept, and used again after). Refused, nothing written: while viewing (409), for whom the
        rules refuse (403 naming why, 404 for another office's user)."""
        if actor.impersonation is not None:
            raise AlreadyImpersonating()
        user = self._viewable(actor, username)
        access = self._accounts.acting_principal(user.username)
        if access is None:
            raise NotFound(fields={"username": rules.NOT_VIEWABLE})
        now = self._clock()
        expires_at = rules.view_ends_at(now, actor.session_ends_at)
        token = rules.TOKEN_PREFIX + new_token()
        office = self._office(user)
        notice = self._notice(user, actor.username, actor.is_plan_staff, now, expires_at, now, send_at=expires_at)
        row = ImpersonationModel(
            token_hash=impersonation_key(fingerprint(token)), username=user.username, role=user.role,
            provider_type=access.provider_type, provider_ids=list(access.provider_ids), tax_ids=list(access.tax_ids),
            states=list(access.states), home_provider_id=access.home_provider_id, office=office,
            actor=actor.username, actor_role=actor.role.value, actor_session=actor.session_id, created_at=now,
            expires_at=expires_at, notice_id=notice.message_id, ttl=expires_at,
        )
        self._write_start(row, notice, now)
        trail.record(actor, AuditEntry(account_subject(user.username), AuditAction.IMPERSONATION_STARTED,
                                       user.provider_id, f"viewing as {user.username} ({office}), read-only, until "
                                       f"{expires_at.isoformat()}"), now)
        logger.info("impersonation started", extra={"username": user.username, "by": actor.username})
        metrics.count("ImpersonationStarted")
        return NewImpersonation(token, user.username, office, actor.username, now, expires_at)

    def _viewable(self, actor: Principal, username: str) -> AccountModel:
        """The user's account, when the actor (as its account is now) may view as it; else the rules' refusal."""
        actor_account = office_users.account_or_none(actor.username)
        if actor_account is None:
            raise SessionExpired()
        actor_party = self._party(actor_account, actor.permissions)
        refused = rules.actor_refusal(actor_party)
        if refused is not None:
            raise refused
        user = office_users.account_or_none(username)
        if user is None:
            raise NotFound(fields={"username": rules.NOT_VIEWABLE})
        refused = rules.refusal(actor_party, self._party(user))
        if refused is not None:
            raise refused
        if not self._has_second_factor(user.username):
            raise ImpersonationRefused(rules.NO_SECOND_FACTOR)
        return user

    def _write_start(self, row: ImpersonationModel, notice: OutboxMessageModel, now: datetime) -> None:
        """The view, its actor's marker (one view at a time) and the notice, in one transaction. A marker left by a
        view that ended without its End (the user's sessions were ended under it) is taken over."""
        marker = ImpersonatorModel(token_hash=impersonator_key(row.actor), impersonation=row.token_hash,
                                   expires_at=row.expires_at, ttl=row.expires_at)
        free = ImpersonatorModel.token_hash.does_not_exist() | (ImpersonatorModel.expires_at <= now)
        for _ in range(2):
            try:
                with transaction() as writes:
                    writes.save(row, condition=ImpersonationModel.token_hash.does_not_exist())
                    writes.save(marker, condition=free)
                    writes.save(notice)
                return
            except TransactionCancelled as error:
                if not [*cancelled_by_condition(error), False, False][1]:
                    raise
            stale = self._stale_marker(row.actor)
            if stale is None:
                raise AlreadyImpersonating()
            free = ImpersonatorModel.impersonation == stale
        raise AlreadyImpersonating()

    @staticmethod
    def _stale_marker(actor: str) -> str | None:
        """The view the actor's marker names, when that view is gone: the marker may be taken over."""
        try:
            marker = ImpersonatorModel.get(impersonator_key(actor))
        except Missing:
            return None
        try:
            ImpersonationModel.get(marker.impersonation)
        except Missing:
            return marker.impersonation
        return None

    # Each request of the view

    def authenticate(self, token: str) -> Principal:
        """The view's principal: the user's providers, its permissions now minus plan staff's, and who views. A view
        past its end, or whose actor may no longer view as the user, ends here (SESSION_EXPIRED)."""
        now = self._clock()
        try:
            row = ImpersonationModel.get(impersonation_key(fingerprint(token)))
        except Missing:
            raise SessionExpired() from None
        if now >= row.expires_at:
            self._close(row, now, "the time limit was reached")
            raise SessionExpired()
        user = office_users.account_or_none(row.username)
        actor = office_users.account_or_none(row.actor)
        lost = self._lost(row, user, actor, now)
        if lost is not None or user is None:
            self._close(row, now, lost or "the user's account is gone")
            raise SessionExpired()
        return self._principal(row, rules.view_permissions(self._accounts.permissions_of(user)), user)

    def _lost(self, row: ImpersonationModel, user: AccountModel | None, actor: AccountModel | None,
              now: datetime) -> str | None:
        """Why the view may not go on (None: it may). The actor's own session is kept alive by its activity here."""
        if user is None or actor is None:
            return "an account is gone"
        if any(account.password_changed_at is not None and account.password_changed_at > row.created_at
               for account in (user, actor)):
            return "a password changed"
        if rules.refusal(self._party(actor), self._party(user)) is not None:
            return "the right to view as the user ended"
        try:
            own = SessionModel.get(row.actor_session)
        except Missing:
            return "the actor's own session ended"
        if self._sessions.is_over(own.last_seen_at, own.expires_at, now):
            return "the actor's own session ended"
        if self._sessions.should_touch(own.last_seen_at, now):
            try:
                own.update(actions=[SessionModel.last_seen_at.set(now)], condition=SessionModel.token_hash.exists())
            except WriteFailed as error:
                if not condition_failed(error):
                    raise
                return "the actor's own session ended"
        return None

    # Ending

    def end(self, principal: Principal) -> EndedImpersonation:
        """End the view this session is (End, or logging out of it): the end's audit record, the user's notice."""
        if principal.impersonation is None:
            raise NotImpersonating()
        try:
            row = ImpersonationModel.get(principal.session_id)
        except Missing:
            raise SessionExpired() from None
        ended = self._close(row, self._clock(), f"ended by {row.actor}")
        if ended is None:
            raise SessionExpired()
        return ended

    def _close(self, row: ImpersonationModel, now: datetime, reason: str) -> EndedImpersonation | None:
        """The view's one end: deleted on a condition (None: another request ended it first, nothing more is done),
        then its audit record and the notice with the real times."""
        ended_at = min(now, row.expires_at)
        user = office_users.account_or_none(row.username)
        plan_staff = row.actor_role == Role.PLAN_STAFF.value
        notice = self._notice(user, row.actor, plan_staff, row.created_at, ended_at, now,
                              message_id=row.notice_id) if user is not None else None
        try:
            with transaction() as writes:
                writes.delete(row, condition=ImpersonationModel.token_hash.exists())
                if notice is not None:
                    writes.save(notice)
        except TransactionCancelled as error:
            if [*cancelled_by_condition(error), False][0]:
                return None
            raise
        self._release_marker(row)
        minutes = rules.minutes_between(row.created_at, ended_at)
        trail.record(self._principal(row, frozenset(), user), AuditEntry(
            account_subject(row.username), AuditAction.IMPERSONATION_ENDED, row.home_provider_id,
            f"viewed as {row.username} by {row.actor} for {rules.duration_words(minutes)}; {reason}"), now)
        if notice is not None:
            outbox.publish([notice], now)
        logger.info("impersonation ended", extra={"username": row.username, "by": row.actor, "minutes": minutes})
        return EndedImpersonation(row.username, row.actor, Role(row.actor_role), row.created_at, ended_at, minutes,
                                  reason)

    @staticmethod
    def _release_marker(row: ImpersonationModel) -> None:
        try:
            ImpersonatorModel(token_hash=impersonator_key(row.actor)).delete(
                condition=ImpersonatorModel.impersonation == row.token_hash)
        except WriteFailed as error:
            if not condition_failed(error):  # a later view's marker: it is not this one's to remove
                raise

    # Shared steps

    def _party(self, account: AccountModel, permissions: frozenset[Permission] | None = None) -> rules.Party:
        grant = office_users.grant_of(account)
        return rules.Party(
            username=account.username, plan_staff=account.role == Role.PLAN_STAFF.value,
            active=account.status == AccountStatus.ACTIVE.value, tax_id=account.tax_id,
            administrator=bool(grant and grant.administrator and not account.approval),
            permissions=self._accounts.permissions_of(account) if permissions is None else permissions,
        )

    @staticmethod
    def _principal(row: ImpersonationModel, permissions: frozenset[Permission], user: AccountModel | None) -> Principal:
        return Principal(
            username=row.username, role=Role(row.role), provider_type=row.provider_type,
            provider_ids=tuple(row.provider_ids or ()), tax_ids=tuple(row.tax_ids or ()),
            states=tuple(row.states or ()), home_provider_id=row.home_provider_id, session_id=row.token_hash,
            session_ends_at=row.expires_at, session_hard_expiry=row.expires_at, permissions=permissions,
            account_since=user.created_at if user is not None else None,
            awaiting=user.approval if user is not None else None,
            acting_tax_id=user.tax_id if user is not None else None,
            impersonation=Impersonation(row.actor, Role(row.actor_role), row.office, row.created_at),
        )

    @staticmethod
    def _has_second_factor(username: str) -> bool:
        try:
            return MfaModel.get(mfa_key(username)).enrolled_at is not None
        except Missing:
            return False

    @staticmethod
    def _office(user: AccountModel) -> str:
        provider = providers.find(user.provider_id) if user.provider_id else None
        name = provider.display_name if provider is not None else user.provider_id or "no provider"
        return f"{name}, Tax ID {user.tax_id}" if user.tax_id else name

    def _notice(self, user: AccountModel, actor: str, plan_staff: bool, started_at: datetime, ended_at: datetime,
                now: datetime, *, send_at: datetime | None = None, message_id: str | None = None
                ) -> OutboxMessageModel:
        """The user's email notice: who viewed as it, from when to when, for how long (no PHI)."""
        return outbox.new_email(EmailTemplate.IMPERSONATION_NOTICE, user.email, {
            "username": user.username, "actor": actor, "viewer": rules.viewer_words(plan_staff),
            "started": us_datetime(started_at), "ended": us_datetime(ended_at),
            "duration": rules.duration_words(rules.minutes_between(started_at, ended_at)),
            "link": f"{self._settings.portal_url}/login",
        }, now, send_at=send_at, message_id=message_id)
