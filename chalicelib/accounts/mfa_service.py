"""Two-step verification: the login's second step, enrolment, recovery codes, remembered browsers and resets.

The accounts service checks the password (``check_login``) and opens sessions (``open_session``); this service
decides what comes between. An account with a second factor gets a short-lived challenge (5 minutes, stored
hashed, 5 wrong codes at most) that a code turns into a session, unless a browser it remembered vouches for it;
an account without one gets a session that may only enrol (``mfa_pending``: the route helpers refuse it every
other route), which confirming the enrolment makes a full one. Invariants are conditional writes: a TOTP step is
accepted once (the write requires a later step than the last), a recovery code is spent by removing its hash
(the write requires it there), a challenge counts its failures under its limit.

Every enrolment, confirmation, recovery code used or regenerated, reset and wrong code is audited in the
account's trail (``audit.service.record_account_event``); no secret, code or hash is in the record or the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.accounts import mfa, office_users, sign_ins
from chalicelib.accounts.enums import AccountStatus
from chalicelib.accounts.impersonation import helper_words
from chalicelib.accounts.mfa_store import (
    BROWSER_PURPOSE,
    CHALLENGE_PURPOSE,
    MfaChallengeModel,
    MfaModel,
    RememberedBrowserModel,
    mfa_key,
)
from chalicelib.accounts.passwords import SecretHasher, secret_hasher
from chalicelib.accounts.service import AccountService, NewSession
from chalicelib.accounts.sign_ins import NO_CLIENT, ClientInfo
from chalicelib.accounts.store import AccountModel, SessionModel, account_key, normalize_username
from chalicelib.accounts.tokens import fingerprint, new_token
from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction
from chalicelib.emails import outbox
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform.access import Principal, Role
from chalicelib.platform.aws import keys
from chalicelib.platform.clock import Clock
from chalicelib.platform.config import Settings
from chalicelib.platform.dynamo.writes import Missing, WriteFailed, condition_failed, transaction
from chalicelib.platform.errors import (
    InvalidMfaCode,
    MfaAlreadyEnrolled,
    MfaChallengeExpired,
    MfaEnrolmentNotStarted,
    MfaNotEnrolled,
    NotFound,
    PermissionRequired,
    ValidationFailed,
)
from chalicelib.platform.logs import logger
from chalicelib.platform.permissions import Permission

MFA_KEY = "mfa"
"""The template's key for TOTP secrets (``alias/portal-<stage>-mfa``, infrastructure/resources.yaml)."""
CODE_MISMATCH = "does not match the code your authenticator app shows now; check the device's time and try again"


@dataclass(frozen=True)
class Challenge:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginStep:
    """What a login step answers: a session, or the challenge of the code step; with ``remember`` the device
    token that lets this browser or client skip the code step for 30 days."""

    session: NewSession | None = None
    challenge: Challenge | None = None
    device_token: str | None = None


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_svg: str
    started_at: datetime

    @property
    def grouped_secret(self) -> str:
        return mfa.grouped(self.secret)


@dataclass(frozen=True)
class MfaStatus:
    enrolled: bool
    enrolled_at: datetime | None
    recovery_codes_left: int
    enrolment_started: bool


