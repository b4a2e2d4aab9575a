"""Provider accounts: registration, activation, login, sessions, password reset.

Invariants are held by DynamoDB, not by reading then writing: a username and an
email are claimed in one transaction; a one-time token is spent by a conditional
delete in the same transaction as its effect; a login attempt is *claimed* with a
conditional counter update before the password is checked, so parallel guesses
cannot get past the lockout threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from chalicelib.accounts.enums import AccountStatus, TokenPurpose
from chalicelib.accounts.passwords import SecretHasher, normalize_security_answer, password_problems, secret_hasher
from chalicelib.accounts.policies import LockoutPolicy, ResetEmailLimit, SessionPolicy
from chalicelib.accounts.registration import SECURITY_QUESTIONS, ClaimedProvider, matches_directory
from chalicelib.accounts.store import (
    AccountModel,
    EmailClaimModel,
    OneTimeTokenModel,
    SessionModel,
    account_key,
    email_key,
    normalize_username,
)
from chalicelib.accounts.tokens import fingerprint, new_token
from chalicelib.emails import outbox
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform import metrics
from chalicelib.platform.access import Principal, Role
from chalicelib.platform.clock import Clock
from chalicelib.platform.config import Settings
from chalicelib.platform.dynamo.writes import (
    Missing,
    TransactionCancelled,
    WriteFailed,
    cancelled_by_condition,
    condition_failed,
    transaction,
)
from chalicelib.platform.errors import (
    AccountLocked,
    AlreadyRegistered,
    InvalidCredentials,
    InvalidToken,
    NotActivated,
    ProviderNotFound,
    SessionExpired,
    ValidationFailed,
)
from chalicelib.platform.logs import logger
from chalicelib.providers import service as providers
from chalicelib.providers.enums import ProviderType

if TYPE_CHECKING:
    from chalicelib.emails.store import OutboxMessageModel
    from chalicelib.providers.service import Provider


@dataclass(frozen=True)
class Registration:
    provider: ClaimedProvider
    accept_agreement: bool
    username: str
    password: str
    email: str
    security_question: str
    security_answer: str


@dataclass(frozen=True)
class NewSession:
    token: str
    ends_at: datetime
    hard_expiry: datetime


@dataclass(frozen=True)
class ProviderSummary:
    provider_id: str
    provider_type: str
    name: str
    tax_id: str
    state: str


@dataclass(frozen=True)
class Access:
    provider_ids: tuple[str, ...]
    tax_ids: tuple[str, ...]
    states: tuple[str, ...]


@dataclass(frozen=True)
class AccountProfile:
    username: str
    email: str
    role: Role
    provider_type: str | None
    registered_provider_id: str | None
    providers: tuple[ProviderSummary, ...]


class AccountService:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock,
        hasher: SecretHasher | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._hasher = hasher or secret_hasher()
        self._lockout = LockoutPolicy.from_settings(settings)
        self._sessions = SessionPolicy.from_settings(settings)
        self._reset_limit = ResetEmailLimit(settings.reset_emails_per_hour)

    # Registration and activation

    def register(self, registration: Registration) -> None:
        self._check_registration_fields(registration)
        provider = self._matching_provider(registration.provider)
        now = self._clock()
        account = AccountModel(
            pk=account_key(registration.username),
            username=registration.username.strip(),
            email=registration.email.strip(),
            role=Role.PROVIDER_USER.value,
            status=AccountStatus.PENDING_ACTIVATION.value,
            provider_type=provider.provider_type,
            provider_id=provider.provider_id,
            tax_id=provider.tax_id,
            state=provider.state,
            password_hash=self._hasher.hash(registration.password),
            security_question=registration.security_question,
            security_answer_hash=self._hasher.hash(normalize_security_answer(registration.security_answer)),
            agreement_accepted_at=now,
            created_at=now,
        )
        email_claim = EmailClaimModel(pk=email_key(registration.email), username=account.username)
        token, token_row = self._one_time_token(TokenPurpose.ACTIVATION, account, now)
        message = self._link_email(EmailTemplate.ACTIVATION, account, "/activate", token, now)
        try:
            with transaction() as writes:
                writes.save(account, condition=AccountModel.pk.does_not_exist())
                writes.save(email_claim, condition=EmailClaimModel.pk.does_not_exist())
                writes.save(token_row)
                writes.save(message)
        except TransactionCancelled as error:
            raise self._registration_conflict(error) from error
        logger.info("account registered", extra={"username": account.username, "provider_id": provider.provider_id})
        metrics.count("AccountRegistered")
        outbox.publish([message])

    def _check_registration_fields(self, registration: Registration) -> None:
        fields: dict[str, str] = {}
        claimed = registration.provider
        if claimed.provider_type == ProviderType.GROUP and not claimed.group_name.strip():
            fields["groupName"] = "is required for a Group"
        if claimed.provider_type == ProviderType.PRACTITIONER:
            for name, value in (("firstName", claimed.first_name), ("lastName", claimed.last_name)):
                if not value.strip():
                    fields[name] = "is required for a Practitioner"
        if not registration.accept_agreement:
            fields["acceptAgreement"] = "the Provider Agreement must be accepted"
        if registration.security_question not in SECURITY_QUESTIONS:
            fields["securityQuestion"] = "must be one of the questions listed at GET /auth/security-questions"
        if len(normalize_security_answer(registration.security_answer)) < 3:
            fields["securityAnswer"] = "must be at least 3 characters"
        problems = password_problems(
            registration.password, username=registration.username, email=registration.email,
            context=(self._settings.plan_name, f"{claimed.first_name} {claimed.last_name}", claimed.group_name),
        )
        if problems:
            fields["password"] = "; ".join(problems)
        if fields:
            raise ValidationFailed(fields=fields)

    def _matching_provider(self, claimed: ClaimedProvider) -> Provider:
        not_found = ProviderNotFound(
            "The provider does not exist in the Provider Portal with the details entered. They must match "
            "your Explanation of Benefits or welcome letter exactly. For help call "
            f"{self._settings.help_line_medicaid} (Medicaid) or {self._settings.help_line_marketplace} "
            "(Marketplace)."
        )
        provider = providers.find(claimed.provider_id.strip())
        if provider is None or not matches_directory(provider, claimed):
            raise not_found
        return provider

    @staticmethod
    def _registration_conflict(error: TransactionCancelled) -> Exception:
        taken = {
            field
            for field, refused in zip(("username", "email"), cancelled_by_condition(error), strict=False)
            if refused
        }
        if not taken:
            raise error
        return AlreadyRegistered(fields={field: "already has an account" for field in sorted(taken)})

    def activate(self, token: str) -> None:
        now = self._clock()
        token_row = self._live_token(token, TokenPurpose.ACTIVATION, now)
        account = self._account_or_none(token_row.username)
        if account is None:
            raise InvalidToken()
        message = outbox.new_email(
            EmailTemplate.EMAIL_VERIFIED,
            account.email,
            {"username": account.username, "link": self._settings.portal_url + "/"},
            now,
        )
        try:
            with transaction() as writes:
                writes.delete(token_row, condition=OneTimeTokenModel.token_hash.exists())
                writes.update(
                    account,
                    actions=[
                        AccountModel.status.set(AccountStatus.ACTIVE.value),
                        AccountModel.activated_at.set(now),
                    ],
                    condition=AccountModel.status == AccountStatus.PENDING_ACTIVATION.value,
                )
                writes.save(message)
        except TransactionCancelled:
            raise InvalidToken() from None
        logger.info("account activated", extra={"username": account.username})
        outbox.publish([message])

    def resend_activation(self, username: str) -> None:
        """Send a fresh activation link to a pending account; says nothing either way."""
        self._email_one_time_link(
            username, AccountStatus.PENDING_ACTIVATION, TokenPurpose.ACTIVATION, EmailTemplate.ACTIVATION, "/activate"
        )

    # Login and sessions

    def login(self, username: str, password: str) -> NewSession:
        now = self._clock()
        account = self._claim_login_attempt(username, now)
        if account is None:
            self._hasher.burn_equal_time(password)
            raise InvalidCredentials()
        if not self._hasher.verify(account.password_hash, password):
            logger.info("login failed", extra={"username": account.username, "failed_logins": account.failed_logins})
            metrics.count("LoginFailed")
            if account.failed_logins >= self._lockout.threshold:
                metrics.count("AccountLocked")
                raise AccountLocked()
            raise InvalidCredentials()
        if account.status != AccountStatus.ACTIVE.value:
            account.update(actions=[AccountModel.failed_logins.set(0)])
            raise NotActivated()
        token = new_token()
        hard_expiry = self._sessions.hard_expiry(now)
        access = self._access(account)
        session = SessionModel(
            token_hash=fingerprint(token),
            username=account.username,
            role=account.role,
            provider_type=account.provider_type,
            provider_ids=list(access.provider_ids),
            tax_ids=list(access.tax_ids),
            states=list(access.states),
            home_provider_id=account.provider_id,
            created_at=now,
            last_seen_at=now,
            expires_at=hard_expiry,
            ttl=hard_expiry,
        )
        account_actions = [AccountModel.failed_logins.set(0), AccountModel.last_login_at.set(now)]
        if self._hasher.needs_rehash(account.password_hash):
            account_actions.append(AccountModel.password_hash.set(self._hasher.hash(password)))
        with transaction() as writes:
            writes.save(session)
            writes.update(account, actions=account_actions)
        logger.info("login succeeded", extra={"username": account.username})
        metrics.count("LoginSucceeded")
        return NewSession(token=token, ends_at=self._sessions.ends_at(now, hard_expiry), hard_expiry=hard_expiry)

    def _claim_login_attempt(self, username: str, now: datetime) -> AccountModel | None:
        """Count the attempt before checking the password; None when the account does not exist.

        Raises AccountLocked when the threshold is reached and the lock has not lapsed.
        """
        if not username.strip():
            return None
        account = AccountModel(pk=account_key(username))
        try:
            account.update(
                actions=[AccountModel.failed_logins.add(1), AccountModel.last_login_attempt_at.set(now)],
                condition=AccountModel.pk.exists()
                & (
                    AccountModel.failed_logins.does_not_exist()
                    | (AccountModel.failed_logins < self._lockout.threshold)
                ),
            )
            return account
        except WriteFailed as error:
            if not condition_failed(error):
                raise
        try:
            account.update(
                actions=[AccountModel.failed_logins.set(1), AccountModel.last_login_attempt_at.set(now)],
                condition=AccountModel.pk.exists()
                & (AccountModel.last_login_attempt_at <= self._lockout.unlock_cutoff(now)),
            )
            return account
        except WriteFailed as error:
            if not condition_failed(error):
                raise
        existing = self._account_or_none(username)
        if existing is None:
            return None
        logger.info("login refused: account locked", extra={"username": existing.username})
        raise AccountLocked()

    @classmethod
    def _access(cls, account: AccountModel) -> Access:
        """Whom the account acts for, as a login gives its session: a practitioner its own provider, a group
        every provider of its Tax ID, and the states those providers practise in."""
        provider_ids, tax_ids = cls._acting_provider_ids(account), cls._acting_tax_ids(account)
        states = sorted({p.state for p in providers.acted_for(provider_ids, tax_ids)})
        return Access(tuple(provider_ids), tuple(tax_ids), tuple(states))

    def acting_principal(self, username: str) -> Principal | None:
        """The principal the account has now, as a fresh login would give it, for work done later in its name
        (an uploaded file's claims and rows): None when the account is gone or not active. Built from the
        account, not kept from the upload's session, so access the account lost meanwhile is not used."""
        account = self._account_or_none(username)
        if account is None or account.status != AccountStatus.ACTIVE.value:
            return None
        access = self._access(account)
        now = self._clock()
        return Principal(
            username=account.username, role=Role(account.role), provider_type=account.provider_type,
            provider_ids=access.provider_ids, tax_ids=access.tax_ids, states=access.states,
            home_provider_id=account.provider_id, session_id="", session_ends_at=now, session_hard_expiry=now,
        )

    @staticmethod
    def _acting_provider_ids(account: AccountModel) -> list[str]:
        if account.provider_type == ProviderType.PRACTITIONER.value and account.provider_id:
            return [account.provider_id]
        return []

    @staticmethod
    def _acting_tax_ids(account: AccountModel) -> list[str]:
        if account.provider_type == ProviderType.GROUP.value and account.tax_id:
            return [account.tax_id]
        return []

    def authenticate(self, token: str) -> Principal:
        now = self._clock()
        try:
            session = SessionModel.get(fingerprint(token))
        except Missing:
            raise SessionExpired() from None
        if self._sessions.is_over(session.last_seen_at, session.expires_at, now) or self._outlived_a_reset(session):
            self._forget_session(session)
            raise SessionExpired()
        last_seen = session.last_seen_at
        if self._sessions.should_touch(last_seen, now):
            try:
                session.update(
                    actions=[SessionModel.last_seen_at.set(now)], condition=SessionModel.token_hash.exists()
                )
            except WriteFailed as error:
                if condition_failed(error):
                    raise SessionExpired() from None
                raise
            last_seen = now
        return Principal(
            username=session.username,
            role=Role(session.role),
            provider_type=session.provider_type,
            provider_ids=tuple(session.provider_ids or ()),
            tax_ids=tuple(session.tax_ids or ()),
            states=tuple(session.states or ()),
            home_provider_id=session.home_provider_id,
            session_id=session.token_hash,
            session_ends_at=self._sessions.ends_at(last_seen, session.expires_at),
            session_hard_expiry=session.expires_at,
        )

    def _outlived_a_reset(self, session: SessionModel) -> bool:
        """A session opened before the password last changed is over, even one the reset's (eventually
        consistent) username index did not show it when it ended the account's sessions."""
        account = self._account_or_none(session.username)
        if account is None:
            return True
        changed = account.password_changed_at
        return changed is not None and session.created_at < changed

    def logout(self, principal: Principal) -> None:
        SessionModel(token_hash=principal.session_id).delete()
        logger.info("logout", extra={"username": principal.username})

    @staticmethod
    def _forget_session(session: SessionModel) -> None:
        try:
            session.delete()
        except WriteFailed:
            logger.warning("expired session not deleted; TTL will remove it")

    def _end_all_sessions(self, username: str) -> int:
        keys = list(SessionModel.by_username.query(username))
        with SessionModel.batch_write() as batch:
            for session in keys:
                batch.delete(session)
        return len(keys)

    # Password reset

    def forgot_password(self, username: str) -> None:
        """Send a reset link to an active account; answers the same for unknown usernames."""
        self._email_one_time_link(
            username, AccountStatus.ACTIVE, TokenPurpose.PASSWORD_RESET, EmailTemplate.PASSWORD_RESET,
            "/reset-password",
        )

    def reset_password(self, token: str, password: str) -> None:
        now = self._clock()
        token_row = self._live_token(token, TokenPurpose.PASSWORD_RESET, now)
        account = self._account_or_none(token_row.username)
        if account is None or (
            account.password_changed_at is not None and token_row.created_at <= account.password_changed_at
        ):
            raise InvalidToken()
        problems = password_problems(password, username=account.username, email=account.email,
                                     context=self._password_context(account))
        if not problems and self._hasher.verify(account.password_hash, password):
            problems.append("must differ from the current password")
        if problems:
            raise ValidationFailed(fields={"password": "; ".join(problems)})
        try:
            with transaction() as writes:
                writes.delete(token_row, condition=OneTimeTokenModel.token_hash.exists())
                writes.update(
                    account,
                    actions=[
                        AccountModel.password_hash.set(self._hasher.hash(password)),
                        AccountModel.password_changed_at.set(now),
                        AccountModel.failed_logins.set(0),
                        AccountModel.last_login_attempt_at.remove(),
                    ],
                    condition=AccountModel.pk.exists(),
                )
        except TransactionCancelled:
            raise InvalidToken() from None
        ended = self._end_all_sessions(account.username)
        logger.info("password reset", extra={"username": account.username, "sessions_ended": ended})
        metrics.count("PasswordReset")

    def _password_context(self, account: AccountModel) -> tuple[str, ...]:
        """The plan's name and the names of the account's provider: guessable words for its password."""
        provider = providers.find(account.provider_id) if account.provider_id else None
        names = (f"{provider.first_name or ''} {provider.last_name or ''}", provider.group_name) if provider else ()
        return (self._settings.plan_name, *(name for name in names if name))

    def _take_email_allowance(self, account: AccountModel, now: datetime) -> bool:
        """Count one account email against the hourly limit; False when the limit is reached."""
        cutoff = self._reset_limit.window_cutoff(now)
        try:
            account.update(
                actions=[AccountModel.reset_emails_in_window.add(1)],
                condition=(AccountModel.reset_window_started_at > cutoff)
                & (AccountModel.reset_emails_in_window < self._reset_limit.per_hour),
            )
            return True
        except WriteFailed as error:
            if not condition_failed(error):
                raise
        try:
            account.update(
                actions=[
                    AccountModel.reset_window_started_at.set(now),
                    AccountModel.reset_emails_in_window.set(1),
                ],
                condition=AccountModel.reset_window_started_at.does_not_exist()
                | (AccountModel.reset_window_started_at <= cutoff),
            )
            return True
        except WriteFailed as error:
            if not condition_failed(error):
                raise
        return False

    # Profile

    def profile(self, principal: Principal) -> AccountProfile:
        account = self._account_or_none(principal.username)
        if account is None:
            raise SessionExpired()
        return AccountProfile(
            username=account.username,
            email=account.email,
            role=Role(account.role),
            provider_type=account.provider_type,
            registered_provider_id=account.provider_id,
            providers=tuple(self.providers_for(principal)),
        )

    def providers_for(self, principal: Principal) -> list[ProviderSummary]:
        return [
            ProviderSummary(p.provider_id, p.provider_type, p.display_name, p.tax_id, p.state)
            for p in providers.acted_for(principal.provider_ids, principal.tax_ids)
        ]

    def email_of(self, username: str) -> str | None:
        """Where the account's notices go (an export ready, a prior authorization's status)."""
        account = self._account_or_none(username)
        return account.email if account is not None else None

    # Shared steps

    @staticmethod
    def _account_or_none(username: str) -> AccountModel | None:
        if not normalize_username(username):
            return None
        try:
            return AccountModel.get(account_key(username))
        except Missing:
            return None

    def _one_time_token(
        self, purpose: TokenPurpose, account: AccountModel, now: datetime
    ) -> tuple[str, OneTimeTokenModel]:
        lifetime = (
            timedelta(hours=self._settings.activation_token_hours)
            if purpose == TokenPurpose.ACTIVATION
            else timedelta(minutes=self._settings.reset_token_minutes)
        )
        token = new_token()
        row = OneTimeTokenModel(
            token_hash=fingerprint(token),
            purpose=purpose.value,
            username=account.username,
            created_at=now,
            expires_at=now + lifetime,
            ttl=now + lifetime,
        )
        return token, row

    def _live_token(self, token: str, purpose: TokenPurpose, now: datetime) -> OneTimeTokenModel:
        try:
            row = OneTimeTokenModel.get(fingerprint(token))
        except Missing:
            raise InvalidToken() from None
        if row.purpose != purpose.value or row.expires_at <= now:
            raise InvalidToken()
        return row

    def _link_email(
        self, template: EmailTemplate, account: AccountModel, path: str, token: str, now: datetime
    ) -> OutboxMessageModel:
        link = f"{self._settings.portal_url}{path}?{urlencode({'token': token})}"
        return outbox.new_email(template, account.email, {"username": account.username, "link": link}, now)

    def _email_one_time_link(
        self, username: str, status: AccountStatus, purpose: TokenPurpose, template: EmailTemplate, path: str
    ) -> None:
        """Email a fresh one-time link to an account in ``status``, within the hourly limit; silent otherwise."""
        now = self._clock()
        account = self._account_or_none(username)
        if account is None or account.status != status.value:
            return
        if not self._take_email_allowance(account, now):
            logger.info("account email withheld: hourly limit", extra={"username": account.username,
                                                                        "purpose": purpose.value})
            return
        token, token_row = self._one_time_token(purpose, account, now)
        message = self._link_email(template, account, path, token, now)
        with transaction() as writes:
            writes.save(token_row)
            writes.save(message)
        outbox.publish([message])
        logger.info("account email queued", extra={"username": account.username, "purpose": purpose.value})



