"""Provider accounts: registration, activation, login, sessions, password reset.

Invariants are held by DynamoDB, not by reading then writing: a username and an
email are claimed in one transaction; a one-time token is spent by a conditional
delete in the same transaction as its effect; a login attempt is *claimed* with a
conditional counter update before the password is checked, so parallel guesses
cannot get past the lockout threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from chalicelib.accounts import approval, linking, office_users, sign_ins
from chalicelib.accounts.enums import AccountEmail, AccountStatus, DeactivationReason, TokenPurpose
from chalicelib.accounts.grants import Grant, grants_version, staff_permissions
from chalicelib.accounts.office_users import stored_links
from chalicelib.accounts.passwords import SecretHasher, normalize_security_answer, password_problems, secret_hasher
from chalicelib.accounts.policies import LockoutPolicy, RateLimit, ResetEmailLimit, SessionPolicy
from chalicelib.accounts.registration import (
    ClaimedProvider,
    claimed_provider_problems,
    matches_directory,
    security_problems,
)
from chalicelib.accounts.sign_ins import NO_CLIENT, ClientInfo
from chalicelib.accounts.store import (
    AccountModel,
    AttemptCounterModel,
    EmailClaimModel,
    OneTimeTokenModel,
    SessionModel,
    account_key,
    email_key,
    into_inactivity_index,
    normalize_username,
    rate_key,
    unknown_login_key,
)
from chalicelib.accounts.tokens import fingerprint, new_token
from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction
from chalicelib.emails import outbox
from chalicelib.emails.outbox import OutgoingEmail
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform import metrics
from chalicelib.platform.access import Principal, Role, TaxIdAccess
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
    LastAdministrator,
    LinkedUser,
    NotFound,
    PermissionRequired,
    PermissionsChanged,
    ProviderNotFound,
    SessionExpired,
    TooManyRequests,
    ValidationFailed,
)
from chalicelib.platform.logs import logger
from chalicelib.platform.permissions import STAFF_PERMISSIONS, Permission
from chalicelib.providers import service as providers
from chalicelib.providers.enums import ProviderType

if TYPE_CHECKING:
    from chalicelib.emails.store import OutboxMessageModel
    from chalicelib.providers.service import Provider

UNKNOWN_LOGIN_MEMORY = timedelta(days=90)
"""How long failed logins of a username with no account are kept. An account keeps its count until a success or
a reset, so a shorter memory would let a slow guesser tell the two apart (4 failures, a long wait, a 5th)."""

LINK_EMAILS: dict[AccountEmail, tuple[AccountStatus, TokenPurpose, EmailTemplate, str]] = {
    AccountEmail.REGISTERED: (AccountStatus.PENDING_ACTIVATION, TokenPurpose.ACTIVATION, EmailTemplate.ACTIVATION,
                              "/activate"),
    AccountEmail.ACTIVATION: (AccountStatus.PENDING_ACTIVATION, TokenPurpose.ACTIVATION, EmailTemplate.ACTIVATION,
                              "/activate"),
    AccountEmail.PASSWORD_RESET: (AccountStatus.ACTIVE, TokenPurpose.PASSWORD_RESET, EmailTemplate.PASSWORD_RESET,
                                  "/reset-password"),
}
"""The emails that carry a one-time link: the status the account must be in, the token, the template, the page."""


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
    mfa_pending: bool = False


@dataclass(frozen=True)
class ProviderSummary:
    provider_id: str
    provider_type: str
    name: str
    tax_id: str
    state: str
    programs: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfficeAccount:
    username: str
    status: str
    created_at: datetime | None


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
        window = timedelta(seconds=settings.throttle_window_seconds)
        self._client_limit = RateLimit(settings.throttle_client_limit, window)
        self._username_limit = RateLimit(settings.throttle_username_limit, window)

    # Throttling of the unauthenticated routes

    def admit(self, client_address: str, username: str = "") -> None:
        """Count one request of an unauthenticated account route against its client address and, when it names
        one, its username: one conditional write each. TooManyRequests (429, Retry-After) past either limit;
        any username, known or not, is counted alike."""
        now = self._clock()
        if not self._counted("client", client_address or "unknown", self._client_limit, now):
            wait = self._client_limit.retry_after_seconds(now)
            logger.info("throttled: client address", extra={"retry_after": wait})
            raise TooManyRequests(f"Too many requests from your network address. Wait {wait} seconds and try "
                                  "again.", retry_after_seconds=wait)
        name = normalize_username(username)
        if name and not self._counted("username", name, self._username_limit, now):
            wait = self._username_limit.retry_after_seconds(now)
            logger.info("throttled: username", extra={"retry_after": wait})
            raise TooManyRequests(f"Too many attempts for this username. Wait {wait} seconds and try again.",
                                  fields={"username": f"too many attempts; try again in {wait} seconds"},
                                  retry_after_seconds=wait)

    @staticmethod
    def _counted(scope: str, subject: str, limit: RateLimit, now: datetime) -> bool:
        """One ADD to this window's counter, refused (False) once it holds ``limit``."""
        counter = AttemptCounterModel(counter_key=rate_key(scope, subject, limit.window_start(now)))
        try:
            counter.update(
                actions=[AttemptCounterModel.hits.add(1), AttemptCounterModel.ttl.set(limit.window_end(now))],
                condition=AttemptCounterModel.hits.does_not_exist() | (AttemptCounterModel.hits < limit.limit),
            )
        except WriteFailed as error:
            if condition_failed(error):
                return False
            raise
        return True

    # Registration and activation

    def register(self, registration: Registration, *, client_address: str) -> None:
        """Fields are checked before the request is counted (``admit``): a refused form costs no AWS call."""
        self._check_registration_fields(registration)
        self.admit(client_address, registration.username)
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
            **approval.registration_attributes(provider.tax_id, now),  # no permission until approved (approval.py)
        )
        email_claim = EmailClaimModel(pk=email_key(registration.email), username=account.username)
        message = outbox.new_account_email(AccountEmail.REGISTERED.value, now, username=account.username)
        try:
            with transaction() as writes:
                writes.save(account, condition=AccountModel.pk.does_not_exist())
                writes.save(email_claim, condition=EmailClaimModel.pk.does_not_exist())
                writes.save(message)
        except TransactionCancelled as error:
            self._registration_conflict(error)
            logger.info("registration with an email that has an account", extra={"provider_id": provider.provider_id})
            self._queue_account_email(AccountEmail.ALREADY_REGISTERED, now, email=registration.email.strip())
            return
        logger.info("account registered", extra={"username": account.username, "provider_id": provider.provider_id})
        metrics.count("AccountRegistered")
        outbox.publish([message])

    def _check_registration_fields(self, registration: Registration) -> None:
        claimed = registration.provider
        fields = claimed_provider_problems(claimed)
        if not registration.accept_agreement:
            fields["acceptAgreement"] = "the Provider Agreement must be accepted"
        fields.update(security_problems(registration.security_question,
                                        normalize_security_answer(registration.security_answer)))
        problems = password_problems(
            registration.password, username=registration.username, email=registration.email,
            context=(self._settings.plan_name, f"{claimed.first_name} {claimed.last_name}", claimed.group_name),
        )
        if problems:
            fields["password"] = "; ".join(problems)
        if fields:
            raise ValidationFailed(fields=fields)

    def matching_provider(self, claimed: ClaimedProvider) -> Provider:
        """The directory's provider for the facts a registration (or Account Linker) gives: its names checked first
        (400 naming each), then an exact match of every fact (404 PROVIDER_NOT_FOUND, the registration's answer)."""
        problems = claimed_provider_problems(claimed)
        if problems:
            raise ValidationFailed(fields=problems)
        return self._matching_provider(claimed)

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
    def _registration_conflict(error: TransactionCancelled) -> None:
        """A taken username is a 409 naming it (a person must pick another); a taken email alone answers like a
        new registration, and its owner is told by email (DECISIONS.md), so the address's use stays unseen."""
        username_taken, email_taken = [*cancelled_by_condition(error), False, False][:2]
        if username_taken:
            raise AlreadyRegistered(fields={"username": "already has an account"}) from error
        if not email_taken:
            raise error

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
        notices = approval.approval_notices(account, self._settings.portal_url, now)
        try:
            with transaction() as writes:
                writes.delete(token_row, condition=OneTimeTokenModel.token_hash.exists())
                writes.update(
                    account,
                    actions=[
                        AccountModel.status.set(AccountStatus.ACTIVE.value),
                        AccountModel.activated_at.set(now),
                        *self._activity(account, now),
                    ],
                    condition=AccountModel.status == AccountStatus.PENDING_ACTIVATION.value,
                )
                writes.save(message)
                for notice in notices:
                    writes.save(notice)
        except TransactionCancelled:
            raise InvalidToken() from None
        logger.info("account activated", extra={"username": account.username})
        outbox.publish([message, *notices])

    def resend_activation(self, username: str) -> None:
        """Queue a fresh activation link for the username; the same work whether or not it names a pending
        account (the email handler finds out, in ``account_email``)."""
        self._queue_account_email(AccountEmail.ACTIVATION, self._clock(), username=username.strip())

    # Login and sessions (the second factor's step between the two: chalicelib/accounts/mfa_service.py)

    def check_login(self, username: str, password: str, *, client: ClientInfo = NO_CLIENT) -> AccountModel:
        """A login's password step: the attempt is counted first (the lockout), then the password, then that the
        account is active. Its session is opened by ``open_session`` once the second factor allows it; until then
        the attempt stays counted, so a right password does not undo earlier failures of either step. ``client``:
        where the login came from, kept in the account's sign-in trail (a wrong password, a locked account)."""
        now = self._clock()
        account = self._claim_login_attempt(username, now, client)
        if account is None:
            self._hasher.burn_equal_time(password)
            self._unknown_username_failed(username, now)
            raise InvalidCredentials()
        if not self._hasher.verify(account.password_hash, password):
            logger.info("login failed", extra={"username": account.username, "failed_logins": account.failed_logins})
            metrics.count("LoginFailed")
            self._wrong_password(account, now, client, AuditAction.SIGN_IN_FAILED)
            raise InvalidCredentials()
        if account.status != AccountStatus.ACTIVE.value:
            account.update(actions=[AccountModel.failed_logins.set(0)])
            raise office_users.refusal_for(account, self._settings.inactive_days)
        if self._hasher.needs_rehash(account.password_hash):
            account.update(actions=[AccountModel.password_hash.set(self._hasher.hash(password))])
        return account

    def open_session(self, account: AccountModel, *, mfa_pending: bool = False,
                     client: ClientInfo = NO_CLIENT) -> NewSession:
        """The session of a login that passed its steps; ``mfa_pending``: the account has no second factor yet, so
        the session may only enrol one. Resets the failed-login count. ``client`` is kept on the session and in the
        account's sign-in trail."""
        now = self._clock()
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
            mfa_pending=True if mfa_pending else None,
            client_address=client.address or None,
            user_agent=client.user_agent or None,
        )
        with transaction() as writes:
            writes.save(session)
            writes.update(account, actions=[AccountModel.failed_logins.set(0), AccountModel.last_login_at.set(now),
                                            *self._activity(account, now)])
        logger.info("login succeeded", extra={"username": account.username, "mfa_pending": mfa_pending})
        metrics.count("LoginSucceeded")
        sign_ins.record(account.username, account.role, AuditAction.SIGNED_IN, client, now,
                        "the second factor is still to be set up" if mfa_pending else None)
        return NewSession(token=token, ends_at=self._sessions.ends_at(now, hard_expiry), hard_expiry=hard_expiry,
                          mfa_pending=mfa_pending)

    @staticmethod
    def _activity(account: AccountModel, now: datetime) -> list[Any]:
        """A provider account's use now (its activation, a login, a reset): its time without use starts again, in
        the update the step already makes (no AWS call of its own). Plan staff are never deactivated for it."""
        return [] if account.role == Role.PLAN_STAFF.value else into_inactivity_index(account.username, now)

    def _claim_login_attempt(self, username: str, now: datetime, client: ClientInfo = NO_CLIENT
                             ) -> AccountModel | None:
        """Count the attempt before checking the password; None when the account does not exist.

        Raises AccountLocked when the threshold is reached and the lock has not lapsed.
        """
        if not username.strip():
            return None
        account = AccountModel(pk=account_key(username))
        if self._count_attempt(account, now, only_if=AccountModel.pk.exists()):
            return account
        existing = self._account_or_none(username)
        if existing is None:
            return None
        logger.info("login refused: account locked", extra={"username": existing.username})
        sign_ins.record(existing.username, existing.role, AuditAction.SIGN_IN_LOCKED, client, now)
        raise AccountLocked()

    def _wrong_password(self, account: AccountModel, now: datetime, client: ClientInfo, action: AuditAction) -> None:
        """A counted attempt whose password was wrong: kept in the sign-in trail; AccountLocked (and the owner
        emailed) when this attempt reached the threshold (only one can)."""
        locks = account.failed_logins >= self._lockout.threshold
        sign_ins.record(account.username, account.role, action, client, now,
                        "wrong password; the account is locked now" if locks else "wrong password")
        if locks:
            metrics.count("AccountLocked")
            self._queue_account_email(AccountEmail.ACCOUNT_LOCKED, now, username=account.username)
            raise AccountLocked()

    def reauthenticate(self, username: str, password: str, *, client: ClientInfo = NO_CLIENT,
                       field: str = "currentPassword") -> AccountModel:
        """The current password a logged-in user gives for a change (My Account), counted as a login attempt is: a
        wrong one is 400 naming ``field`` and counts toward the lockout (the attempt that locks is 423 and emails
        the owner); a locked account is 423. Right: the count starts again."""
        now = self._clock()
        account = self._claim_login_attempt(username, now, client)
        if account is None:
            raise SessionExpired()
        if not self._hasher.verify(account.password_hash, password):
            logger.info("current password check failed", extra={"username": account.username})
            self._wrong_password(account, now, client, AuditAction.PASSWORD_CHECK_FAILED)
            raise ValidationFailed("The current password is not right.",
                                   {field: "does not match your account's password"})
        account.update(actions=[AccountModel.failed_logins.set(0)])
        return account

    @classmethod
    def _access(cls, account: AccountModel) -> Access:
        """Whom the account acts for, as a login gives its session: a practitioner its own provider, a group
        every provider of its Tax ID, and the states those providers practise in."""
        provider_ids, tax_ids = cls._acting_provider_ids(account), cls._acting_tax_ids(account)
        states = sorted({p.state for p in providers.acted_for(provider_ids, tax_ids)})
        return Access(tuple(provider_ids), tuple(tax_ids), tuple(states))

    def acting_principal(self, username: str, provider_id: str | None = None) -> Principal | None:
        """The principal the account has now, as a fresh login would give it, for work done later in its name
        (an uploaded file's claims and rows), acting in the Tax ID of ``provider_id`` (the file's provider) when it
        still acts for it: None when the account is gone or not active. Built from the account, not kept from the
        upload's session, so access the account lost meanwhile is not used."""
        account = self._account_or_none(username)
        if account is None or account.status != AccountStatus.ACTIVE.value:
            return None
        access = self._access(account)
        now = self._clock()
        return self._principal(account, access, account.provider_id, provider_id, Principal(
            username=account.username, role=Role(account.role), provider_type=account.provider_type,
            provider_ids=access.provider_ids, tax_ids=access.tax_ids, states=access.states,
            home_provider_id=account.provider_id, session_id="", session_ends_at=now, session_hard_expiry=now,
            awaiting=account.approval,
        ))

    def _unknown_username_failed(self, username: str, now: datetime) -> None:
        """Count a username with no account as its account would be counted (in the throttle table; no account
        is made), so after as many failures it answers "locked" too: no answer tells the two apart."""
        if not normalize_username(username):
            return
        counter = AttemptCounterModel(counter_key=unknown_login_key(username))
        counted = self._count_attempt(counter, now, also=[AttemptCounterModel.ttl.set(now + UNKNOWN_LOGIN_MEMORY)])
        if not counted or (counter.failed_logins or 0) >= self._lockout.threshold:
            raise AccountLocked()

    def _count_attempt(self, item: AccountModel | AttemptCounterModel, now: datetime, *, only_if: Any = None,
                       also: Sequence[Any] = ()) -> bool:
        """One more failed-login candidate on ``item``: False when it is locked (the threshold reached and the lock
        not lapsed). Conditional writes, so parallel guesses cannot get past the threshold."""
        model = type(item)
        below = model.failed_logins.does_not_exist() | (model.failed_logins < self._lockout.threshold)
        lapsed = model.last_login_attempt_at <= self._lockout.unlock_cutoff(now)
        for count, condition in ((model.failed_logins.add(1), below), (model.failed_logins.set(1), lapsed)):
            try:
                item.update(actions=[count, model.last_login_attempt_at.set(now), *also],
                            condition=condition if only_if is None else only_if & condition)
                return True
            except WriteFailed as error:
                if not condition_failed(error):
                    raise
        return False

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

    def authenticate(self, token: str, acting_provider_id: str | None = None) -> Principal:
        """The session's principal, acting in the Tax ID of ``acting_provider_id`` when the login acts for it (the
        provider selector's choice, an API request's ``providerId``), else in its own."""
        now = self._clock()
        try:
            session = SessionModel.get(fingerprint(token))
        except Missing:
            raise SessionExpired() from None
        account = None if self._sessions.is_over(session.last_seen_at, session.expires_at, now) \
            else self._account_of_session(session)
        if account is None:
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
        home = Access(tuple(session.provider_ids or ()), tuple(session.tax_ids or ()), tuple(session.states or ()))
        return self._principal(account, home, session.home_provider_id, acting_provider_id, Principal(
            username=session.username,
            role=Role(session.role),
            provider_type=session.provider_type,
            provider_ids=home.provider_ids,
            tax_ids=home.tax_ids,
            states=home.states,
            home_provider_id=session.home_provider_id,
            session_id=session.token_hash,
            session_ends_at=self._sessions.ends_at(last_seen, session.expires_at),
            session_hard_expiry=session.expires_at,
            account_since=account.created_at,
            awaiting=account.approval,
            mfa_pending=bool(session.mfa_pending),
        ))

    def _principal(self, account: AccountModel, home: Access, home_provider_id: str | None,
                   acting_provider_id: str | None, base: Principal) -> Principal:
        """``base`` acting in one Tax ID of the login: the one of ``acting_provider_id`` when the login acts for it
        (its own or a linked one), else its own; that Tax ID's providers, states and grant (Account Linker)."""
        if not account.tax_id or account.role == Role.PLAN_STAFF.value:
            return replace(base, permissions=self._permissions_of(account, None))
        own = TaxIdAccess(account.tax_id, home.provider_ids, bool(home.tax_ids), home.states, home_provider_id)
        units = linking.access_units(own, linking.entries(stored_links(account)))
        unit = self._acting_unit(units, acting_provider_id)
        return replace(
            base, provider_type=(ProviderType.GROUP if unit.whole else ProviderType.PRACTITIONER).value,
            provider_ids=unit.provider_ids, tax_ids=(unit.tax_id,) if unit.whole else (), states=unit.states,
            home_provider_id=unit.home_provider_id, permissions=self._permissions_of(account, unit.tax_id),
            acting_tax_id=unit.tax_id, acts_in=units)

    @staticmethod
    def _acting_unit(units: tuple[TaxIdAccess, ...], provider_id: str | None) -> TaxIdAccess:
        """The Tax ID a request naming ``provider_id`` acts in; its own when it names none or one not acted for. A
        login with no link never asks the directory; one with links may (a provider under a linked group)."""
        if not provider_id or len(units) == 1:
            return units[0]
        named = linking.naming(units, provider_id)
        if named is not None:
            return named
        provider = providers.find(provider_id)
        found = linking.covering(units, provider_id, provider.tax_id) if provider is not None else None
        return found or units[0]

    def _account_of_session(self, session: SessionModel) -> AccountModel | None:
        """The session's account as it is now (its permissions are read from it on every request, so a change
        counts on the next one); None when it is gone or no longer active (deactivated, closed: its open sessions stop
        at once), or the session was opened before the password last changed, even one the reset's (eventually
        consistent) username index did not show it when it ended the account's sessions (but for the session that
        changed it on My Account: ``password_kept_at``)."""
        account = self._account_or_none(session.username)
        if account is None or account.status != AccountStatus.ACTIVE.value:
            return None
        if account.sessions_ended_at is not None and session.created_at < account.sessions_ended_at:
            return None
        changed = account.password_changed_at
        valid_since = max(session.created_at, session.password_kept_at or session.created_at)
        return None if changed is not None and valid_since < changed else account

    @staticmethod
    def _grant(account: AccountModel, tax_id: str | None = None) -> Grant | None:
        """The account's grant on ``tax_id`` (its own Tax ID by default; a linked one's is stored, never defaulted)."""
        return office_users.grant_in(account, tax_id or account.tax_id)

    def permissions_of(self, account: AccountModel) -> frozenset[Permission]:
        """What the account may do now in its own Tax ID, as its sessions are given it there (an impersonation's
        too: a view as a user acts in the user's own Tax ID, never in one it linked)."""
        return self._permissions_of(account, None)

    def _permissions_of(self, account: AccountModel, tax_id: str | None) -> frozenset[Permission]:
        if account.role == Role.PLAN_STAFF.value:
            return staff_permissions(account.staff_permissions)
        grant = self._grant(account, tax_id)
        return grant.effective if grant is not None and not account.approval else frozenset()

    # Permissions

    def change_permissions(self, actor: Principal, username: str, permissions: frozenset[Permission], *,
                           administrator: bool | None = None, expected_version: str | None = None) -> None:
        """Give the account ``permissions`` (an office user: on its Tax ID; plan staff: staff permissions).

        An office's users are changed by its administrators and users with user administration; only an
        administrator makes or unmakes administrators, and a Tax ID never loses its last active administrator (the
        write is conditional on another one staying so, in the same transaction). Plan staff are changed by a plan
        administrator. Another office's user answers 404. The change counts on the account's next request.
        ``expected_version`` is ``grants_version`` of the grants the caller read (a form, a client): another one is
        PERMISSIONS_CHANGED, so an administrator never overwrites a change made since it looked.
        """
        account = self._account_or_none(username)
        if account is None:
            raise NotFound(fields={"username": "is not a user you administer"})
        if account.role == Role.PLAN_STAFF.value:
            if not actor.is_plan_staff:
                raise NotFound(fields={"username": "is not a user you administer"})
            self._change_staff_permissions(actor, account, permissions)
            return
        actor_grant = self._actor_grant(actor, account)
        tax_id = str(office_users.acting_tax_id(actor, account))
        grant = self._grant(account, tax_id) or Grant(frozenset())
        becomes = Grant(permissions, grant.administrator if administrator is None else administrator)
        if becomes.administrator != grant.administrator and not actor_grant.administrator:
            raise PermissionRequired("ADMINISTRATOR", "Provider Administrator")
        read = office_users.stored_grants(account)
        if expected_version is not None and grants_version(read) != expected_version:
            raise PermissionsChanged()
        unchanged = office_users.grants_unchanged(account)
        other = office_users.another_administrator(account, tax_id) \
            if grant.administrator and not becomes.administrator else None
        try:
            with transaction() as writes:
                writes.update(account, actions=[AccountModel.grants.set({**office_users.materialized_grants(account),
                                                                         tax_id: becomes.stored()})],
                              condition=AccountModel.pk.exists() & unchanged)
                if other is not None:
                    writes.condition_check(AccountModel, other.pk,
                                           condition=office_users.still_administrator(other, tax_id))
        except TransactionCancelled as error:
            if [*cancelled_by_condition(error), False][0]:
                raise PermissionsChanged() from None
            raise LastAdministrator() from None
        logger.info("permissions changed", extra={"username": account.username, "by": actor.username,
                                                  "administrator": becomes.administrator})

    def _actor_grant(self, actor: Principal, account: AccountModel) -> Grant:
        """The actor's grant on the Tax ID its request acts in, if the account is a user of it (its own or linked)
        and the actor may administer its users; else 404 (another office) or 403 (a user of the office without user
        administration)."""
        actor_account = None if actor.is_plan_staff else self._account_or_none(actor.username)
        tax_id = office_users.acting_tax_id(actor, actor_account) if actor_account is not None else None
        actor_grant = self._grant(actor_account, tax_id) if actor_account is not None and tax_id else None
        if actor_account is None or actor_grant is None or not tax_id or not office_users.member_of(
                actor_account, tax_id) or not office_users.member_of(account, tax_id):
            raise NotFound(fields={"username": "is not a user you administer"})
        if Permission.USER_ADMIN not in actor_grant.effective:
            raise PermissionRequired(Permission.USER_ADMIN.value, Permission.USER_ADMIN.words)
        return actor_grant

    def administered_account(self, actor: Principal, username: str) -> AccountModel:
        """The office user ``actor`` administers (its Tax ID's, with user administration): else 404 (another
        office's, or no such user) or 403 (without user administration; an administrator's account, for an actor
        who is not one)."""
        account = self._account_or_none(username)
        if account is None or account.role == Role.PLAN_STAFF.value:
            raise NotFound(fields={"username": "is not a user you administer"})
        actor_grant = self._actor_grant(actor, account)
        actor_account = self._account_or_none(actor.username)
        if actor_account is not None and office_users.is_linked(account, str(office_users.acting_tax_id(
                actor, actor_account))):
            raise LinkedUser()  # a user linked from another Tax ID: its account is that Tax ID's
        grant = self._grant(account)
        if grant is not None and grant.administrator and not actor_grant.administrator:
            raise PermissionRequired("ADMINISTRATOR", "Provider Administrator")
        return account

    def _change_staff_permissions(self, actor: Principal, account: AccountModel,
                                  permissions: frozenset[Permission]) -> None:
        if not actor.has(Permission.PLAN_ADMIN):
            raise PermissionRequired(Permission.PLAN_ADMIN.value, Permission.PLAN_ADMIN.words)
        stored = [permission.value for permission in sorted(permissions & STAFF_PERMISSIONS)]
        account.update(actions=[AccountModel.staff_permissions.set(stored)])
        logger.info("staff permissions changed", extra={"username": account.username, "by": actor.username})

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
        """Queue a reset link for the username; the same work whether or not it names an active account."""
        self._queue_account_email(AccountEmail.PASSWORD_RESET, self._clock(), username=username.strip())

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
        comes_back = office_users.deactivated_unused(account)
        actions = [AccountModel.password_hash.set(self._hasher.hash(password)),
                   AccountModel.password_changed_at.set(now), AccountModel.failed_logins.set(0),
                   AccountModel.last_login_attempt_at.remove()]
        condition = AccountModel.pk.exists()
        if comes_back:  # deactivated for going unused: the owner's reset brings it back (an administrator's stays)
            actions += [*office_users.reactivated(), *self._activity(account, now)]
            condition = (AccountModel.status == AccountStatus.DISABLED.value) \
                & (AccountModel.deactivated_reason == DeactivationReason.INACTIVITY.value)
        elif account.status == AccountStatus.ACTIVE.value:
            actions += self._activity(account, now)
        try:
            with transaction() as writes:
                writes.delete(token_row, condition=OneTimeTokenModel.token_hash.exists())
                writes.update(account, actions=actions, condition=condition)
                if comes_back:
                    trail.add_account_event(writes, account.username, account.role, account.username,
                                            AuditAction.USER_REACTIVATED_BY_RESET, now,
                                            f"taxId={account.tax_id}; its own password reset after "
                                            f"{self._settings.inactive_days} days without use")
        except TransactionCancelled:
            raise InvalidToken() from None
        ended = self._end_all_sessions(account.username)
        logger.info("password reset", extra={"username": account.username, "sessions_ended": ended,
                                             "reactivated": comes_back})
        metrics.count("PasswordReset")

    def _password_context(self, account: AccountModel) -> tuple[str, ...]:
        """The plan's name and the names of the account's provider: guessable words for its password."""
        provider = providers.find(account.provider_id) if account.provider_id else None
        names = (f"{provider.first_name or ''} {provider.last_name or ''}", provider.group_name) if provider else ()
        return (self._settings.plan_name, *(name for name in names if name))

    def email_allowance(self, account: AccountModel, now: datetime) -> bool:
        """Count one account email (a practice code's too) against the account's hourly limit."""
        return self._take_email_allowance(account, now)

    # The lockout, as Manage Users and plan support's Account Help lift it

    def locked_until(self, account: AccountModel) -> datetime | None:
        """When the account's lockout lapses by itself; None when it is not locked now."""
        now = self._clock()
        if not self._lockout.is_locked(account.failed_logins or 0, account.last_login_attempt_at, now):
            return None
        assert account.last_login_attempt_at is not None  # is_locked holds only with a last attempt
        return account.last_login_attempt_at + self._lockout.duration

    def clear_lockout(self, account: AccountModel, *, condition: Any,
                      notice: OutboxMessageModel | None = None) -> bool:
        """Unlock: the failed logins cleared, on ``condition`` (the account as the caller may change it), in one
        transaction with ``notice`` (the owner's email, published after). False when the condition failed."""
        try:
            with transaction() as writes:
                writes.update(account, actions=[AccountModel.failed_logins.set(0),
                                                AccountModel.last_login_attempt_at.remove()], condition=condition)
                if notice is not None:
                    writes.save(notice)
        except TransactionCancelled as error:
            if [*cancelled_by_condition(error), False][0]:
                return False
            raise
        if notice is not None:
            outbox.publish([notice])
        logger.info("account unlocked", extra={"username": account.username})
        return True

    # Shared with My Account (chalicelib/accounts/my_account.py)

    @property
    def hasher(self) -> SecretHasher:
        return self._hasher

    def password_context(self, account: AccountModel) -> tuple[str, ...]:
        return self._password_context(account)

    def one_time_token(self, purpose: TokenPurpose, account: AccountModel, now: datetime
                       ) -> tuple[str, OneTimeTokenModel]:
        """A new token and its unsaved row (the hash only)."""
        return self._one_time_token(purpose, account, now)

    def live_token(self, token: str, purpose: TokenPurpose, now: datetime) -> OneTimeTokenModel:
        """The row of an unspent, unexpired token of ``purpose``; InvalidToken otherwise."""
        return self._live_token(token, purpose, now)

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
        """Every provider the login acts for, in each Tax ID it acts in (its own and the linked ones): what the
        provider selector offers (a Query per whole Tax ID, one batch get of the others)."""
        units = principal.acts_in
        provider_ids = [p for unit in units for p in (*unit.provider_ids, unit.home_provider_id or "") if p] \
            if units else principal.provider_ids
        tax_ids = [unit.tax_id for unit in units if unit.whole] if units else principal.tax_ids
        return [
            ProviderSummary(p.provider_id, p.provider_type, p.display_name, p.tax_id, p.state, tuple(p.programs))
            for p in providers.acted_for(provider_ids, tax_ids)
            if not units or linking.acts_for(units, p.provider_id, p.tax_id)
        ]

    @staticmethod
    def accounts_of_tax_id(tax_id: str) -> list[OfficeAccount]:
        """The Tax ID's users that are not closed: the accounts whose home it is (one Query on its index), then those
        of other Tax IDs linked to it (Account Linker: one Query of its links and one batch get, when it has any)."""
        return [OfficeAccount(a.username, a.status, a.created_at) for a in office_users.office_accounts(tax_id)
                if a.status != AccountStatus.CLOSED.value]

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

    @staticmethod
    def _queue_account_email(purpose: AccountEmail, now: datetime, *, username: str = "", email: str = "") -> None:
        """Whom and what, never a link: the email handler looks the account up and mints any token."""
        message = outbox.new_account_email(purpose.value, now, username=username, email=email)
        message.save()
        outbox.publish([message])

    def account_email(self, purpose: str, whom: Mapping[str, str]) -> OutgoingEmail | None:
        """At delivery: the email to send for ``purpose`` to the account ``whom`` names (``username`` or
        ``email``), minting its one-time token (only the hash is stored); None when nothing is to be sent."""
        now = self._clock()
        kind = AccountEmail(purpose)
        account = (self._account_or_none(whom["username"]) if whom.get("username")
                   else self._account_by_email(whom.get("email", "")))
        if account is None:
            return None
        portal = self._settings.portal_url
        if kind == AccountEmail.ACCOUNT_LOCKED:
            return OutgoingEmail(EmailTemplate.ACCOUNT_LOCKED, account.email,
                                 {"username": account.username, "link": f"{portal}/forgot-password"})
        link_email = LINK_EMAILS.get(kind)
        if link_email is not None and account.status != link_email[0].value and not (
                kind == AccountEmail.PASSWORD_RESET and office_users.deactivated_unused(account)):
            return None  # a reset link goes to an active account, or one deactivated for going unused
        if kind != AccountEmail.REGISTERED and not self._take_email_allowance(account, now):
            logger.info("account email withheld: hourly limit", extra={"username": account.username,
                                                                        "purpose": kind.value})
            return None
        if link_email is None:
            return OutgoingEmail(EmailTemplate.ALREADY_REGISTERED, account.email, {
                "username": account.username, "link": f"{portal}/login", "forgot_link": f"{portal}/forgot-password"})
        _, token_purpose, template, path = link_email
        token, token_row = self._one_time_token(token_purpose, account, now)
        token_row.save()
        link = f"{portal}{path}?{urlencode({'token': token})}"
        return OutgoingEmail(template, account.email, {"username": account.username, "link": link})

    def _account_by_email(self, email: str) -> AccountModel | None:
        if not email.strip():
            return None
        try:
            claim = EmailClaimModel.get(email_key(email))
        except Missing:
            return None
        return self._account_or_none(claim.username)



