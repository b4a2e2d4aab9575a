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

from chalicelib.accounts import linking
from chalicelib.accounts.enums import AccountStatus, Approval, DeactivationReason, LinkStatus, UserStatus
from chalicelib.accounts.grants import Grant, grant_on, grants_version
from chalicelib.accounts.linking import LinkEntry
from chalicelib.accounts.policies import LockoutPolicy
from chalicelib.accounts.store import (
    AccountModel,
    EmailClaimModel,
    LinkModel,
    SessionModel,
    TaxIdSettingsModel,
    account_key,
    email_key,
    link_key,
    links_of_tax_id_key,
    normalize_username,
    out_of_inactivity_index,
    tax_id_settings_key,
)
from chalicelib.platform.access import Principal
from chalicelib.platform.dynamo.writes import Missing, TransactionCancelled, cancelled_by_condition, transaction
from chalicelib.platform.errors import (
    AccountClosed,
    AccountDeactivated,
    AccountDeactivatedUnused,
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


def refusal_for(account: AccountModel, inactive_days: int) -> PortalError:
    """Why an account that is not active cannot log in or keep a session."""
    status = account.status
    if status == AccountStatus.DISABLED.value and deactivated_unused(account):
        return AccountDeactivatedUnused(inactive_days)
    if status == AccountStatus.DISABLED.value:
        return AccountDeactivated()
    if status == AccountStatus.CLOSED.value:
        return AccountClosed()
    return NotActivated()


def deactivated_unused(account: AccountModel) -> bool:
    """Deactivated by the inactivity job (not by an administrator): a password reset brings it back."""
    return account.status == AccountStatus.DISABLED.value \
        and account.deactivated_reason == DeactivationReason.INACTIVITY.value


def reactivated() -> list[Any]:
    """The update actions that make a deactivated account active again (an administrator's, or a reset after
    inactivity), its time without use starting now (``store.into_inactivity_index``)."""
    return [AccountModel.status.set(AccountStatus.ACTIVE.value), AccountModel.deactivated_reason.remove(),
            AccountModel.deactivated_at.remove()]


def account_or_none(username: str) -> AccountModel | None:
    if not normalize_username(username):
        return None
    try:
        return AccountModel.get(account_key(username))
    except Missing:
        return None


def stored_grants(account: AccountModel) -> dict[str, Any] | None:
    return account.grants.as_dict() if account.grants is not None else None


def stored_links(account: AccountModel) -> dict[str, Any] | None:
    return account.links.as_dict() if account.links is not None else None


def links_of(account: AccountModel) -> list[LinkEntry]:
    """The providers linked to the login (Account Linker), whatever their status."""
    return linking.entries(stored_links(account))


def links_into(account: AccountModel, tax_id: str, *, active_only: bool = True) -> list[LinkEntry]:
    return [link for link in links_of(account) if link.tax_id == tax_id and (link.active or not active_only)]


def grant_in(account: AccountModel, tax_id: str | None) -> Grant | None:
    """The account's grant on ``tax_id``: its own Tax ID's (with the migration default for accounts stored before
    permissions), a linked Tax ID's as stored (written when the link was approved); None where it acts in none."""
    if not tax_id:
        return None
    if tax_id == account.tax_id:
        return grant_on(account.tax_id, account.provider_type, stored_grants(account))
    stored = stored_grants(account) or {}
    return grant_on(tax_id, account.provider_type, stored) if tax_id in stored else None


def grant_of(account: AccountModel) -> Grant | None:
    """The account's grant on its Tax ID (None: it acts in none, as plan staff)."""
    return grant_in(account, account.tax_id)


def materialized_grants(account: AccountModel) -> dict[str, Any]:
    """The stored grants, or for an account stored before permissions its migration default written out, so a write
    that adds a linked Tax ID's grant keeps what the account's own Tax ID gave it."""
    stored = stored_grants(account)
    if stored is not None:
        return stored
    own = grant_of(account)
    return {str(account.tax_id): own.stored()} if own is not None and account.tax_id else {}


def member_of(account: AccountModel, tax_id: str) -> bool:
    """A user of the Tax ID: registered into it, or linked to one of its providers (an active link)."""
    return account.tax_id == tax_id or bool(links_into(account, tax_id))


def is_active_administrator(account: AccountModel, tax_id: str | None = None) -> bool:
    tax_id = tax_id or account.tax_id
    grant = grant_in(account, tax_id)
    return account.status == AccountStatus.ACTIVE.value and not account.approval and grant is not None \
        and grant.administrator and member_of(account, str(tax_id))


def tax_id_accounts(tax_id: str) -> list[AccountModel]:
    """Every account registered into the Tax ID: one Query of its partition (a Tax ID's staff, tens of items)."""
    return list(AccountModel.by_tax_id.query(tax_id))


def linked_accounts(tax_id: str) -> list[AccountModel]:
    """The accounts of other Tax IDs linked to one of this Tax ID's providers (active links): one Query of its links'
    partition and one batch get of their accounts."""
    usernames = sorted({link.username for link in LinkModel.by_tax_id.query(links_of_tax_id_key(tax_id))
                        if link.status == LinkStatus.ACTIVE.value})
    found = [account for account in AccountModel.batch_get([account_key(name) for name in usernames])
             if member_of(account, tax_id)]
    return sorted(found, key=lambda account: account.pk)


def office_accounts(tax_id: str) -> list[AccountModel]:
    """The Tax ID's users: its own accounts, then those linked to it."""
    return [*tax_id_accounts(tax_id), *linked_accounts(tax_id)]


def has_active_administrator(tax_id: str) -> bool:
    """Asks the Tax ID's linked accounts only when none of its own administers it."""
    return any(is_active_administrator(account, tax_id) for account in tax_id_accounts(tax_id)) or any(
        is_active_administrator(account, tax_id) for account in linked_accounts(tax_id))


def user_administrators(tax_id: str) -> list[AccountModel]:
    """The Tax ID's active accounts that administer its users (administrators and holders of user administration),
    its own and those linked to it."""
    return [account for account in office_accounts(tax_id)
            if account.status == AccountStatus.ACTIVE.value and not account.approval
            and Permission.USER_ADMIN in (grant_in(account, tax_id) or Grant(frozenset())).effective]


def another_administrator(account: AccountModel, tax_id: str | None = None) -> AccountModel:
    """Another active administrator of the Tax ID (the account's own by default), whose standing the write that
    demotes, deactivates, removes or unlinks ``account`` checks in its transaction; LastAdministrator when there is
    none."""
    tax_id = tax_id or str(account.tax_id)
    for other in office_accounts(tax_id):
        if other.pk != account.pk and is_active_administrator(other, tax_id):
            return other
    raise LastAdministrator()


def still_administrator(account: AccountModel, tax_id: str | None = None) -> Any:
    """The condition that ``account`` is still an active administrator of the Tax ID (a transaction's
    ConditionCheck)."""
    tax_id = tax_id or str(account.tax_id)
    if account.grants is None:  # the migration default: a group account with no grants is its administrator
        held = AccountModel.grants.does_not_exist() & (AccountModel.provider_type == account.provider_type)
    else:
        held = AccountModel.grants[tax_id]["administrator"] == True  # noqa: E712 (a DynamoDB condition)
    return held & (AccountModel.status == AccountStatus.ACTIVE.value) & AccountModel.approval.does_not_exist()


def links_unchanged(account: AccountModel) -> Any:
    """The condition that the account's links are still what was read."""
    read = stored_links(account)
    return AccountModel.links.does_not_exist() if read is None else AccountModel.links == read


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
    """The acting administrator's account, its grant and the Tax ID it administers (the one it acts in)."""

    account: AccountModel
    grant: Grant
    tax_id: str


def acting_tax_id(actor: Principal, account: AccountModel) -> str | None:
    """The Tax ID the actor's request acts in (Account Linker: one of the login's at a time), else its own."""
    return actor.acting_tax_id or account.tax_id


def office_of(actor: Principal) -> Office:
    """The Tax ID the actor administers, the one its request acts in: 404 for an account with none (plan staff), 403
    without user administration there. Read from the actor's account as it is now, so a permission just taken away
    (or a link just removed) counts."""
    account = None if actor.is_plan_staff else account_or_none(actor.username)
    tax_id = acting_tax_id(actor, account) if account is not None else None
    grant = grant_in(account, tax_id) if account is not None else None
    if account is None or tax_id is None or grant is None or account.approval or not member_of(account, tax_id):
        raise NotFound(fields={"username": NOT_YOURS})
    if Permission.USER_ADMIN not in grant.effective:
        raise PermissionRequired(Permission.USER_ADMIN.value, Permission.USER_ADMIN.words)
    return Office(account, grant, tax_id)


def administered(actor: Principal, username: str) -> tuple[Office, AccountModel]:
    """The actor's office and the account it names, when that account is a user of the same Tax ID (its own, or
    linked to it); else the same 404 as a user that does not exist (another office's users stay unseen)."""
    office = office_of(actor)
    account = account_or_none(username)
    if account is None or account.role != office.account.role or not member_of(account, office.tax_id):
        raise NotFound(fields={"username": NOT_YOURS})
    return office, account


def is_linked(account: AccountModel, tax_id: str) -> bool:
    """A user of the Tax ID through a link only: its account belongs to another Tax ID."""
    return account.tax_id != tax_id


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
    linked: bool = False
    """A user of another Tax ID linked to this one (Account Linker): its permissions here are this Tax ID's grant;
    its account is its own Tax ID's to deactivate, unlock or reset."""
    deactivated_reason: str | None = None
    """``INACTIVITY``: deactivated for going unused (a reset brings it back too); None: by an administrator."""

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
            names: Mapping[str, str] | None = None, tax_id: str | None = None) -> UserView:
    """The user as Manage Users of ``tax_id`` (its own by default) shows it; ``names``: provider names by provider ID
    (the Tax ID's, one Query). A linked user shows the provider linked and its grant on that Tax ID."""
    tax_id = tax_id or account.tax_id
    linked = bool(tax_id) and is_linked(account, str(tax_id))
    link = next(iter(links_into(account, str(tax_id))), None) if linked else None
    grant = grant_in(account, tax_id) or Grant(frozenset())
    held = frozenset() if account.approval else grant.effective
    provider_id = link.provider_id if link is not None else account.provider_id
    return UserView(
        username=account.username, email=account.email, provider_id=provider_id,
        provider_type=link.provider_type if link is not None else account.provider_type, status=status_of(account),
        locked=lockout.is_locked(account.failed_logins or 0, account.last_login_attempt_at, now),
        last_login_at=account.last_login_at, registered_at=account.created_at,
        administrator=grant.administrator and not account.approval,
        permissions=tuple(sorted(held)), version=grants_version(stored_grants(account)),
        provider_name=(names or {}).get(provider_id or ""), linked=linked,
        deactivated_reason=account.deactivated_reason if deactivated_unused(account) else None,
    )


