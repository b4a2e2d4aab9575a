"""Manage Users: a Tax ID's administrators (user administration) list and change its users.

Every change is one conditional write (or transaction) on the account as it was read, audited with who did it to
whom and what changed (the audit service's ``account_subject`` trail), and counts on the user's next request: the
accounts service reads the account on every authenticated request and refuses a session of an account that is no
longer active (a deactivated user's open session stops at once; its sessions are also deleted). A user of another
Tax ID answers 404; the last active administrator of a Tax ID is never deactivated, removed or demoted
(``LAST_ADMINISTRATOR``), nor may an administrator do either to its own account here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.accounts import office_users
from chalicelib.accounts.enums import AccountStatus, DeactivationReason, LinkStatus, UserStatus
from chalicelib.accounts.impersonation import helper_words
from chalicelib.accounts.office_users import Office, UserView, administered, is_active_administrator, view_of
from chalicelib.accounts.policies import LockoutPolicy
from chalicelib.accounts.store import (
    AccountModel,
    LinkModel,
    account_key,
    into_inactivity_index,
    links_of_tax_id_key,
    out_of_inactivity_index,
)
from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry, AuditPage, account_subject, tax_id_subject
from chalicelib.emails import outbox
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform.dynamo.paging import search_page
from chalicelib.platform.dynamo.writes import TransactionCancelled, WriteFailed, cancelled_by_condition, transaction
from chalicelib.platform.errors import LastAdministrator, LinkedUser, OwnAccount, UserStatusConflict
from chalicelib.platform.logs import logger
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, Permission
from chalicelib.providers import service as providers

if TYPE_CHECKING:
    from chalicelib.accounts.service import AccountService
    from chalicelib.platform.access import Principal
    from chalicelib.platform.clock import Clock
    from chalicelib.platform.config import Settings


@dataclass(frozen=True)
class UserPage:
    """A page of the Tax ID's users by username, without a total (DECISIONS: Lists and counts); ``next_token`` is
    set only when more exist."""

    items: list[UserView]
    next_token: str | None


@dataclass(frozen=True)
class UserDetail:
    """One user's page: the user, whether the actor is an administrator (who alone makes administrators), the Tax
    ID's default permission set, and the latest changes to the user."""

    view: UserView
    actor_is_administrator: bool
    defaults: frozenset[Permission]
    history: AuditPage


def changes(before: UserView, after: UserView) -> str:
    """What a permission change did, in the audit record's words: ``+PAYMENTS -CLAIMS_SUBMIT; administrator: no``."""
    added = sorted(set(after.permissions) - set(before.permissions))
    taken = sorted(set(before.permissions) - set(after.permissions))
    parts = [" ".join([*(f"+{p.value}" for p in added), *(f"-{p.value}" for p in taken)])]
    if before.administrator != after.administrator:
        parts.append(f"administrator: {'yes' if after.administrator else 'no'}")
    return "; ".join(part for part in parts if part)


