"""A Tax ID's accounts as its administrators see them: who administers it, who may act on whom, what a user shows.

Shared by the accounts service (permissions), registration approval (``approval``) and Manage Users
(``administration``). Every read is by key: the account's item, or one Query of the Tax ID's partition of the
accounts table's ``tax-id-index``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.accounts.enums import AccountStatus, Approval, UserStatus
from chalicelib.accounts.grants import Grant, grant_on, grants_version
from chalicelib.accounts.policies import LockoutPolicy
from chalicelib.accounts.store import (
    AccountModel,
    EmailClaimModel,
    SessionModel,
    TaxIdSettingsModel,
    account_key,
    email_key,
    normalize_username,
    tax_id_settings_key,
)
from chalicelib.platform.access import Principal
from chalicelib.platform.dynamo.writes import Missing, TransactionCancelled, cancelled_by_condition, transaction
from chalicelib.platform.errors import (
    AccountClosed,
    AccountDeactivated,
    LastAdministrator,
    NotActivated,
    NotFound,
    PermissionRequired,
    PortalError,
)
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, Permission

if TYPE_CHECKING:
    from chalicelib.emails.store import OutboxMessageModel

NOT_YOURS = "is not a user you administer"
DEFAULT_PERMISSIONS: frozenset[Permission] = frozenset({
    Permission.ELIGIBILITY, Permission.CLAIMS_VIEW, Permission.PRIOR_AUTH_VIEW})
"""A Tax ID's default permission set until its administrators keep their own: look-ups, nothing that submits,
pays or administers."""
CODE_ATTRIBUTES = ("practice_code_hash", "practice_code_expires_at", "practice_code_attempts")
AWAITING_ATTRIBUTES = ("approval", "awaiting_key", "awaiting_since", *CODE_ATTRIBUTES)


def refusal_for(status: str) -> PortalError:
    """Why an account that is not active cannot log in or keep a session."""
    if status == AccountStatus.DISABLED.value:
        return AccountDeactivated()
    if status == AccountStatus.CLOSED.value:
        return AccountClosed()
    return NotActivated()


def account_or_none(username: str) -> AccountModel | None:
    if not normalize_username(username):
        return None
    try:
        return AccountModel.get(account_key(username))
    except Missing:
        return None


def stored_grants(account: AccountModel) -> dict[str, Any] | None:
    return account.grants.as_dict() if account.grants is not None else None


def grant_of(account: AccountModel) -> Grant | None:
    """The account's grant on its Tax ID (None: it acts in none, as plan staff)."""
    return grant_on(account.tax_id, account.provider_type, stored_grants(account))


def is_active_administrator(account: AccountModel) -> bool:
    grant = grant_of(account)
    return account.status == AccountStatus.ACTIVE.value and not account.approval and grant is not None \
        and grant.administrator


def tax_id_accounts(tax_id: str) -> list[AccountModel]:
    """Every account of the Tax ID: one Query of its partition (a Tax ID's staff, tens of items)."""
    return list(AccountModel.by_tax_id.query(tax_id))


def has_active_administrator(tax_id: str) -> bool:
    return any(is_active_administrator(account) for account in tax_id_accounts(tax_id))


def user_administrators(tax_id: str) -> list[AccountModel]:
    """The Tax ID's active accounts that administer its users (administrators and holders of user administration)."""
    return [account for account in tax_id_accounts(tax_id)
            if account.status == AccountStatus.ACTIVE.value and not account.approval
            and Permission.USER_ADMIN in (grant_of(account) or Grant(frozenset())).effective]


def another_administrator(account: AccountModel) -> AccountModel:
    """Another active administrator of the account's Tax ID, whose standing the write that demotes, deactivates or
    removes ``account`` checks in its transaction; LastAdministrator when there is none."""
    for other in tax_id_accounts(account.tax_id):
        if other.pk != account.pk and is_active_administrator(other):
            return other
    raise LastAdministrator()


def still_administrator(account: AccountModel) -> Any:
    """The condition that ``account`` is still an active administrator (a transaction's ConditionCheck)."""
    if account.grants is None:  # the migration default: a group account with no grants is its administrator
        held = AccountModel.grants.does_not_exist() & (AccountModel.provider_type == account.provider_type)
    else:
        held = AccountModel.grants[account.tax_id]["administrator"] == True  # noqa: E712 (a DynamoDB condition)
    return held & (AccountModel.status == AccountStatus.ACTIVE.value) & AccountModel.approval.does_not_exist()


def grants_unchanged(account: AccountModel) -> Any:
    """The condition that the account's grants are still what was read (a change on a stale read is refused)."""
    read = stored_grants(account)
    return AccountModel.grants.does_not_exist() if read is None else AccountModel.grants == read


def end_sessions(username: str, *, keep: str | None = None) -> int:
    """End every session of the account but ``keep`` (a token hash), through its username index (authentication
    refuses a session of an account that is no longer active anyway, so one the index has not shown yet ends on
    its next request)."""
    keys = [session for session in SessionModel.by_username.query(username) if session.token_hash != keep]
    with SessionModel.batch_write() as batch:
        for session in keys:
            batch.delete(session)
    return len(keys)


@dataclass(frozen=True)
class Office:
    """The acting administrator's account, its grant and the Tax ID it administers."""

    account: AccountModel
    grant: Grant

    @property
    def tax_id(self) -> str:
        return str(self.account.tax_id)


