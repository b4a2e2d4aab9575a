"""Who gets in: a registration waits for access until its practice confirms it or an administrator approves it.

- The first account of a Tax ID with no active administrator (``CONFIRMATION_REQUIRED``) becomes its Provider
  Administrator after an out-of-band check: a one-time code emailed to the practice's contact address on record in
  the provider directory (never the address typed at registration), entered on the Confirm your practice page; or
  plan support staff's approval from the review desk (the awaiting index's ``CONFIRMATION`` partition).
- A later registration into a Tax ID that has one (``PENDING_APPROVAL``) waits for an administrator of that Tax ID:
  every one of them is emailed at activation (no PHI: the username and the provider's name, a link to Manage Users);
  one approves it with permissions (the Tax ID's default set unless others are chosen) or denies it (closed).

Until then the account holds no permission (``AccountService`` reads none from a waiting account), so every route
with member, claim or payment data answers 403 and the pages say why. Each decision is a transaction conditional on
the account still waiting, so two administrators deciding at once cannot both land, and is audited.

The code (``practice_codes``, on the account item) is minted when its email is delivered; its emails count against
the account's hourly email limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.accounts import office_users, practice_codes
from chalicelib.accounts.enums import AccountEmail, AccountStatus, Approval
from chalicelib.accounts.grants import Grant
from chalicelib.accounts.office_users import UserView, administered, grant_of, view_of
from chalicelib.accounts.passwords import SecretHasher, secret_hasher
from chalicelib.accounts.policies import LockoutPolicy
from chalicelib.accounts.store import AWAITING_CONFIRMATION, AccountModel, awaiting_approval_key
from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry, account_subject
from chalicelib.emails import outbox
from chalicelib.emails.outbox import OutgoingEmail
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform.access import Role
from chalicelib.platform.dynamo.paging import SearchPage, search_page
from chalicelib.platform.dynamo.writes import TransactionCancelled, transaction
from chalicelib.platform.errors import (
    NoContactOnRecord,
    NotAwaitingApproval,
    NotAwaitingConfirmation,
    PermissionRequired,
    SessionExpired,
)
from chalicelib.platform.logs import logger
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, Permission
from chalicelib.providers import service as providers

if TYPE_CHECKING:
    from chalicelib.accounts.service import AccountService
    from chalicelib.emails.store import OutboxMessageModel
    from chalicelib.platform.access import Principal
    from chalicelib.platform.clock import Clock
    from chalicelib.platform.config import Settings

MANAGE_USERS_PAGE = "/manage-users"
CONFIRM_PRACTICE_PAGE = "/confirm-practice"
APPROVED = "APPROVED"
"""The access of an account that waits for nothing (it has its grant)."""
MAX_NOTICES = 95
"""Administrators emailed in the activation's transaction (DynamoDB takes 100 items in one)."""


def awaiting(approval: Approval, tax_id: str, now: datetime) -> dict[str, str]:
    """The attributes that put an account in the awaiting index: its Tax ID's partition, or the review desk's."""
    key = awaiting_approval_key(tax_id) if approval == Approval.PENDING_APPROVAL else AWAITING_CONFIRMATION
    return {"approval": approval.value, "awaiting_key": key, "awaiting_since": now.isoformat()}


def registration_attributes(tax_id: str, now: datetime) -> dict[str, Any]:
    """What a new registration into ``tax_id`` stores: no permission, and what it waits for (one Query of the Tax
    ID's accounts: does it have an active administrator?)."""
    approval = Approval.PENDING_APPROVAL if office_users.has_active_administrator(tax_id) \
        else Approval.CONFIRMATION_REQUIRED
    return {"grants": {tax_id: Grant(frozenset()).stored()}, **awaiting(approval, tax_id, now)}


def approval_notices(account: AccountModel, portal_url: str, now: datetime) -> list[OutboxMessageModel]:
    """At activation, for a registration waiting for approval: one email to each of its Tax ID's user administrators
    (no PHI: the username and the provider's name, a link to Manage Users). Written in the activation's transaction."""
    if account.approval != Approval.PENDING_APPROVAL.value or not account.tax_id:
        return []
    provider = providers.find(account.provider_id) if account.provider_id else None
    name = provider.display_name if provider else str(account.provider_id)
    administrators = office_users.user_administrators(account.tax_id)
    if len(administrators) > MAX_NOTICES:
        logger.warning("approval notices capped", extra={"tax_id": account.tax_id, "administrators":
                                                         len(administrators)})
    return [outbox.new_email(EmailTemplate.APPROVAL_REQUESTED, administrator.email, {
        "administrator": administrator.username, "username": account.username, "provider_name": name,
        "link": f"{portal_url}{MANAGE_USERS_PAGE}"}, now) for administrator in administrators[:MAX_NOTICES]]


