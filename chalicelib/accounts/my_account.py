"""Update My Account: a logged-in user's own email address, password, security question, sessions and sign-ins.

Every change needs the current password, checked as a login attempt is (``AccountService.reauthenticate``: counted
toward the lockout, and throttled like the account routes), is one transaction with the email it causes (the
outbox), and is audited in the account's own trail (who, what changed, never a secret).

- **Email**: the new address is kept as ``pending_email`` and the outbox names the purpose and the account only
  (``{"accountEmail": "EMAIL_CHANGE", "username"}``): at delivery ``email_change_email`` mints the one-time link
  (only its hash is stored, with the address it verifies) and sends it to the new address, or, when that address
  already has an account, sends its owner an "already registered" email instead. The request answers the same
  either way, and the old address gets a notice without a link. The change applies when the link is opened by the
  account it was sent for: the email moves and its claim (one account per address) moves with it, in one
  transaction.
- **Password**: the registration rules (``password_problems`` with the account's guessable words); then every other
  session ends: the account's ``password_changed_at`` refuses each one opened before it (also one the username index
  does not show yet), and this session outlives it (``password_kept_at``).
- **Sessions**: listed from the sessions' username index (one Query a page, the items by BatchGet), never with a
  token or its stored hash: each has a public ID derived from the hash.
- **Sign-ins**: the account's sign-in trail (``sign_ins``), paged by key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from chalicelib.accounts import office_users, sign_ins
from chalicelib.accounts.approval import masked
from chalicelib.accounts.enums import AccountEmail, AccountStatus, TokenPurpose
from chalicelib.accounts.passwords import normalize_security_answer, password_problems
from chalicelib.accounts.policies import SessionPolicy
from chalicelib.accounts.registration import security_problems
from chalicelib.accounts.sign_ins import NO_CLIENT, ClientInfo, SignInPage
from chalicelib.accounts.store import (
    AccountModel,
    EmailClaimModel,
    OneTimeTokenModel,
    SessionModel,
    email_key,
    is_view_of_user,
    normalize_username,
)
from chalicelib.accounts.tokens import fingerprint
from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry, account_subject
from chalicelib.emails import outbox
from chalicelib.emails.outbox import OutgoingEmail
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform.dynamo.paging import search_page
from chalicelib.platform.dynamo.writes import Missing, TransactionCancelled, transaction
from chalicelib.platform.errors import AlreadyRegistered, InvalidToken, NotFound, SessionExpired, ValidationFailed
from chalicelib.platform.logs import logger

if TYPE_CHECKING:
    from chalicelib.accounts.service import AccountService
    from chalicelib.emails.store import OutboxMessageModel
    from chalicelib.platform.access import Principal
    from chalicelib.platform.clock import Clock
    from chalicelib.platform.config import Settings

VERIFY_EMAIL_PATH = "/my-account/email/verify"
"""The page the new address's link opens (after login if needed)."""
SESSION_ID_PURPOSE = "session-id:"


def public_session_id(token_hash: str) -> str:
    """What a session is called outside the sessions table: derived from its stored hash, which it does not reveal."""
    return fingerprint(SESSION_ID_PURPOSE + token_hash)[:32]


@dataclass(frozen=True)
class AccountOverview:
    username: str
    email: str
    pending_email: str | None
    pending_email_at: datetime | None
    security_question: str | None
    password_changed_at: datetime | None
    last_login_at: datetime | None


@dataclass(frozen=True)
class ActiveSession:
    session_id: str
    created_at: datetime
    last_seen_at: datetime
    ends_at: datetime
    current: bool
    client_address: str | None
    user_agent: str | None


@dataclass(frozen=True)
class SessionList:
    items: list[ActiveSession]
    next_token: str | None