class MfaService:
    def __init__(self, settings: Settings, accounts: AccountService, *, clock: Clock,
                 hasher: SecretHasher | None = None) -> None:
        self._settings = settings
        self._accounts = accounts
        self._clock = clock
        self._hasher = hasher or secret_hasher()

    # The login

    def login(self, username: str, password: str, *, device_token: str | None = None,
              client: ClientInfo = NO_CLIENT) -> LoginStep:
        """The password step (lockout and all, ``AccountService.check_login``), then: no second factor yet, a
        session that may only enrol; a browser remembered for this account, the session; else the challenge.
        ``client``: where the login came from (the session and the sign-in trail keep it)."""
        account = self._accounts.check_login(username, password, client=client)
        state = self._state(account.username)
        if state is None or state.enrolled_at is None:
            return LoginStep(session=self._accounts.open_session(account, mfa_pending=True, client=client))
        now = self._clock()
        if device_token and self._remembered(account, state, device_token, now):
            logger.info("login: a remembered browser skips the code", extra={"username": account.username})
            return LoginStep(session=self._accounts.open_session(account, client=client))
        token = new_token()
        expires_at = mfa.challenge_expiry(now)
        MfaChallengeModel(token_hash=fingerprint(token), username=account.username, created_at=now,
                          expires_at=expires_at, ttl=expires_at).save()
        return LoginStep(challenge=Challenge(token, expires_at))

    def complete_login(self, challenge: str, code: str, *, remember: bool = False,
                       client: ClientInfo = NO_CLIENT) -> LoginStep:
        """The code step: the current TOTP code (each step once) or a recovery code (each once) opens the session.
        A wrong code counts on the challenge; the fifth ends it (MFA_CHALLENGE_EXPIRED: log in again)."""
        now = self._clock()
        row = self._open_challenge(challenge, now)
        account = self._account(row.username)
        state = self._state(row.username)
        if account is None or account.status != AccountStatus.ACTIVE.value or state is None or \
                state.enrolled_at is None:
            self._forget_challenge(row)
            raise MfaChallengeExpired()
        if not self._accept_code(account, state, code, now):
            trail.record_account_event(account.username, account.role, account.username, AuditAction.MFA_CODE_FAILED,
                                       now, detail="login")
            sign_ins.record(account.username, account.role, AuditAction.SIGN_IN_FAILED, client, now,
                            "right password, wrong code at the second step")
            self._count_failure(row)
        try:
            row.delete(condition=MfaChallengeModel.token_hash.exists())
        except WriteFailed as error:  # the same challenge answered twice at once: one session only
            if condition_failed(error):
                raise MfaChallengeExpired() from None
            raise
        session = self._accounts.open_session(account, client=client)
        return LoginStep(session=session, device_token=self._remember(account.username, now) if remember else None)

    def _open_challenge(self, challenge: str, now: datetime) -> MfaChallengeModel:
        try:
            row = MfaChallengeModel.get(fingerprint(challenge))
        except Missing:
            raise MfaChallengeExpired() from None
        if row.purpose != CHALLENGE_PURPOSE or not mfa.challenge_open(row.expires_at, row.failures, now):
            raise MfaChallengeExpired()
        return row

    @staticmethod
    def _count_failure(row: MfaChallengeModel) -> None:
        try:
            row.update(actions=[MfaChallengeModel.failures.add(1)],
                       condition=MfaChallengeModel.token_hash.exists()
                       & (MfaChallengeModel.failures < mfa.CHALLENGE_ATTEMPTS))
        except WriteFailed as error:
            if condition_failed(error):
                raise MfaChallengeExpired() from None
            raise
        if row.failures >= mfa.CHALLENGE_ATTEMPTS:
            MfaService._forget_challenge(row)
            raise MfaChallengeExpired("That was the fifth wrong code. Log in again with your password.")
        raise InvalidMfaCode(fields={"code": "is not right, or was already used"})

    @staticmethod
    def _forget_challenge(row: MfaChallengeModel) -> None:
        try:
            row.delete()
        except WriteFailed:
            logger.warning("challenge not deleted; its TTL removes it")

    def _accept_code(self, account: AccountModel, state: MfaModel, code: str, now: datetime) -> bool:
        if mfa.totp_shaped(code):
            secret = self._unseal(account.username, state.sealed_secret or "")
            return self._spend_step(state, mfa.matching_step(secret, code, now))
        recovery = mfa.normalized_recovery_code(code)
        if recovery is None:
            return False
        digest = mfa.recovery_code_hash(account.username, recovery)
        if digest not in (state.recovery_code_hashes or set()):
            return False
        try:
            state.update(actions=[MfaModel.recovery_code_hashes.delete({digest})],
                         condition=MfaModel.recovery_code_hashes.contains(digest))
        except WriteFailed as error:
            if condition_failed(error):  # spent by a login racing this one
                return False
            raise
        left = len(state.recovery_code_hashes or ())
        trail.record_account_event(account.username, account.role, account.username,
                                   AuditAction.MFA_RECOVERY_CODE_USED, now, detail=f"{left} recovery codes left")
        logger.info("login with a recovery code", extra={"username": account.username, "left": left})
        return True

    @staticmethod
    def _spend_step(state: MfaModel, step: int | None) -> bool:
        """Accept the matched step once: the write requires it later than the last step used."""
        if step is None or not mfa.fresh(step, state.last_step):
            return False
        try:
            state.update(actions=[MfaModel.last_step.set(step)],
                         condition=MfaModel.last_step.does_not_exist() | (MfaModel.last_step < step))
        except WriteFailed as error:
            if condition_failed(error):
                return False
            raise
        return True

    # Remembered browsers

    def _remember(self, username: str, now: datetime) -> str:
        token = new_token()
        expires_at = mfa.browser_expiry(now)
        RememberedBrowserModel(token_hash=fingerprint(token), username=username, created_at=now, expires_at=expires_at,
                               ttl=expires_at).save()
        return token

    @staticmethod
    def _remembered(account: AccountModel, state: MfaModel, token: str, now: datetime) -> bool:
        try:
            row = RememberedBrowserModel.get(fingerprint(token))
        except Missing:
            return False
        return (row.purpose == BROWSER_PURPOSE and normalize_username(row.username) == normalize_username(
            account.username) and mfa.remembered(row.created_at, row.expires_at, now, (
                account.password_changed_at, state.browsers_forgotten_at)))

    # Enrolment

    def status(self, principal: Principal) -> MfaStatus:
        state = self._state(principal.username)
        enrolled = state is not None and state.enrolled_at is not None
        return MfaStatus(enrolled=enrolled, enrolled_at=state.enrolled_at if state else None,
                         recovery_codes_left=len(state.recovery_code_hashes or ()) if state and enrolled else 0,
                         enrolment_started=state is not None and state.sealed_pending_secret is not None)

    def start_enrolment(self, principal: Principal) -> Enrolment:
        """A new secret (not yet active: a code from it confirms it), replacing any set-up under way."""
        now = self._clock()
        secret = mfa.new_secret()
        try:
            MfaModel(pk=mfa_key(principal.username)).update(
                actions=[MfaModel.username.set(principal.username),
                         MfaModel.sealed_pending_secret.set(self._seal(principal.username, secret)),
                         MfaModel.pending_started_at.set(now)],
                condition=MfaModel.enrolled_at.does_not_exist())
        except WriteFailed as error:
            if condition_failed(error):
                raise MfaAlreadyEnrolled() from None
            raise
        self._audit(principal, principal.username, AuditAction.MFA_ENROLMENT_STARTED, now)
        return self._enrolment(principal.username, secret, now)

    def current_enrolment(self, principal: Principal) -> Enrolment:
        """The set-up under way (a page shown again shows the same QR code), else a new one."""
        state = self._state(principal.username)
        if state is not None and state.enrolled_at is not None:
            raise MfaAlreadyEnrolled()
        if state is None or state.sealed_pending_secret is None or state.pending_started_at is None:
            return self.start_enrolment(principal)
        secret = self._unseal(principal.username, state.sealed_pending_secret)
        return self._enrolment(principal.username, secret, state.pending_started_at)

    def confirm_enrolment(self, principal: Principal, code: str) -> list[str]:
        """A code from the new secret activates it: the account's ten recovery codes are made (returned this once,
        only their hashes kept), and this session becomes a full one. (No browser is remembered for an account
        without a second factor: the reset that took the last one away forgot them.)"""
        now = self._clock()
        state = self._state(principal.username)
        if state is not None and state.enrolled_at is not None:
            raise MfaAlreadyEnrolled()
        if state is None or state.sealed_pending_secret is None:
            raise MfaEnrolmentNotStarted()
        secret = self._unseal(principal.username, state.sealed_pending_secret)
        step = mfa.matching_step(secret, code, now)
        if step is None:
            self._audit(principal, principal.username, AuditAction.MFA_CODE_FAILED, now, detail="enrolment")
            raise ValidationFailed(fields={"code": CODE_MISMATCH})
        codes = mfa.new_recovery_codes()
        try:
            state.update(actions=[
                MfaModel.sealed_secret.set(state.sealed_pending_secret), MfaModel.enrolled_at.set(now),
                MfaModel.sealed_pending_secret.remove(), MfaModel.pending_started_at.remove(),
                MfaModel.last_step.set(step),
                MfaModel.recovery_code_hashes.set(mfa.recovery_code_hashes(principal.username, codes)),
            ], condition=(MfaModel.sealed_pending_secret == state.sealed_pending_secret)
                & MfaModel.enrolled_at.does_not_exist())
        except WriteFailed as error:
            if condition_failed(error):  # a new set-up, or a confirmation, got there first
                raise MfaEnrolmentNotStarted() from None
            raise
        if principal.session_id:
            SessionModel(token_hash=principal.session_id).update(
                actions=[SessionModel.mfa_pending.remove()], condition=SessionModel.token_hash.exists())
        self._audit(principal, principal.username, AuditAction.MFA_ENROLLED, now)
        logger.info("second factor enrolled", extra={"username": principal.username})
        return [mfa.formatted_recovery_code(code) for code in codes]

    def regenerate_recovery_codes(self, principal: Principal, password: str, *,
                                  client: ClientInfo = NO_CLIENT) -> list[str]:
        """Ten new recovery codes for the current password (checked as a login attempt is: a wrong one counts toward
        the lockout, so a stolen session cannot guess it); the earlier ones stop working."""
        now = self._clock()
        self._accounts.reauthenticate(principal.username, password, client=client, field="password")
        state = self._state(principal.username)
        if state is None or state.enrolled_at is None:
            raise MfaNotEnrolled()
        codes = mfa.new_recovery_codes()
        try:
            state.update(actions=[MfaModel.recovery_code_hashes.set(mfa.recovery_code_hashes(principal.username,
                                                                                             codes))],
                         condition=MfaModel.enrolled_at.exists())
        except WriteFailed as error:
            if condition_failed(error):
                raise MfaNotEnrolled() from None
            raise
        self._audit(principal, principal.username, AuditAction.MFA_RECOVERY_CODES_REGENERATED, now)
        return [mfa.formatted_recovery_code(code) for code in codes]

    # A lost device: the reset by the Tax ID's administrator or plan support

    def reset(self, actor: Principal, username: str) -> None:
        """The account enrols again at its next login; every browser it remembered is forgotten and every session it
        has open ends (the lost device may hold one: refused from now on, and deleted); its owner is emailed who reset
        it (written with the reset). Plan support resets any provider account (a plan-staff account needs the plan
        administrator); an office's user administrators reset its users; another office's user is 404."""
        account = self._resettable(actor, username)
        now = self._clock()
        notice = outbox.new_email(EmailTemplate.MFA_RESET, account.email, {
            "username": account.username, "by": helper_words(actor.username, actor.is_plan_staff),
            "link": f"{self._settings.portal_url}/login"}, now)
        with transaction() as writes:
            writes.update(MfaModel(pk=mfa_key(account.username)), actions=[
                MfaModel.username.set(account.username), MfaModel.sealed_secret.remove(),
                MfaModel.enrolled_at.remove(), MfaModel.sealed_pending_secret.remove(),
                MfaModel.pending_started_at.remove(), MfaModel.last_step.remove(),
                MfaModel.recovery_code_hashes.remove(), MfaModel.browsers_forgotten_at.set(now),
            ])
            writes.update(account, actions=[AccountModel.sessions_ended_at.set(now)])
            writes.save(notice)
        office_users.end_sessions(account.username)
        outbox.publish([notice])
        self._audit(actor, account.username, AuditAction.MFA_RESET, now)
        logger.info("second factor reset", extra={"username": account.username, "by": actor.username})

    def _resettable(self, actor: Principal, username: str) -> AccountModel:
        if not actor.is_plan_staff:
            return self._accounts.administered_account(actor, username)
        account = self._account(username)
        if account is None:
            raise NotFound(fields={"username": "is not a user you administer"})
        if account.role == Role.PLAN_STAFF.value and not actor.has(Permission.PLAN_ADMIN):
            raise PermissionRequired(Permission.PLAN_ADMIN.value, Permission.PLAN_ADMIN.words)
        return account

    # Shared steps

    def enrolled(self, username: str) -> bool:
        """Whether the account has a second factor set up now."""
        state = self._state(username)
        return state is not None and state.enrolled_at is not None

    @staticmethod
    def _state(username: str) -> MfaModel | None:
        try:
            return MfaModel.get(mfa_key(username))
        except Missing:
            return None

    @staticmethod
    def _account(username: str) -> AccountModel | None:
        try:
            return AccountModel.get(account_key(username))
        except Missing:
            return None

    def _enrolment(self, username: str, secret: str, started_at: datetime) -> Enrolment:
        uri = mfa.provisioning_uri(secret, username, self._settings.plan_name)
        return Enrolment(secret=secret, otpauth_uri=uri, started_at=started_at,
                         qr_svg=mfa.qr_svg(uri, f"QR code to add {self._settings.plan_name} ({username}) to an "
                                                "authenticator app"))

    @staticmethod
    def _context(username: str) -> dict[str, str]:
        return {"purpose": "totp-secret", "username": normalize_username(username)}

    def _seal(self, username: str, secret: str) -> str:
        return keys.seal(MFA_KEY, secret, self._context(username))

    def _unseal(self, username: str, sealed: str) -> str:
        return keys.unseal(MFA_KEY, sealed, self._context(username))

    @staticmethod
    def _audit(actor: Principal, subject: str, action: AuditAction, now: datetime, detail: str | None = None) -> None:
        trail.record_account_event(actor.username, actor.role.value, subject, action, now, detail=detail)


def enrol_known_secret(username: str, secret: str, now: datetime,
                       recovery_codes: list[str] | None = None) -> MfaModel:
    """An account enrolled with a given secret, as a confirmed enrolment leaves it (the local demo accounts' fixed
    secrets: local/demo_data.py). Only the local stage's loader calls it."""
    return MfaModel(pk=mfa_key(username), username=username,
                    sealed_secret=keys.seal(MFA_KEY, secret, MfaService._context(username)), enrolled_at=now,
                    recovery_code_hashes=mfa.recovery_code_hashes(username, recovery_codes or []) or None)