def office_of(actor: Principal) -> Office:
    """The Tax ID the actor administers: 404 for an account with none (plan staff), 403 without user administration.
    Read from the actor's account as it is now, so a permission just taken away counts."""
    account = None if actor.is_plan_staff else account_or_none(actor.username)
    grant = grant_of(account) if account is not None else None
    if account is None or grant is None or account.approval:
        raise NotFound(fields={"username": NOT_YOURS})
    if Permission.USER_ADMIN not in grant.effective:
        raise PermissionRequired(Permission.USER_ADMIN.value, Permission.USER_ADMIN.words)
    return Office(account, grant)


def administered(actor: Principal, username: str) -> tuple[Office, AccountModel]:
    """The actor's office and the account it names, when that account is a user of the same Tax ID; else the same
    404 as a user that does not exist (another office's users stay unseen)."""
    office = office_of(actor)
    account = account_or_none(username)
    if account is None or account.role != office.account.role or account.tax_id != office.tax_id:
        raise NotFound(fields={"username": NOT_YOURS})
    return office, account


@dataclass(frozen=True)
class UserView:
    """One user of a Tax ID as Manage Users shows it."""

    username: str
    email: str
    provider_id: str | None
    provider_type: str | None
    status: UserStatus
    locked: bool
    last_login_at: datetime | None
    registered_at: datetime
    administrator: bool
    permissions: tuple[Permission, ...]
    version: str
    """What the grants were when read: a change sent with another version is refused (PERMISSIONS_CHANGED)."""
    provider_name: str | None = None

    @property
    def awaiting(self) -> bool:
        return self.status in (UserStatus.PENDING_APPROVAL, UserStatus.CONFIRMATION_REQUIRED)


def status_of(account: AccountModel) -> UserStatus:
    if account.status == AccountStatus.DISABLED.value:
        return UserStatus.DEACTIVATED
    if account.status == AccountStatus.CLOSED.value:
        return UserStatus.CLOSED
    if account.approval:
        return UserStatus(Approval(account.approval).value)
    if account.status == AccountStatus.PENDING_ACTIVATION.value:
        return UserStatus.PENDING_ACTIVATION
    return UserStatus.ACTIVE


def view_of(account: AccountModel, lockout: LockoutPolicy, now: datetime,
            names: Mapping[str, str] | None = None) -> UserView:
    """The user as Manage Users shows it; ``names``: provider names by provider ID (its Tax ID's, one Query)."""
    grant = grant_of(account) or Grant(frozenset())
    held = frozenset() if account.approval else grant.effective
    return UserView(
        username=account.username, email=account.email, provider_id=account.provider_id,
        provider_type=account.provider_type, status=status_of(account),
        locked=lockout.is_locked(account.failed_logins or 0, account.last_login_attempt_at, now),
        last_login_at=account.last_login_at, registered_at=account.created_at,
        administrator=grant.administrator and not account.approval,
        permissions=tuple(sorted(held)), version=grants_version(stored_grants(account)),
        provider_name=(names or {}).get(account.provider_id or ""),
    )


def no_longer_awaiting() -> list[Any]:
    """The update actions that end an account's wait (its approval, its place in the awaiting index, its code)."""
    return [getattr(AccountModel, name).remove() for name in AWAITING_ATTRIBUTES]


def without_code() -> list[Any]:
    return [getattr(AccountModel, name).remove() for name in CODE_ATTRIBUTES]


def close_account(account: AccountModel, *, condition: Any, keep_administrator: AccountModel | None = None,
                  notice: OutboxMessageModel | None = None) -> bool:
    """Close the account for good, in one transaction: out of its Tax ID (no grant, off the Tax ID's index and the
    awaiting index), its email address free for a new registration, the username kept (audit trails name it); then
    its sessions end. ``condition`` must hold on the account and ``keep_administrator`` stay an active
    administrator. False when the account's condition failed; LastAdministrator when the other one's did."""
    try:
        with transaction() as writes:
            writes.update(account, actions=[
                AccountModel.status.set(AccountStatus.CLOSED.value), AccountModel.tax_id.remove(),
                AccountModel.grants.set({}), *no_longer_awaiting()], condition=condition)
            writes.delete(EmailClaimModel(pk=email_key(account.email)),
                          condition=EmailClaimModel.username == account.username)
            if keep_administrator is not None:
                writes.condition_check(AccountModel, keep_administrator.pk,
                                       condition=still_administrator(keep_administrator))
            if notice is not None:
                writes.save(notice)
    except TransactionCancelled as error:
        failed = [*cancelled_by_condition(error), False, False, False]
        if failed[0] or failed[1]:
            return False
        if keep_administrator is not None and failed[2]:
            raise LastAdministrator() from None
        raise
    end_sessions(account.username)
    return True


def default_permissions(tax_id: str) -> frozenset[Permission]:
    """The permission set the Tax ID's administrators approve a new user with in one step."""
    try:
        stored = TaxIdSettingsModel.get(tax_id_settings_key(tax_id))
    except Missing:
        return DEFAULT_PERMISSIONS
    return frozenset(Permission(p) for p in stored.default_permissions if p in Permission.__members__)


def keep_default_permissions(tax_id: str, permissions: frozenset[Permission], by: str, now: datetime) -> None:
    TaxIdSettingsModel(pk=tax_id_settings_key(tax_id), updated_at=now, updated_by=by,
                       default_permissions=[p.value for p in sorted(permissions & PROVIDER_PERMISSIONS)]).save()