class MyAccount:
    def __init__(self, settings: Settings, accounts: AccountService, *, clock: Clock) -> None:
        self._settings = settings
        self._accounts = accounts
        self._clock = clock
        self._sessions = SessionPolicy.from_settings(settings)

    def overview(self, principal: Principal) -> AccountOverview:
        account = self._account(principal)
        return AccountOverview(account.username, account.email, account.pending_email, account.pending_email_at,
                               account.security_question, account.password_changed_at, account.last_login_at)

    # Email

    def request_email_change(self, principal: Principal, email: str, current_password: str, *,
                             client: ClientInfo = NO_CLIENT) -> None:
        """Keep ``email`` as the account's pending address and queue its link and the old address's notice. An
        address with an account answers the same (its owner is told at delivery): nothing tells them apart."""
        email = email.strip()
        account = self._account(principal)
        if email.lower() == account.email.lower():
            raise ValidationFailed(fields={"email": "is already your email address"})
        account = self._checked(principal, current_password, client)
        now = self._clock()
        link = outbox.new_account_email(AccountEmail.EMAIL_CHANGE.value, now, username=account.username)
        notice = outbox.new_email(EmailTemplate.EMAIL_CHANGE_REQUESTED, account.email,
                                  {"username": account.username, "new_address": masked(email)}, now)
        try:
            with transaction() as writes:
                writes.update(account, actions=[AccountModel.pending_email.set(email),
                                                AccountModel.pending_email_at.set(now)],
                              condition=AccountModel.email == account.email)
                writes.save(link)
                writes.save(notice)
        except TransactionCancelled:
            raise ValidationFailed("Your account's email address changed meanwhile. Look at it again.",
                                   {"email": "your address changed meanwhile: reload and try again"}) from None
        outbox.publish([link, notice])
        self._audit(principal, AuditAction.EMAIL_CHANGE_REQUESTED, f"to {email}; link sent there, notice to the "
                                                                   "current address")

    def email_change_email(self, username: str) -> OutgoingEmail | None:
        """At delivery: the link to the account's pending address (minted now, its hash stored with the address),
        or, when that address has another account, the "already registered" email to its owner; None when nothing
        is pending or the account's hourly email limit is reached."""
        account = office_users.account_or_none(username)
        if account is None or account.status != AccountStatus.ACTIVE.value or not account.pending_email:
            return None
        now = self._clock()
        if not self._accounts.email_allowance(account, now):
            logger.info("email change link withheld: hourly limit", extra={"username": account.username})
            return None
        portal = self._settings.portal_url
        owner = self._owner_of(account.pending_email)
        if owner is not None and owner.pk != account.pk:
            logger.info("email change to an address with an account", extra={"username": account.username})
            return OutgoingEmail(EmailTemplate.EMAIL_IN_USE, owner.email, {
                "username": owner.username, "link": f"{portal}/login", "forgot_link": f"{portal}/forgot-password"})
        token, row = self._accounts.one_time_token(TokenPurpose.EMAIL_CHANGE, account, now)
        row.email = account.pending_email
        row.save()
        return OutgoingEmail(EmailTemplate.EMAIL_CHANGE, account.pending_email, {
            "username": account.username, "link": f"{portal}{VERIFY_EMAIL_PATH}?{urlencode({'token': token})}"})

    def address_to_verify(self, principal: Principal, token: str) -> str:
        """The address the link ``token`` confirms for this account (the page shows it before the change)."""
        return self._verifiable(principal, token)[1].email or ""

    def verify_email_change(self, principal: Principal, token: str) -> str:
        """Apply the change the link ``token`` confirms: the account's email, its claim, a notice to the old address,
        the token spent, in one transaction. An address another account took meanwhile is 409 naming ``email``."""
        account, row = self._verifiable(principal, token)
        new, old = str(row.email), account.email
        now = self._clock()
        notice = outbox.new_email(EmailTemplate.EMAIL_CHANGED, old,
                                  {"username": account.username, "new_address": masked(new)}, now)
        try:
            with transaction() as writes:
                writes.delete(row, condition=OneTimeTokenModel.token_hash.exists())
                writes.update(account, actions=[AccountModel.email.set(new), AccountModel.pending_email.remove(),
                                                AccountModel.pending_email_at.remove()],
                              condition=(AccountModel.email == old) & (AccountModel.pending_email == new))
                writes.delete(EmailClaimModel(pk=email_key(old)), condition=EmailClaimModel.pk.does_not_exist()
                              | (EmailClaimModel.username == account.username))
                writes.save(EmailClaimModel(pk=email_key(new), username=account.username),
                            condition=EmailClaimModel.pk.does_not_exist())
                writes.save(notice)
        except TransactionCancelled:
            owner = self._owner_of(new)
            if owner is not None and owner.pk != account.pk:
                raise AlreadyRegistered("That email address has an account of its own now, so it cannot be yours "
                                        "too. Ask for the change again with another address.",
                                        {"email": "already has an account"}) from None
            raise InvalidToken() from None
        outbox.publish([notice])
        self._audit(principal, AuditAction.EMAIL_CHANGED, f"{old} -> {new}")
        logger.info("email address changed", extra={"username": account.username})
        return new

    def _verifiable(self, principal: Principal, token: str) -> tuple[AccountModel, OneTimeTokenModel]:
        """The account and the live token row, when the token was sent for this account's pending address (a later
        request replaced it, another account's link, or none: INVALID_TOKEN)."""
        row = self._accounts.live_token(token, TokenPurpose.EMAIL_CHANGE, self._clock())
        account = self._account(principal)
        pending = (account.pending_email or "").lower()
        if normalize_username(row.username) != normalize_username(account.username) or not row.email \
                or row.email.lower() != pending:
            raise InvalidToken()
        return account, row

    @staticmethod
    def _owner_of(email: str) -> AccountModel | None:
        try:
            claim = EmailClaimModel.get(email_key(email))
        except Missing:
            return None
        return office_users.account_or_none(claim.username)

    # Password and security question

    def change_password(self, principal: Principal, current_password: str, new_password: str, *,
                        client: ClientInfo = NO_CLIENT) -> int:
        """Set a new password (the registration rules, not the current one); every other session of the account
        ends and this one stays. Returns how many other sessions ended."""
        account = self._account(principal)
        problems = password_problems(new_password, username=account.username, email=account.email,
                                     context=self._accounts.password_context(account))
        if problems:
            raise ValidationFailed(fields={"newPassword": "; ".join(problems)})
        account = self._checked(principal, current_password, client)
        hasher = self._accounts.hasher
        if hasher.verify(account.password_hash, new_password):
            raise ValidationFailed(fields={"newPassword": "must differ from the current password"})
        now = self._clock()
        notice = self._changed_notice(EmailTemplate.PASSWORD_CHANGED, account, now)
        try:
            with transaction() as writes:
                writes.update(account, actions=[AccountModel.password_hash.set(hasher.hash(new_password)),
                                                AccountModel.password_changed_at.set(now)],
                              condition=AccountModel.status == AccountStatus.ACTIVE.value)
                writes.update(SessionModel(token_hash=principal.session_id),
                              actions=[SessionModel.password_kept_at.set(now)],
                              condition=SessionModel.token_hash.exists())
                writes.save(notice)
        except TransactionCancelled:
            raise SessionExpired() from None
        ended = office_users.end_sessions(account.username, keep=principal.session_id)
        outbox.publish([notice])
        self._audit(principal, AuditAction.PASSWORD_CHANGED, f"other sessions ended: {ended}")
        logger.info("password changed", extra={"username": account.username, "sessions_ended": ended})
        return ended

    def change_security_question(self, principal: Principal, current_password: str, question: str, answer: str, *,
                                 client: ClientInfo = NO_CLIENT) -> None:
        normalized = normalize_security_answer(answer)
        problems = security_problems(question, normalized)
        if problems:
            raise ValidationFailed(fields=problems)
        account = self._checked(principal, current_password, client)
        now = self._clock()
        notice = self._changed_notice(EmailTemplate.SECURITY_QUESTION_CHANGED, account, now)
        with transaction() as writes:
            writes.update(account, actions=[
                AccountModel.security_question.set(question),
                AccountModel.security_answer_hash.set(self._accounts.hasher.hash(normalized))],
                condition=AccountModel.pk.exists())
            writes.save(notice)
        outbox.publish([notice])
        self._audit(principal, AuditAction.SECURITY_QUESTION_CHANGED, "security question and answer changed")

    def _changed_notice(self, template: EmailTemplate, account: AccountModel, now: datetime) -> OutboxMessageModel:
        return outbox.new_email(template, account.email, {
            "username": account.username, "link": f"{self._settings.portal_url}/forgot-password"}, now)

    # Sessions

    def sessions(self, principal: Principal, limit: int, token: str | None) -> SessionList:
        """The account's live sessions, this one first, then by last use: one Query of the username index (its keys,
        ``limit`` + 1 at most) and one BatchGet of their items. A view of the portal as the user (Impersonate User) is
        in that index too, so that ending the user's sessions ends it; it is not one of the user's own sessions."""
        found = search_page(SessionModel, SessionModel.by_username, "username", principal.username, None, None,
                            limit, token)
        account = self._account(principal)
        now = self._clock()
        keys = [key.token_hash for key in found.items if not is_view_of_user(key.token_hash)]
        items = [self._listed(session, principal) for session in SessionModel.batch_get(keys)
                 if self._alive(session, account, now)]
        items.sort(key=lambda item: (not item.current, -item.last_seen_at.timestamp()))
        return SessionList(items, found.next_token)

    def _alive(self, session: SessionModel, account: AccountModel, now: datetime) -> bool:
        if self._sessions.is_over(session.last_seen_at, session.expires_at, now):
            return False
        changed = account.password_changed_at
        return changed is None or max(session.created_at, session.password_kept_at or session.created_at) >= changed

    def _listed(self, session: SessionModel, principal: Principal) -> ActiveSession:
        return ActiveSession(public_session_id(session.token_hash), session.created_at, session.last_seen_at,
                             self._sessions.ends_at(session.last_seen_at, session.expires_at),
                             session.token_hash == principal.session_id, session.client_address, session.user_agent)

    def end_session(self, principal: Principal, session_id: str) -> bool:
        """End one of the account's sessions by its public ID (404 for any other); True when it was this one."""
        for key in SessionModel.by_username.query(principal.username):
            if public_session_id(key.token_hash) == session_id:
                SessionModel(token_hash=key.token_hash).delete()
                current = key.token_hash == principal.session_id
                self._audit(principal, AuditAction.SESSION_ENDED, "this session" if current else "another session")
                return current
        raise NotFound("That is not one of your sessions.", {"sessionId": "is not one of your sessions"})

    def end_other_sessions(self, principal: Principal) -> int:
        ended = office_users.end_sessions(principal.username, keep=principal.session_id)
        self._audit(principal, AuditAction.OTHER_SESSIONS_ENDED, f"sessions ended: {ended}")
        return ended

    # Sign-ins

    def sign_ins(self, principal: Principal, limit: int, token: str | None) -> SignInPage:
        return sign_ins.history(principal.username, limit, token)

    # Shared steps

    @staticmethod
    def _account(principal: Principal) -> AccountModel:
        account = office_users.account_or_none(principal.username)
        if account is None:
            raise SessionExpired()
        return account

    def _checked(self, principal: Principal, current_password: str, client: ClientInfo) -> AccountModel:
        """The account, once its current password is given (throttled, and counted toward the lockout)."""
        if not current_password:
            raise ValidationFailed(fields={"currentPassword": "is required"})
        self._accounts.admit(client.address, principal.username)
        return self._accounts.reauthenticate(principal.username, current_password, client=client)

    def _audit(self, principal: Principal, action: AuditAction, detail: str) -> None:
        trail.record(principal, AuditEntry(account_subject(principal.username), action, None, detail), self._clock())