def no_longer_awaiting() -> list[Any]:
    """The update actions that end an account's wait (its approval, its place in the awaiting index, its code)."""
    return [getattr(AccountModel, name).remove() for name in AWAITING_ATTRIBUTES]


def without_code() -> list[Any]:
    return [getattr(AccountModel, name).remove() for name in CODE_ATTRIBUTES]


def close_account(account: AccountModel, *, condition: Any, keep_administrator: AccountModel | None = None,
                  notice: OutboxMessageModel | None = None) -> bool:
    """Close the account for good, in one transaction: out of its Tax ID (no grant, off the Tax ID's index and the
    awaiting index), out of every Tax ID it was linked to (its links deleted), its email address free for a new
    registration, the username kept (audit trails name it); then
    its sessions end. ``condition`` must hold on the account and ``keep_administrator`` stay an active
    administrator. False when the account's condition failed; LastAdministrator when the other one's did."""
    try:
        with transaction() as writes:
            writes.update(account, actions=[
                AccountModel.status.set(AccountStatus.CLOSED.value), AccountModel.tax_id.remove(),
                AccountModel.grants.set({}), AccountModel.links.remove(), AccountModel.link_pending.remove(),
                *no_longer_awaiting(), *out_of_inactivity_index()], condition=condition)
            writes.delete(EmailClaimModel(pk=email_key(account.email)),
                          condition=EmailClaimModel.username == account.username)
            if keep_administrator is not None:
                writes.condition_check(AccountModel, keep_administrator.pk,
                                       condition=still_administrator(keep_administrator))
            if notice is not None:
                writes.save(notice)
            for link in links_of(account):  # its links go with it (at most linking.MAX_LINKS)
                writes.delete(LinkModel(pk=link_key(account.username, link.provider_id)))
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


