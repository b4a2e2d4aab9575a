"""Plan support's Account Help desk: an account as support sees it on a caller's call, and what support does for it
(DECISIONS: verify the caller's security answer, unlock, resend the activation email; and reset a lost second
factor, ``MfaService.reset``).

Support helps providers: a plan-staff account is found only by a plan administrator, and answers 404 like a
username with no account otherwise. The security answer is never shown nor logged: a check says whether it matches.
Checks are counted per account (``answer#<username>`` in the throttle table, conditional writes, so parallel checks
cannot pass the limit): after 5 wrong ones in 24 hours the desk refuses further checks (429 TOO_MANY_ANSWER_CHECKS)
until the window lapses, so it cannot be used to guess. A check is claimed before the answer is compared, and a
right answer gives its claim back: the count is of wrong answers only. Every check, unlock, email and reset is
audited in the account's trail with who did it (never the answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.accounts import office_users
from chalicelib.accounts.administration import STATUS_WORDS
from chalicelib.accounts.enums import AccountStatus, UserStatus
from chalicelib.accounts.impersonation import helper_words
from chalicelib.accounts.passwords import normalize_security_answer
from chalicelib.accounts.policies import AnswerCheckLimit
from chalicelib.accounts.store import AccountModel, AttemptCounterModel, answer_check_key
from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction
from chalicelib.emails import outbox
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform.access import Principal, Role
from chalicelib.platform.dynamo.writes import Missing, WriteFailed, condition_failed
from chalicelib.platform.errors import (
    NoSecurityQuestion,
    NotFound,
    NotLocked,
    NotPendingActivation,
    PermissionRequired,
    TooManyAnswerChecks,
)
from chalicelib.platform.logs import logger
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.templating import us_datetime
from chalicelib.providers import service as providers

if TYPE_CHECKING:
    from chalicelib.accounts.mfa_service import MfaService
    from chalicelib.accounts.service import AccountService
    from chalicelib.platform.clock import Clock
    from chalicelib.platform.config import Settings

NO_ACCOUNT = "no account has this username"


@dataclass(frozen=True)
class AccountFacts:
    """What support sees of an account on a call: never its security answer or any hash."""

    username: str
    name: str | None
    """The registered provider's name (a practitioner's, or the group's); None for plan staff."""
    email: str
    role: Role
    provider_id: str | None
    provider_type: str | None
    tax_id: str | None
    status: UserStatus
    awaiting: str | None
    """What an activated account still waits for: its practice's confirmation or its administrator's approval."""
    locked: bool
    locked_until: datetime | None
    failed_logins: int
    last_login_at: datetime | None
    registered_at: datetime
    mfa_enrolled: bool
    security_question: str | None
    answer_checks_left: int


@dataclass(frozen=True)
class AnswerCheck:
    matches: bool
    checks_left: int


def desk_status(account: AccountModel) -> UserStatus:
    """The account's status on the desk: an account not activated yet is that first, whatever it will wait for."""
    if account.status == AccountStatus.PENDING_ACTIVATION.value:
        return UserStatus.PENDING_ACTIVATION
    return office_users.status_of(account)