def masked(address: str) -> str:
    """An address as shown to the person asking for a code: enough to recognise the practice's mailbox."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 2)}@{domain}"


@dataclass(frozen=True)
class AccessState:
    """What an account waits for, as its own Confirm your practice page shows it."""

    state: str
    """``CONFIRMATION_REQUIRED``, ``PENDING_APPROVAL`` or ``APPROVED``."""
    tax_id: str | None
    practice_name: str | None
    contact: str | None
    """The practice's contact address on record, masked; None when the directory has none."""
    code_expires_at: datetime | None
    administrator: bool


@dataclass(frozen=True)
class Confirmation:
    """One unconfirmed first administrator on the review desk."""

    username: str
    email: str
    email_verified: bool
    provider_id: str | None
    provider_name: str | None
    tax_id: str
    contact_email: str | None
    registered_at: datetime
    waiting_since: str


class ApprovalService:
    def __init__(self, settings: Settings, accounts: AccountService, *, clock: Clock,
                 hasher: SecretHasher | None = None) -> None:
        self._settings = settings
        self._accounts = accounts
        self._clock = clock
        self._hasher = hasher or secret_hasher()
        self._lockout = LockoutPolicy.from_settings(settings)

    # The waiting account's own: Confirm your practice

    def access(self, principal: Principal) -> AccessState:
        account = self._settled(self._own(principal), self._clock())
        return self._access_of(account)

    def send_code(self, principal: Principal) -> AccessState:
        """Queue the one-time code to the practice's address on record (minted when the email is sent)."""
        now = self._clock()
        account = self._settled(self._own(principal), now)
        if account.approval != Approval.CONFIRMATION_REQUIRED.value:
            raise NotAwaitingConfirmation()
        if providers.practice_contact(str(account.tax_id), account.provider_id) is None:
            raise NoContactOnRecord()
        message = outbox.new_account_email(AccountEmail.PRACTICE_CODE.value, now, username=account.username)
        message.save()
        outbox.publish([message])
        logger.info("practice code queued", extra={"username": account.username, "tax_id": account.tax_id})
        return self._access_of(account)

    def practice_code_email(self, username: str) -> OutgoingEmail | None:
        """At delivery: mint the code, keep its hash and expiry on the account, and address it to the practice's
        contact on record; None when the account no longer waits for it or its hourly email limit is reached."""
        now = self._clock()
        account = office_users.account_or_none(username)
        if account is None or account.status != AccountStatus.ACTIVE.value \
                or account.approval != Approval.CONFIRMATION_REQUIRED.value:
            return None
        contact = providers.practice_contact(str(account.tax_id), account.provider_id)
        if contact is None or not self._accounts.email_allowance(account, now):
            return None
        code = practice_codes.mint(account, self._hasher, now, self._code_lifetime,
                                   condition=AccountModel.approval == Approval.CONFIRMATION_REQUIRED.value)
        if code is None:
            return None
        practice, address = contact
        return OutgoingEmail(EmailTemplate.PRACTICE_CODE, address, {
            "practice": practice.display_name, "username": account.username, "code": code,
            "link": f"{self._settings.portal_url}{CONFIRM_PRACTICE_PAGE}"})

    def confirm(self, principal: Principal, code: str) -> None:
        """The code from the practice's mailbox makes the account its Tax ID's Provider Administrator."""
        now = self._clock()
        account = self._settled(self._own(principal), now)
        if account.approval != Approval.CONFIRMATION_REQUIRED.value:
            raise NotAwaitingConfirmation()
        practice_codes.check(account, self._hasher, code, now, self._settings.practice_code_attempts)
        self._make_first_administrator(account)
        trail.record(principal, AuditEntry(account_subject(account.username), AuditAction.PRACTICE_CONFIRMED,
                                           account.provider_id, f"taxId={account.tax_id}; Provider Administrator by "
                                           "the code sent to the practice's address on record"), now)

    def _make_first_administrator(self, account: AccountModel) -> None:
        try:
            with transaction() as writes:
                writes.update(account, actions=[
                    AccountModel.grants.set({str(account.tax_id): Grant(PROVIDER_PERMISSIONS, True).stored()}),
                    *office_users.no_longer_awaiting()],
                    condition=AccountModel.approval == Approval.CONFIRMATION_REQUIRED.value)
        except TransactionCancelled:
            raise NotAwaitingConfirmation() from None
        logger.info("first administrator confirmed", extra={"username": account.username, "tax_id": account.tax_id})

    @property
    def _code_lifetime(self) -> timedelta:
        return timedelta(minutes=self._settings.practice_code_minutes)

    @staticmethod
    def _own(principal: Principal) -> AccountModel:
        account = office_users.account_or_none(principal.username)
        if account is None:
            raise SessionExpired()
        return account

    def _settled(self, account: AccountModel, now: datetime) -> AccountModel:
        """An account that waits for its practice's confirmation while its Tax ID has gained an administrator now
        waits for that administrator instead (who is emailed), as a later registration does."""
        if account.approval != Approval.CONFIRMATION_REQUIRED.value or not account.tax_id \
                or not office_users.has_active_administrator(account.tax_id):
            return account
        pending = awaiting(Approval.PENDING_APPROVAL, account.tax_id, now)
        account.approval = pending["approval"]
        notices = approval_notices(account, self._settings.portal_url, now)
        try:
            with transaction() as writes:
                writes.update(account, actions=[
                    *office_users.without_code(),
                    *(getattr(AccountModel, name).set(value) for name, value in pending.items())],
                    condition=AccountModel.approval == Approval.CONFIRMATION_REQUIRED.value)
                for notice in notices:
                    writes.save(notice)
        except TransactionCancelled:
            return self._own_by_name(account.username)
        outbox.publish(notices)
        logger.info("confirmation became approval: the Tax ID has an administrator", extra={
            "username": account.username, "tax_id": account.tax_id})
        return self._own_by_name(account.username)

    @staticmethod
    def _own_by_name(username: str) -> AccountModel:
        account = office_users.account_or_none(username)
        if account is None:
            raise SessionExpired()
        return account

    def _access_of(self, account: AccountModel) -> AccessState:
        contact = providers.practice_contact(account.tax_id, account.provider_id) \
            if account.approval == Approval.CONFIRMATION_REQUIRED.value and account.tax_id else None
        practice = providers.find(account.provider_id) if account.provider_id else None
        return AccessState(
            state=account.approval or APPROVED, tax_id=account.tax_id,
            practice_name=practice.display_name if practice else None,
            contact=masked(contact[1]) if contact else None,
            code_expires_at=practice_codes.live_until(account, self._clock()),
            administrator=not account.approval and bool((grant_of(account) or Grant(frozenset())).administrator),
        )

    # Plan support: the review desk of unconfirmed first administrators

    def awaiting_confirmation(self, actor: Principal, limit: int, token: str | None) -> SearchPage[Confirmation]:
        """One Query of the awaiting index's review-desk partition, oldest first, and one BatchGet of providers."""
        self._support(actor)
        found = search_page(AccountModel, AccountModel.awaiting, "awaiting_key", AWAITING_CONFIRMATION, None, None,
                            limit, token, newest_first=False)
        named = {p.provider_id: p for p in providers.acted_for(
            [a.provider_id for a in found.items if a.provider_id], [])}
        return SearchPage([self._confirmation(account, named.get(account.provider_id or ""))
                           for account in found.items], found.next_token)

    @staticmethod
    def _confirmation(account: AccountModel, provider: providers.Provider | None) -> Confirmation:
        contact = providers.practice_contact(str(account.tax_id), account.provider_id)
        return Confirmation(
            username=account.username, email=account.email,
            email_verified=account.status == AccountStatus.ACTIVE.value, provider_id=account.provider_id,
            provider_name=provider.display_name if provider else None, tax_id=str(account.tax_id),
            contact_email=contact[1] if contact else None, registered_at=account.created_at,
            waiting_since=account.awaiting_since or "")

    def support_confirm(self, actor: Principal, username: str) -> None:
        """Plan support staff make the account its Tax ID's Provider Administrator (after their own check)."""
        self._support(actor)
        now = self._clock()
        account = self._waiting_for_confirmation(username, now)
        self._make_first_administrator(account)
        trail.record(actor, AuditEntry(account_subject(account.username), AuditAction.PRACTICE_CONFIRMED_BY_SUPPORT,
                                       account.provider_id, f"taxId={account.tax_id}; Provider Administrator by "
                                       "plan support staff"), now)

    def support_deny(self, actor: Principal, username: str) -> None:
        self._support(actor)
        now = self._clock()
        account = self._waiting_for_confirmation(username, now)
        self._close(actor, account, Approval.CONFIRMATION_REQUIRED, now, "denied by plan support staff")

    def _waiting_for_confirmation(self, username: str, now: datetime) -> AccountModel:
        account = office_users.account_or_none(username)
        if account is None or account.role != Role.PROVIDER_USER.value:
            raise NotAwaitingConfirmation(fields={"username": "is not waiting for its practice's confirmation"})
        account = self._settled(account, now)
        if account.approval != Approval.CONFIRMATION_REQUIRED.value:
            raise NotAwaitingConfirmation(fields={"username": "is not waiting for its practice's confirmation"})
        return account

    @staticmethod
    def _support(actor: Principal) -> None:
        if not actor.has(Permission.SUPPORT):
            raise PermissionRequired(Permission.SUPPORT.value, Permission.SUPPORT.words)

    # The Tax ID's administrators: registrations waiting for their approval

    def pending(self, actor: Principal, limit: int, token: str | None) -> SearchPage[UserView]:
        """The actor's Tax ID's registrations waiting for approval, oldest first: one Query of its awaiting
        partition."""
        office = office_users.office_of(actor)
        found = search_page(AccountModel, AccountModel.awaiting, "awaiting_key", awaiting_approval_key(office.tax_id),
                            None, None, limit, token, newest_first=False)
        now = self._clock()
        names = {p.provider_id: p.display_name for p in providers.of_tax_id(office.tax_id)}
        return SearchPage([view_of(account, self._lockout, now, names) for account in found.items], found.next_token)

    def approve(self, actor: Principal, username: str, permissions: frozenset[Permission] | None = None, *,
                administrator: bool = False) -> UserView:
        """Give the waiting registration its permissions (the Tax ID's default set unless others are given); only
        an administrator makes an administrator. Twice: NotAwaitingApproval, nothing changed."""
        now = self._clock()
        office, account = administered(actor, username)
        if account.approval != Approval.PENDING_APPROVAL.value:
            raise NotAwaitingApproval(fields={"username": "is not waiting for approval"})
        if administrator and not office.grant.administrator:
            raise PermissionRequired("ADMINISTRATOR", "Provider Administrator")
        chosen = office_users.default_permissions(office.tax_id) if permissions is None else permissions
        grant = Grant(chosen & PROVIDER_PERMISSIONS, administrator)
        notice = outbox.new_email(EmailTemplate.REGISTRATION_APPROVED, account.email, {
            "username": account.username, "link": f"{self._settings.portal_url}/login"}, now)
        try:
            with transaction() as writes:
                writes.update(account, actions=[AccountModel.grants.set({office.tax_id: grant.stored()}),
                                                *office_users.no_longer_awaiting()],
                              condition=(AccountModel.approval == Approval.PENDING_APPROVAL.value)
                              & (AccountModel.tax_id == office.tax_id))
                writes.save(notice)
        except TransactionCancelled:
            raise NotAwaitingApproval(fields={"username": "is not waiting for approval"}) from None
        outbox.publish([notice])
        held = ", ".join(sorted(p.value for p in grant.effective)) or "none"
        detail = f"taxId={office.tax_id}; permissions: {held}" + ("; administrator" if administrator else "")
        trail.record(actor, AuditEntry(account_subject(account.username), AuditAction.USER_APPROVED,
                                       account.provider_id, detail), now)
        logger.info("registration approved", extra={"username": account.username, "by": actor.username})
        approved = office_users.account_or_none(account.username)
        assert approved is not None  # just written; an account is never deleted
        return view_of(approved, self._lockout, now)

    def deny(self, actor: Principal, username: str) -> None:
        """Close the waiting registration; its registrant is emailed."""
        now = self._clock()
        _, account = administered(actor, username)
        if account.approval != Approval.PENDING_APPROVAL.value:
            raise NotAwaitingApproval(fields={"username": "is not waiting for approval"})
        self._close(actor, account, Approval.PENDING_APPROVAL, now, "denied by an administrator of the Tax ID")

    def _close(self, actor: Principal, account: AccountModel, waiting: Approval, now: datetime, why: str) -> None:
        notice = outbox.new_email(EmailTemplate.REGISTRATION_DENIED, account.email, {
            "username": account.username, "link": f"{self._settings.portal_url}/"}, now)
        tax_id = account.tax_id
        closed = office_users.close_account(account, condition=AccountModel.approval == waiting.value, notice=notice)
        if not closed:
            raise (NotAwaitingApproval if waiting == Approval.PENDING_APPROVAL else NotAwaitingConfirmation)(
                fields={"username": "is no longer waiting"})
        outbox.publish([notice])
        trail.record(actor, AuditEntry(account_subject(account.username), AuditAction.USER_DENIED, account.provider_id,
                                       f"taxId={tax_id}; {why}; account closed"), now)
        logger.info("registration denied", extra={"username": account.username, "by": actor.username})