def unlink(account: AccountModel, provider_ids: list[str], *, keep_administrator: AccountModel | None = None,
           tax_id: str | None = None, notice: OutboxMessageModel | None = None) -> bool:
    """Take the providers off the login in one transaction: their links deleted, and the grant on a linked Tax ID
    with no provider of the login left. Conditional on the links read (False when they changed meanwhile);
    ``keep_administrator`` must stay an active administrator of ``tax_id`` (LastAdministrator otherwise)."""
    gone = set(provider_ids)
    kept = [link for link in links_of(account) if link.provider_id not in gone]
    taken = [link for link in links_of(account) if link.provider_id in gone]
    dropped = {link.tax_id for link in taken} - {link.tax_id for link in kept if link.active} - {str(account.tax_id)}
    grants = stored_grants(account)
    actions = [AccountModel.links.set(linking.stored_links(kept))]
    if grants is not None and dropped & set(grants):
        actions.append(AccountModel.grants.set({key: value for key, value in grants.items() if key not in dropped}))
    if account.link_pending in gone:
        actions.append(AccountModel.link_pending.remove())
    try:
        with transaction() as writes:
            writes.update(account, actions=actions, condition=links_unchanged(account) & grants_unchanged(account))
            if keep_administrator is not None:
                writes.condition_check(AccountModel, keep_administrator.pk,
                                       condition=still_administrator(keep_administrator, tax_id))
            if notice is not None:
                writes.save(notice)
            for link in taken:
                writes.delete(LinkModel(pk=link_key(account.username, link.provider_id)))
    except TransactionCancelled as error:
        failed = [*cancelled_by_condition(error), False, False]
        if failed[0]:
            return False
        if keep_administrator is not None and failed[1]:
            raise LastAdministrator() from None
        raise
    return True