class UserAdministration:
    def __init__(self, settings: Settings, accounts: AccountService, *, clock: Clock) -> None:
        self._settings = settings
        self._accounts = accounts
        self._clock = clock
        self._lockout = LockoutPolicy.from_settings(settings)

    # Reading

    def users(self, actor: Principal, limit: int, token: str | None) -> UserPage:
        """One Query of the Tax ID's partition of the accounts' ``tax-id-index`` (at most ``limit`` + 1 items), and
        one of its providers for their names."""
        office = office_users.office_of(actor)
        found = search_page(AccountModel, AccountModel.by_tax_id, "tax_id", office.tax_id, None, None, limit, token,
                            newest_first=False)
        names = {p.provider_id: p.display_name for p in providers.of_tax_id(office.tax_id)}
        now = self._clock()
        return UserPage([view_of(account, self._lockout, now, names) for account in found.items], found.next_token)

    def linked_users(self, actor: Principal, limit: int, token: str | None) -> UserPage:
        """The users of other Tax IDs linked to this Tax ID's providers (Account Linker), by username: one Query of
        its links' partition (at most ``limit`` + 1 items), one batch get of their accounts, one Query of its
        providers for their names."""
        office = office_users.office_of(actor)
        found = search_page(LinkModel, LinkModel.by_tax_id, "tax_id", links_of_tax_id_key(office.tax_id), None,
                            LinkModel.status == LinkStatus.ACTIVE.value, limit, token, newest_first=False)
        usernames = list(dict.fromkeys(link.username for link in found.items))
        accounts = {account.username: account for account in AccountModel.batch_get(
            [account_key(name) for name in usernames])}
        names = {p.provider_id: p.display_name for p in providers.of_tax_id(office.tax_id)}
        now = self._clock()
        return UserPage([view_of(accounts[name], self._lockout, now, names, office.tax_id) for name in usernames
                         if name in accounts and office_users.member_of(accounts[name], office.tax_id)],
                        found.next_token)

    @staticmethod
    def is_administrator(actor: Principal) -> bool:
        """Whether the actor is a Provider Administrator of the Tax ID it acts in (who alone makes administrators)."""
        return office_users.office_of(actor).grant.administrator

    def user(self, actor: Principal, username: str) -> UserView:
        office, account = administered(actor, username)
        return self._view(account, office.tax_id)

    def detail(self, actor: Principal, username: str, history: int) -> UserDetail:
        office, account = administered(actor, username)
        return UserDetail(self._view(account, office.tax_id), office.grant.administrator,
                          office_users.default_permissions(office.tax_id),
                          self._changes(account, office.tax_id, history, None))

    def history(self, actor: Principal, username: str, limit: int, token: str | None) -> AuditPage:
        """Who changed this user's access in the Tax ID, newest first (the audit trail kept under the user)."""
        office, account = administered(actor, username)
        return self._changes(account, office.tax_id, limit, token)

    @staticmethod
    def _changes(account: AccountModel, tax_id: str, limit: int, token: str | None) -> AuditPage:
        """The user's trail as this Tax ID's administrators see it: the records of this Tax ID (``taxId=<tax id>``),
        and, for a user of its own, the account's own events (its second factor) too. A user linked to several Tax IDs
        has records of each, and one Tax ID's administrators see only theirs. A page may hold fewer items."""
        found = trail.by_member(account_subject(account.username), limit, token)
        own_user = not office_users.is_linked(account, tax_id)

        def shown(detail: str | None) -> bool:
            named = (detail or "").split(";")[0]
            return named == f"taxId={tax_id}" or (own_user and not named.startswith("taxId="))

        return AuditPage([item for item in found.items if shown(item.detail)], found.next_token)

    def _view(self, account: AccountModel, tax_id: str) -> UserView:
        """The user as Manage Users of ``tax_id`` shows it (a linked user: the provider linked, the grant there)."""
        links = office_users.links_into(account, tax_id) if office_users.is_linked(account, tax_id) else []
        provider_id = links[0].provider_id if links else account.provider_id
        provider = providers.find(provider_id) if provider_id else None
        names = {provider.provider_id: provider.display_name} if provider else {}
        return view_of(account, self._lockout, self._clock(), names, tax_id)

    # Changing

    def change_permissions(self, actor: Principal, username: str, permissions: frozenset[Permission], *,
                           administrator: bool | None = None, version: str | None = None) -> UserView:
        """The accounts service's change (only an administrator makes administrators, the last one stays, a stale
        ``version`` is PERMISSIONS_CHANGED), refused for a registration still waiting (approve it instead)."""
        office, account = administered(actor, username)
        before = self._view(account, office.tax_id)
        if before.awaiting:
            raise self._conflict(before, "The user's registration is not approved yet: approve it with its "
                                         "permissions, or deny it.")
        self._accounts.change_permissions(actor, account.username, permissions & PROVIDER_PERMISSIONS,
                                          administrator=administrator, expected_version=version)
        after = self.user(actor, account.username)
        what = changes(before, after)
        if what:
            self._audit(actor, office, after, AuditAction.USER_PERMISSIONS_CHANGED, what)
        return after

    def deactivate(self, actor: Principal, username: str) -> UserView:
        office, account = self._own_user(actor, username)
        if account.status != AccountStatus.ACTIVE.value or account.approval:
            raise self._conflict(self._view(account, office.tax_id), "Only an active, approved user can be "
                                                                     "deactivated.")
        other = office_users.another_administrator(account) if is_active_administrator(account) else None
        try:
            with transaction() as writes:
                writes.update(account, actions=[AccountModel.status.set(AccountStatus.DISABLED.value),
                                                AccountModel.deactivated_at.set(self._clock()),
                                                *out_of_inactivity_index()],
                              condition=(AccountModel.status == AccountStatus.ACTIVE.value)
                              & (AccountModel.tax_id == office.tax_id))
                if other is not None:
                    writes.condition_check(AccountModel, other.pk, condition=office_users.still_administrator(other))
        except TransactionCancelled as error:
            failed = [*cancelled_by_condition(error), False, False]
            if failed[0]:
                raise self._conflict(self.user(actor, username), "The user changed meanwhile.") from None
            if failed[1]:
                raise LastAdministrator() from None
            raise
        ended = office_users.end_sessions(account.username)
        view = self.user(actor, account.username)
        self._audit(actor, office, view, AuditAction.USER_DEACTIVATED, f"sessions ended: {ended}")
        return view

    def reactivate(self, actor: Principal, username: str) -> UserView:
        office, account = self._own_user(actor, username)
        unused = office_users.deactivated_unused(account)
        try:  # deactivated by an administrator or for going unused alike; its time without use starts again
            account.update(actions=[*office_users.reactivated(),
                                    *into_inactivity_index(account.username, self._clock())],
                           condition=(AccountModel.status == AccountStatus.DISABLED.value)
                           & (AccountModel.tax_id == office.tax_id))
        except WriteFailed:
            raise self._conflict(self._view(account, office.tax_id),
                                 "Only a deactivated user can be reactivated.") from None
        view = self.user(actor, account.username)
        self._audit(actor, office, view, AuditAction.USER_REACTIVATED,
                    f"it was not used for {self._settings.inactive_days} days" if unused else "")
        return view

    def unlock(self, actor: Principal, username: str) -> UserView:
        office, account = self._own_user(actor, username, oneself=True)
        before = self._view(account, office.tax_id)
        if not before.locked:
            raise self._conflict(before, "The user is not locked.")
        notice = outbox.new_email(EmailTemplate.ACCOUNT_UNLOCKED, account.email, {
            "username": account.username, "by": helper_words(actor.username, plan_staff=False),
            "link": f"{self._settings.portal_url}/login"}, self._clock())
        if not self._accounts.clear_lockout(account, condition=AccountModel.tax_id == office.tax_id, notice=notice):
            raise self._conflict(self.user(actor, username), "The user changed meanwhile.")
        view = self.user(actor, account.username)
        self._audit(actor, office, view, AuditAction.USER_UNLOCKED, "failed logins cleared; the owner was emailed")
        return view

    def send_password_reset(self, actor: Principal, username: str) -> None:
        """The reset email the user's own "Forgot password?" sends (its link, its hourly limit), to its own address."""
        office, account = self._own_user(actor, username, oneself=True)
        view = self._view(account, office.tax_id)
        if view.status != UserStatus.ACTIVE:
            raise self._conflict(view, "A password reset email goes to an active, approved user only.")
        self._accounts.forgot_password(account.username)
        self._audit(actor, office, view, AuditAction.USER_PASSWORD_RESET_SENT, "to the user's own email address")

    def remove(self, actor: Principal, username: str) -> None:
        """Remove the user from the Tax ID: the account is closed (its sessions end, its email is free again). A user
        linked from another Tax ID loses its links here instead, and its grant on this Tax ID (DECISIONS: removing
        a practitioner from a Tax ID removes its links); its account stays its own Tax ID's."""
        office, account = self._someone_else(actor, username)
        view = self._view(account, office.tax_id)
        if view.linked:
            self._unlink(actor, office, account, view)
            return
        other = office_users.another_administrator(account) if is_active_administrator(account) else None
        closed = office_users.close_account(account, condition=AccountModel.tax_id == office.tax_id,
                                            keep_administrator=other)
        if not closed:
            raise self._conflict(view, "The user changed meanwhile.")
        self._audit(actor, office, view, AuditAction.USER_REMOVED, "removed from the Tax ID; account closed")

    def _unlink(self, actor: Principal, office: Office, account: AccountModel, view: UserView) -> None:
        links = office_users.links_into(account, office.tax_id, active_only=False)
        other = office_users.another_administrator(account, office.tax_id) \
            if is_active_administrator(account, office.tax_id) else None
        if not office_users.unlink(account, [link.provider_id for link in links], keep_administrator=other,
                                   tax_id=office.tax_id):
            raise self._conflict(view, "The user changed meanwhile.")
        self._audit(actor, office, view, AuditAction.LINK_REMOVED, "providerId=" + ", ".join(
            link.provider_id for link in links) + "; removed from the Tax ID: its links to it and its permissions "
            "here are gone; its own account stays")

    # The Tax ID's default permission set

    def default_permissions(self, actor: Principal) -> frozenset[Permission]:
        return office_users.default_permissions(office_users.office_of(actor).tax_id)

    def set_default_permissions(self, actor: Principal, permissions: frozenset[Permission]) -> frozenset[Permission]:
        office = office_users.office_of(actor)
        before = office_users.default_permissions(office.tax_id)
        now = self._clock()
        office_users.keep_default_permissions(office.tax_id, permissions, actor.username, now)
        after = office_users.default_permissions(office.tax_id)
        trail.record(actor, AuditEntry(tax_id_subject(office.tax_id), AuditAction.DEFAULT_PERMISSIONS_CHANGED, None,
                                       f"taxId={office.tax_id}; {sorted(p.value for p in before)} -> "
                                       f"{sorted(p.value for p in after)}"), now)
        return after

    # Shared steps

    @staticmethod
    def _someone_else(actor: Principal, username: str) -> tuple[Office, AccountModel]:
        office, account = administered(actor, username)
        if account.pk == office.account.pk:
            raise OwnAccount()
        return office, account

    @classmethod
    def _own_user(cls, actor: Principal, username: str, *, oneself: bool = False) -> tuple[Office, AccountModel]:
        """A user whose account is this Tax ID's own: a linked user's account is its own Tax ID's to change."""
        office, account = administered(actor, username) if oneself else cls._someone_else(actor, username)
        if office_users.is_linked(account, office.tax_id):
            raise LinkedUser()
        return office, account

    @staticmethod
    def _conflict(view: UserView, message: str) -> UserStatusConflict:
        return UserStatusConflict(f"{message} The user is {STATUS_WORDS[view.status].lower()}.",
                                  {"status": view.status.value})

    def _audit(self, actor: Principal, office: Office, whom: UserView, action: AuditAction, what: str) -> None:
        """Who (the record's user), whom (its subject), what changed (action and detail), for which Tax ID."""
        detail = "; ".join(part for part in (f"taxId={office.tax_id}", what) if part)
        trail.record(actor, AuditEntry(account_subject(whom.username), action, whom.provider_id, detail), self._clock())
        logger.info("user changed", extra={"username": whom.username, "by": actor.username, "action": action.value})


STATUS_WORDS: dict[UserStatus, str] = {
    UserStatus.PENDING_ACTIVATION: "Pending activation",
    UserStatus.CONFIRMATION_REQUIRED: "Waiting for the practice's confirmation",
    UserStatus.PENDING_APPROVAL: "Pending approval",
    UserStatus.ACTIVE: "Active",
    UserStatus.DEACTIVATED: "Deactivated",
    UserStatus.CLOSED: "Closed",
}


def status_words(view: UserView, inactive_days: int) -> str:
    """What Manage Users calls the user's status: a deactivation for going unused says so."""
    if view.status == UserStatus.DEACTIVATED and view.deactivated_reason == DeactivationReason.INACTIVITY.value:
        return f"Deactivated: not used for {inactive_days} days"
    return STATUS_WORDS[view.status]