class AccountHelp:
    def __init__(self, settings: Settings, accounts: AccountService, mfa: MfaService, *, clock: Clock) -> None:
        self._settings = settings
        self._accounts = accounts
        self._mfa = mfa
        self._clock = clock
        self._limit = AnswerCheckLimit()

    # Reading

    def facts(self, actor: Principal, username: str) -> AccountFacts:
        """The account by key, its provider, its second factor and its answer checks: four reads by key."""
        account = self._account(actor, username)
        provider = providers.find(account.provider_id) if account.provider_id else None
        until = self._accounts.locked_until(account)
        counter = self._counter(account.username)
        return AccountFacts(
            username=account.username, name=provider.display_name if provider is not None else None,
            email=account.email, role=Role(account.role), provider_id=account.provider_id,
            provider_type=account.provider_type, tax_id=account.tax_id, status=desk_status(account),
            awaiting=account.approval if account.status == AccountStatus.ACTIVE.value else None,
            locked=until is not None, locked_until=until, failed_logins=account.failed_logins or 0,
            last_login_at=account.last_login_at, registered_at=account.created_at,
            mfa_enrolled=self._mfa.enrolled(account.username), security_question=account.security_question,
            answer_checks_left=self._limit.checks_left(
                int(counter.hits or 0) if counter else 0, counter.window_started_at if counter else None,
                self._clock()),
        )

    # Acting

    def check_security_answer(self, actor: Principal, username: str, answer: str) -> AnswerCheck:
        """Whether ``answer`` is the account's security answer (compared as registration stored it: argon2id of the
        normalized answer). Refused, nothing compared, after 5 wrong answers in 24 hours."""
        account = self._account(actor, username)
        if not account.security_answer_hash:
            raise NoSecurityQuestion()
        now = self._clock()
        counter = self._claim_check(actor, account, now)
        matches = self._accounts.hasher.verify(account.security_answer_hash, normalize_security_answer(answer))
        if matches:
            self._give_back(counter)
        left = self._limit.checks_left(int(counter.hits or 0), counter.window_started_at, now)
        self._audit(actor, account, AuditAction.SECURITY_ANSWER_CHECKED, now,
                    "the answer matched" if matches else f"the answer did not match; {left} wrong checks left in 24 "
                    "hours")
        logger.info("security answer checked", extra={"username": account.username, "by": actor.username,
                                                      "matches": matches})
        return AnswerCheck(matches=matches, checks_left=left)

    def unlock(self, actor: Principal, username: str) -> AccountFacts:
        """The accounts service's unlock (the failed logins cleared), with the owner's email in its transaction."""
        account = self._account(actor, username)
        if self._accounts.locked_until(account) is None:
            raise NotLocked()
        now = self._clock()
        notice = outbox.new_email(EmailTemplate.ACCOUNT_UNLOCKED, account.email, {
            "username": account.username, "by": helper_words(actor.username, plan_staff=True),
            "link": f"{self._settings.portal_url}/login"}, now)
        still_locked = AccountModel.failed_logins >= self._settings.lockout_threshold
        if not self._accounts.clear_lockout(account, condition=still_locked, notice=notice):
            raise NotLocked()  # it lapsed, or another unlock came first
        self._audit(actor, account, AuditAction.USER_UNLOCKED, now,
                    "by plan support: failed logins cleared; the owner was emailed")
        return self.facts(actor, account.username)

    def resend_activation(self, actor: Principal, username: str) -> None:
        """A fresh activation link to the account's own address (the account's hourly email limit applies)."""
        account = self._account(actor, username)
        status = desk_status(account)
        if status != UserStatus.PENDING_ACTIVATION:
            raise NotPendingActivation(f"{NotPendingActivation.default_message} The account is "
                                       f"{STATUS_WORDS[status].lower()}.", {"status": status.value})
        self._accounts.resend_activation(account.username)
        self._audit(actor, account, AuditAction.ACTIVATION_EMAIL_RESENT, self._clock(),
                    "to the account's own email address")

    def reset_second_factor(self, actor: Principal, username: str) -> None:
        """``MfaService.reset`` (audited there, the owner emailed), for an account the desk finds."""
        account = self._account(actor, username)
        self._mfa.reset(actor, account.username)

    # Shared steps

    @staticmethod
    def _account(actor: Principal, username: str) -> AccountModel:
        if not actor.is_plan_staff or not actor.has(Permission.SUPPORT):
            raise PermissionRequired(Permission.SUPPORT.value, Permission.SUPPORT.words)
        account = office_users.account_or_none(username)
        if account is None or (account.role == Role.PLAN_STAFF.value and not actor.has(Permission.PLAN_ADMIN)):
            raise NotFound(fields={"username": NO_ACCOUNT})
        return account

    @staticmethod
    def _counter(username: str) -> AttemptCounterModel | None:
        try:
            return AttemptCounterModel.get(answer_check_key(username))
        except Missing:
            return None

    def _claim_check(self, actor: Principal, account: AccountModel, now: datetime) -> AttemptCounterModel:
        """One more check in the open window (under the limit), or the first of a new window; else refused."""
        counter = AttemptCounterModel(counter_key=answer_check_key(account.username))
        cutoff = self._limit.window_cutoff(now)
        model = AttemptCounterModel
        for actions, condition in (
            ([model.hits.add(1)], (model.window_started_at > cutoff) & (model.hits < self._limit.wrong)),
            ([model.hits.set(1), model.window_started_at.set(now), model.ttl.set(now + self._limit.window)],
             model.window_started_at.does_not_exist() | (model.window_started_at <= cutoff)),
        ):
            try:
                counter.update(actions=actions, condition=condition)
                return counter
            except WriteFailed as error:
                if not condition_failed(error):
                    raise
        opened = self._counter(account.username)
        until = self._limit.open_until(opened.window_started_at) if opened and opened.window_started_at else now
        self._audit(actor, account, AuditAction.SECURITY_ANSWER_CHECKED, now,
                    f"refused, nothing compared: {self._limit.wrong} wrong answers in 24 hours")
        raise TooManyAnswerChecks(fields={"answer": f"{self._limit.wrong} wrong answers in 24 hours: no more checks "
                                                    f"until {us_datetime(until)}"},
                                  retry_after_seconds=max(1, int((until - now).total_seconds())))

    @staticmethod
    def _give_back(counter: AttemptCounterModel) -> None:
        try:
            counter.update(actions=[AttemptCounterModel.hits.add(-1)], condition=AttemptCounterModel.hits > 0)
        except WriteFailed as error:
            if not condition_failed(error):
                raise

    @staticmethod
    def _audit(actor: Principal, account: AccountModel, action: AuditAction, now: datetime, detail: str) -> None:
        trail.record_account_event(actor.username, actor.role.value, account.username, action, now, detail=detail)
