"""Account Linker: a logged-in office user links another provider, or another Tax ID, to the same login.

The user gives the facts registration asks for (provider type, names, Tax ID, provider ID, ZIP), matched exactly
against the directory as registration matches them (``AccountService.matching_provider``: the same 404 when they do
not match). Then the link waits, and until it is decided the login acts for nothing more (its own Tax IDs stay as
they are):

- into a Tax ID that has an administrator (``PENDING_APPROVAL``): every user administrator of that Tax ID is emailed
  (no PHI: the username and the provider's name) and one approves it in Manage Users, with permissions (the Tax ID's
  default set in one step) or denies it;
- into a Tax ID without one (``CONFIRMATION_REQUIRED``): the out-of-band check of a first registration (DECISIONS:
  never immediate), a one-time code emailed to the practice's contact address on record, or plan support staff's
  approval; then the user is that Tax ID's Provider Administrator.

One link waits at a time per login. Approved, the provider is in the provider selector and the login acts for one
Tax ID at a time, with that Tax ID's grant (``linking``; ``AccountService.authenticate``). Every request, decision and
unlink is audited in the user's trail (who, whom, which Tax ID and provider). The link is a ``LinkModel`` item (the
Tax ID's administrators and the review desk find it by index) with a copy on the account item (``links``), written in
the same transaction, each write conditional on what was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.accounts import linking, office_users, practice_codes
from chalicelib.accounts.approval import masked
from chalicelib.accounts.enums import AccountEmail, AccountStatus, LinkStatus
from chalicelib.accounts.grants import Grant
from chalicelib.accounts.linking import LinkEntry
from chalicelib.accounts.passwords import SecretHasher, secret_hasher
from chalicelib.accounts.store import (
    LINK_CONFIRMATION,
    AccountModel,
    LinkModel,
    account_key,
    link_approval_key,
    link_key,
    links_of_tax_id_key,
)
from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry, account_subject
from chalicelib.emails import outbox
from chalicelib.emails.outbox import OutgoingEmail
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform.access import TaxIdAccess
from chalicelib.platform.dynamo.paging import SearchPage, search_page
from chalicelib.platform.dynamo.writes import Missing, TransactionCancelled, cancelled_by_condition, transaction
from chalicelib.platform.errors import (
    AlreadyLinked,
    Forbidden,
    HomeProvider,
    LinkNotFound,
    LinkPending,
    NoContactOnRecord,
    NotAwaitingConfirmation,
    NotAwaitingLinkDecision,
    PermissionRequired,
    PortalError,
    SessionExpired,
    TooManyLinks,
)
from chalicelib.platform.logs import logger
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, Permission
from chalicelib.providers import service as providers
from chalicelib.providers.enums import ProviderType

if TYPE_CHECKING:
    from chalicelib.accounts.registration import ClaimedProvider
    from chalicelib.accounts.service import AccountService
    from chalicelib.emails.store import OutboxMessageModel
    from chalicelib.platform.access import Principal
    from chalicelib.platform.clock import Clock
    from chalicelib.platform.config import Settings

ACCOUNT_LINKER_PAGE = "/account-linker"
MANAGE_USERS_PAGE = "/manage-users"
MAX_NOTICES = 95
"""Administrators emailed in the request's transaction (DynamoDB takes 100 items in one)."""
HOME = "HOME"
"""The status shown for the provider the account registered for."""


@dataclass(frozen=True)
class LinkView:
    """One provider of the login as its own Account Linker shows it."""

    provider_id: str
    provider_type: str
    name: str
    tax_id: str
    state: str | None
    status: str
    """``HOME`` (the one it registered for), ``ACTIVE``, ``PENDING_APPROVAL`` or ``CONFIRMATION_REQUIRED``."""
    requested_at: str | None
    contact: str | None = None
    """Waiting for its practice's confirmation: the practice's contact address on record, masked."""
    code_expires_at: datetime | None = None


@dataclass(frozen=True)
class LinkRequest:
    """A link as the linked Tax ID's administrators (or the review desk) see it."""

    username: str
    email: str
    provider_id: str
    provider_type: str
    provider_name: str | None
    tax_id: str
    status: str
    requested_at: datetime
    keeps_grant: bool
    """The login acts in this Tax ID already: approving adds the provider under the permissions it has here."""
    contact_email: str | None = None


class LinkService:
    def __init__(self, settings: Settings, accounts: AccountService, *, clock: Clock,
                 hasher: SecretHasher | None = None) -> None:
        self._settings = settings
        self._accounts = accounts
        self._clock = clock
        self._hasher = hasher or secret_hasher()

    # The login's own

    def links(self, principal: Principal) -> list[LinkView]:
        """The provider it registered for first, then each linked provider with its status."""
        account = self._own(principal)
        pending = account.link_pending
        if pending:
            account = self._settled(account, pending, self._clock())
        named = {p.provider_id: p for p in providers.acted_for(
            [account.provider_id or "", *(link.provider_id for link in office_users.links_of(account))], [])}
        home = named.get(account.provider_id or "")
        found = [LinkView(str(account.provider_id), str(account.provider_type), home.display_name if home else "",
                          str(account.tax_id), home.state if home else None, HOME, None)] if account.provider_id \
            else []
        for link in office_users.links_of(account):
            provider = named.get(link.provider_id)
            found.append(self._own_view(account, link, provider))
        return found

    def _own_view(self, account: AccountModel, link: LinkEntry, provider: providers.Provider | None) -> LinkView:
        contact = code_until = None
        if link.status == LinkStatus.CONFIRMATION_REQUIRED:
            on_record = providers.practice_contact(link.tax_id, link.provider_id)
            contact = masked(on_record[1]) if on_record else None
            item = self._link_or_none(account.username, link.provider_id)
            code_until = practice_codes.live_until(item, self._clock()) if item is not None else None
        return LinkView(link.provider_id, link.provider_type, provider.display_name if provider else link.provider_id,
                        link.tax_id, provider.state if provider else None, link.status.value, link.requested_at,
                        contact, code_until)

    def request(self, principal: Principal, claimed: ClaimedProvider, *, client_address: str) -> LinkView:
        """Link the provider the facts name: they must match the directory exactly (the registration's 404). Refused,
        nothing changed: plan staff and a waiting account (403), a provider the login acts for already or asked for
        (409 ALREADY_LINKED), while another link waits (409 LINK_PENDING)."""
        if principal.is_plan_staff:
            raise Forbidden("Account Linker is for office users: plan staff act for no provider.")
        if principal.awaiting:
            raise Forbidden("Your account is not approved yet: it links other providers once it is.")
        self._accounts.admit(client_address, principal.username)  # facts are guessed at like a registration's
        provider = self._accounts.matching_provider(claimed)
        now = self._clock()
        account = self._own(principal)
        self._refuse_link(account, provider)
        waits = LinkStatus.PENDING_APPROVAL if office_users.has_active_administrator(provider.tax_id) \
            else LinkStatus.CONFIRMATION_REQUIRED
        states = (provider.state,) if not provider.is_group else tuple(sorted(
            {p.state for p in providers.of_tax_id(provider.tax_id)}))
        entry = LinkEntry(provider.provider_id, provider.provider_type, provider.tax_id, waits, states,
                          now.isoformat())
        item = LinkModel(pk=link_key(account.username, provider.provider_id), username=account.username,
                         provider_id=provider.provider_id, provider_type=provider.provider_type,
                         linked_tax_id=provider.tax_id, office_key=links_of_tax_id_key(provider.tax_id),
                         status=waits.value, states=list(states), requested_at=now,
                         **self._awaiting(waits, provider.tax_id, now))
        notices = self._notices(account, entry, now) if waits == LinkStatus.PENDING_APPROVAL else []
        try:
            with transaction() as writes:
                writes.update(account, actions=[
                    AccountModel.links.set({**(office_users.stored_links(account) or {}),
                                            provider.provider_id: entry.stored()}),
                    AccountModel.link_pending.set(provider.provider_id)],
                    condition=(AccountModel.status == AccountStatus.ACTIVE.value)
                    & AccountModel.approval.does_not_exist() & AccountModel.link_pending.does_not_exist()
                    & office_users.links_unchanged(account))
                writes.save(item, condition=LinkModel.pk.does_not_exist())
                for notice in notices:
                    writes.save(notice)
        except TransactionCancelled as error:
            if [*cancelled_by_condition(error), False, False][1]:
                raise AlreadyLinked() from None
            raise LinkPending() from None
        outbox.publish(notices)
        waits_for = "its administrators' approval" if waits == LinkStatus.PENDING_APPROVAL \
            else "its practice's confirmation (no administrator)"
        self._audit(principal, account.username, AuditAction.LINK_REQUESTED, entry, f"waits for {waits_for}")
        logger.info("link requested", extra={"username": account.username, "tax_id": provider.tax_id,
                                             "status": waits.value})
        return self._own_view(account, entry, provider)

    @staticmethod
    def _refuse_link(account: AccountModel, provider: providers.Provider) -> None:
        links = office_users.links_of(account)
        home = TaxIdAccess(str(account.tax_id), (str(account.provider_id),),
                           account.provider_type == ProviderType.GROUP.value, (), account.provider_id) \
            if account.tax_id else None
        units = linking.access_units(home, links)
        if provider.provider_id == account.provider_id or any(link.provider_id == provider.provider_id
                                                              for link in links) \
                or linking.acts_for(units, provider.provider_id, provider.tax_id):
            raise AlreadyLinked()
        if account.link_pending:
            raise LinkPending()
        if len(links) >= linking.MAX_LINKS:
            raise TooManyLinks()

    def remove(self, principal: Principal, provider_id: str) -> None:
        """Unlink a provider, or withdraw a link still waiting; the grant on its Tax ID goes with the last provider
        linked there. The provider registered for stays (409 HOME_PROVIDER); the last administrator of a Tax ID
        stays (409 LAST_ADMINISTRATOR)."""
        for _ in range(3):  # the links changed between the read and the write (another tab): read them again
            account = self._own(principal)
            if provider_id == account.provider_id:
                raise HomeProvider()
            link = next((link for link in office_users.links_of(account) if link.provider_id == provider_id), None)
            if link is None:
                raise LinkNotFound(fields={"providerId": "is not a provider linked to your login"})
            last_here = link.active and not any(other.active and other.tax_id == link.tax_id
                                                and other.provider_id != provider_id
                                                for other in office_users.links_of(account))
            other = office_users.another_administrator(account, link.tax_id) \
                if last_here and office_users.is_active_administrator(account, link.tax_id) else None
            if office_users.unlink(account, [provider_id], keep_administrator=other, tax_id=link.tax_id):
                self._audit(principal, account.username, AuditAction.LINK_REMOVED, link,
                            "unlinked by the user" if link.active else "withdrawn by the user")
                return
        raise LinkPending("Your links changed meanwhile. Look at them again and retry.")

    # The out-of-band check of a link into a Tax ID with no administrator

    def send_code(self, principal: Principal, provider_id: str) -> LinkView:
        """Queue the one-time code to the linked practice's address on record (minted when the email is sent)."""
        now = self._clock()
        account, link = self._waiting_for_code(principal, provider_id, now)
        if providers.practice_contact(link.tax_id, link.provider_id) is None:
            raise NoContactOnRecord()
        message = outbox.new_account_email(AccountEmail.LINK_PRACTICE_CODE.value, now, username=account.username)
        message.save()
        outbox.publish([message])
        logger.info("link practice code queued", extra={"username": account.username, "tax_id": link.tax_id})
        return self._own_view(account, link, providers.find(provider_id))

    def code_email(self, username: str) -> OutgoingEmail | None:
        """At delivery: mint the code on the waiting link and address it to the practice's contact on record; None
        when no link waits for it any more, or the account's hourly email limit is reached."""
        now = self._clock()
        account = office_users.account_or_none(username)
        item = self._link_or_none(username, account.link_pending or "") if account is not None else None
        if account is None or item is None or account.status != AccountStatus.ACTIVE.value \
                or item.status != LinkStatus.CONFIRMATION_REQUIRED.value:
            return None
        contact = providers.practice_contact(item.linked_tax_id, item.provider_id)
        if contact is None or not self._accounts.email_allowance(account, now):
            return None
        code = practice_codes.mint(item, self._hasher, now, timedelta(minutes=self._settings.practice_code_minutes),
                                   condition=LinkModel.status == LinkStatus.CONFIRMATION_REQUIRED.value)
        if code is None:
            return None
        practice, address = contact
        return OutgoingEmail(EmailTemplate.LINK_PRACTICE_CODE, address, {
            "practice": practice.display_name, "username": account.username, "code": code,
            "link": f"{self._settings.portal_url}{ACCOUNT_LINKER_PAGE}"})

    def confirm(self, principal: Principal, provider_id: str, code: str) -> LinkView:
        """The code from the practice's mailbox links the provider and makes the user its Tax ID's administrator."""
        now = self._clock()
        account, link = self._waiting_for_code(principal, provider_id, now)
        item = self._link(account.username, provider_id)
        practice_codes.check(item, self._hasher, code, now, self._settings.practice_code_attempts)
        self._activate(account, item, link, Grant(PROVIDER_PERMISSIONS, True), by=account.username, now=now,
                       waiting=LinkStatus.CONFIRMATION_REQUIRED)
        self._audit(principal, account.username, AuditAction.LINK_CONFIRMED, link, "Provider Administrator by the "
                    "code sent to the practice's address on record")
        return next(view for view in self.links(principal) if view.provider_id == provider_id)

    def _waiting_for_code(self, principal: Principal, provider_id: str, now: datetime) -> tuple[AccountModel,
                                                                                                 LinkEntry]:
        account = self._settled(self._own(principal), provider_id, now)
        link = next((link for link in office_users.links_of(account) if link.provider_id == provider_id), None)
        if link is None:
            raise LinkNotFound(fields={"providerId": "is not a provider linked to your login"})
        if link.status != LinkStatus.CONFIRMATION_REQUIRED:
            raise NotAwaitingConfirmation("This link does not wait for its practice's confirmation. Nothing was "
                                          "changed.")
        return account, link

    # The linked Tax ID's administrators (Manage Users)

    def pending(self, actor: Principal, limit: int, token: str | None) -> SearchPage[LinkRequest]:
        """The links into the actor's Tax ID waiting for approval, oldest first: one Query of its awaiting partition,
        one batch get of their accounts."""
        office = office_users.office_of(actor)
        found = search_page(LinkModel, LinkModel.awaiting, "awaiting_key", link_approval_key(office.tax_id), None,
                            None, limit, token, newest_first=False)
        names = {p.provider_id: p.display_name for p in providers.of_tax_id(office.tax_id)}
        return SearchPage(self._requests(found.items, names), found.next_token)

    def pending_request(self, actor: Principal, username: str, provider_id: str) -> LinkRequest:
        office = office_users.office_of(actor)
        item = self._office_link(office.tax_id, username, provider_id)
        names = {p.provider_id: p.display_name for p in providers.of_tax_id(office.tax_id)}
        return self._requests([item], names)[0]

    def approve(self, actor: Principal, username: str, provider_id: str,
                permissions: frozenset[Permission] | None = None, *, administrator: bool = False) -> LinkRequest:
        """Link the provider with permissions on the Tax ID (its default set unless others are given; a login that
        acts in the Tax ID already keeps the grant it has there). Only an administrator approves an administrator.
        Twice, or after another decision: 409 NOT_AWAITING_APPROVAL, nothing changed."""
        now = self._clock()
        office = office_users.office_of(actor)
        item = self._office_link(office.tax_id, username, provider_id)
        if item.status != LinkStatus.PENDING_APPROVAL.value:
            raise NotAwaitingLinkDecision()
        if administrator and not office.grant.administrator:
            raise PermissionRequired("ADMINISTRATOR", "Provider Administrator")
        account = self._account(username)
        link = self._entry(account, provider_id)
        chosen = office_users.default_permissions(office.tax_id) if permissions is None else permissions
        grant = None if office_users.grant_in(account, office.tax_id) is not None \
            else Grant(chosen & PROVIDER_PERMISSIONS, administrator)
        self._activate(account, item, link, grant, by=actor.username, now=now, waiting=LinkStatus.PENDING_APPROVAL)
        held = "keeps its permissions on the Tax ID" if grant is None else \
            "permissions: " + (", ".join(sorted(p.value for p in grant.effective)) or "none") + \
            ("; administrator" if grant.administrator else "")
        self._audit(actor, username, AuditAction.LINK_APPROVED, link, held)
        logger.info("link approved", extra={"username": username, "by": actor.username, "tax_id": office.tax_id})
        return self.pending_request(actor, username, provider_id)

    def deny(self, actor: Principal, username: str, provider_id: str) -> None:
        office = office_users.office_of(actor)
        item = self._office_link(office.tax_id, username, provider_id)
        if item.status != LinkStatus.PENDING_APPROVAL.value:
            raise NotAwaitingLinkDecision()
        self._refuse(actor, item, "denied by an administrator of the Tax ID", NotAwaitingLinkDecision)

    # Plan support staff: links into Tax IDs with no administrator

    def awaiting_confirmation(self, actor: Principal, limit: int, token: str | None) -> SearchPage[LinkRequest]:
        """One Query of the awaiting index's links partition for the review desk, oldest first."""
        self._support(actor)
        found = search_page(LinkModel, LinkModel.awaiting, "awaiting_key", LINK_CONFIRMATION, None, None, limit,
                            token, newest_first=False)
        named = {p.provider_id: p.display_name for p in providers.acted_for(
            [item.provider_id for item in found.items], [])}
        return SearchPage(self._requests(found.items, named, contacts=True), found.next_token)

    def support_confirm(self, actor: Principal, username: str, provider_id: str) -> None:
        """Plan support staff link the provider and make the user its Tax ID's administrator (after their check)."""
        self._support(actor)
        now = self._clock()
        account, item, link = self._confirmation(username, provider_id, now)
        self._activate(account, item, link, Grant(PROVIDER_PERMISSIONS, True), by=actor.username, now=now,
                       waiting=LinkStatus.CONFIRMATION_REQUIRED)
        self._audit(actor, username, AuditAction.LINK_CONFIRMED_BY_SUPPORT, link,
                    "Provider Administrator by plan support staff")

    def support_deny(self, actor: Principal, username: str, provider_id: str) -> None:
        self._support(actor)
        _, item, _ = self._confirmation(username, provider_id, self._clock())
        self._refuse(actor, item, "denied by plan support staff", NotAwaitingConfirmation)

    def _confirmation(self, username: str, provider_id: str, now: datetime) -> tuple[AccountModel, LinkModel,
                                                                                      LinkEntry]:
        problem = NotAwaitingConfirmation(fields={"username": "has no link waiting for its practice's confirmation"})
        account = office_users.account_or_none(username)
        if account is None:
            raise problem
        account = self._settled(account, provider_id, now)
        item = self._link_or_none(username, provider_id)
        if item is None or item.status != LinkStatus.CONFIRMATION_REQUIRED.value:
            raise problem
        return account, item, self._entry(account, provider_id)

    @staticmethod
    def _support(actor: Principal) -> None:
        if not actor.has(Permission.SUPPORT):
            raise PermissionRequired(Permission.SUPPORT.value, Permission.SUPPORT.words)

    # Shared steps

    def _activate(self, account: AccountModel, item: LinkModel, link: LinkEntry, grant: Grant | None, *, by: str,
                  now: datetime, waiting: LinkStatus) -> None:
        """The link acted for from the login's next request: its status, no longer waiting, the grant on its Tax ID
        (unless the login keeps the one it has there); the user is emailed. One transaction, conditional on the link
        still waiting and the account's links and grants as read."""
        actions = [AccountModel.links.set({**(office_users.stored_links(account) or {}),
                                           link.provider_id: link.becoming(LinkStatus.ACTIVE).stored()})]
        if account.link_pending == link.provider_id:
            actions.append(AccountModel.link_pending.remove())
        if grant is not None:
            actions.append(AccountModel.grants.set({**office_users.materialized_grants(account),
                                                    link.tax_id: grant.stored()}))
        notice = self._user_notice(EmailTemplate.LINK_APPROVED, account, link, now)
        try:
            with transaction() as writes:
                writes.update(account, actions=actions, condition=office_users.links_unchanged(account)
                              & office_users.grants_unchanged(account))
                writes.update(item, actions=[
                    LinkModel.status.set(LinkStatus.ACTIVE.value), LinkModel.decided_by.set(by),
                    LinkModel.decided_at.set(now), LinkModel.awaiting_key.remove(),
                    LinkModel.awaiting_since.remove(), *practice_codes.without_code(LinkModel)],
                    condition=LinkModel.status == waiting.value)
                writes.save(notice)
        except TransactionCancelled:
            raise (NotAwaitingLinkDecision if waiting == LinkStatus.PENDING_APPROVAL
                   else NotAwaitingConfirmation)() from None
        outbox.publish([notice])

    def _refuse(self, actor: Principal, item: LinkModel, why: str, problem: type[PortalError]) -> None:
        account = self._account(item.username)
        link = self._entry(account, item.provider_id)
        notice = self._user_notice(EmailTemplate.LINK_DENIED, account, link, self._clock())
        if not office_users.unlink(account, [item.provider_id], notice=notice):
            raise problem()
        outbox.publish([notice])
        self._audit(actor, account.username, AuditAction.LINK_DENIED, link, why)
        logger.info("link denied", extra={"username": account.username, "by": actor.username,
                                          "tax_id": link.tax_id})

    def _settled(self, account: AccountModel, provider_id: str, now: datetime) -> AccountModel:
        """A link waiting for its practice's confirmation while its Tax ID has gained an administrator now waits for
        that administrator instead (who is emailed), as a first registration does."""
        link = next((link for link in office_users.links_of(account) if link.provider_id == provider_id), None)
        if link is None or link.status != LinkStatus.CONFIRMATION_REQUIRED \
                or not office_users.has_active_administrator(link.tax_id):
            return account
        item = self._link_or_none(account.username, provider_id)
        if item is None:
            return account
        waiting = link.becoming(LinkStatus.PENDING_APPROVAL)
        notices = self._notices(account, waiting, now)
        try:
            with transaction() as writes:
                writes.update(account, actions=[AccountModel.links.set({
                    **(office_users.stored_links(account) or {}), provider_id: waiting.stored()})],
                    condition=office_users.links_unchanged(account))
                writes.update(item, actions=[LinkModel.status.set(LinkStatus.PENDING_APPROVAL.value),
                                             *practice_codes.without_code(LinkModel),
                                             *(getattr(LinkModel, name).set(value) for name, value in
                                               self._awaiting(LinkStatus.PENDING_APPROVAL, link.tax_id, now).items())],
                              condition=LinkModel.status == LinkStatus.CONFIRMATION_REQUIRED.value)
                for notice in notices:
                    writes.save(notice)
        except TransactionCancelled:
            return self._account(account.username)
        outbox.publish(notices)
        logger.info("link confirmation became approval: the Tax ID has an administrator",
                    extra={"username": account.username, "tax_id": link.tax_id})
        return self._account(account.username)

    @staticmethod
    def _awaiting(status: LinkStatus, tax_id: str, now: datetime) -> dict[str, str]:
        key = link_approval_key(tax_id) if status == LinkStatus.PENDING_APPROVAL else LINK_CONFIRMATION
        return {"awaiting_key": key, "awaiting_since": now.isoformat()}

    def _notices(self, account: AccountModel, link: LinkEntry, now: datetime) -> list[OutboxMessageModel]:
        """One email to each user administrator of the linked Tax ID (no PHI: the username and the provider's name,
        a link to Manage Users), written in the request's transaction."""
        provider = providers.find(link.provider_id)
        name = provider.display_name if provider else link.provider_id
        administrators = [a for a in office_users.user_administrators(link.tax_id) if a.pk != account.pk]
        if len(administrators) > MAX_NOTICES:
            logger.warning("link notices capped", extra={"tax_id": link.tax_id, "administrators":
                                                         len(administrators)})
        return [outbox.new_email(EmailTemplate.LINK_REQUESTED, administrator.email, {
            "administrator": administrator.username, "username": account.username, "provider_name": name,
            "link": f"{self._settings.portal_url}{MANAGE_USERS_PAGE}"}, now)
            for administrator in administrators[:MAX_NOTICES]]

    def _user_notice(self, template: EmailTemplate, account: AccountModel, link: LinkEntry,
                     now: datetime) -> OutboxMessageModel:
        provider = providers.find(link.provider_id)
        return outbox.new_email(template, account.email, {
            "username": account.username, "provider_name": provider.display_name if provider else link.provider_id,
            "link": f"{self._settings.portal_url}{ACCOUNT_LINKER_PAGE}"}, now)

    def _requests(self, items: list[LinkModel], names: dict[str, str], *, contacts: bool = False) -> list[LinkRequest]:
        accounts = {a.username: a for a in AccountModel.batch_get(
            list(dict.fromkeys(account_key(item.username) for item in items)))} if items else {}
        found = []
        for item in items:
            account = accounts.get(item.username)
            if account is None:
                continue
            contact = providers.practice_contact(item.linked_tax_id, item.provider_id) if contacts else None
            found.append(LinkRequest(
                username=account.username, email=account.email, provider_id=item.provider_id,
                provider_type=item.provider_type, provider_name=names.get(item.provider_id), tax_id=item.linked_tax_id,
                status=item.status, requested_at=item.requested_at,
                keeps_grant=item.status != LinkStatus.ACTIVE.value
                and office_users.grant_in(account, item.linked_tax_id) is not None,
                contact_email=contact[1] if contact else None))
        return found

    def _office_link(self, tax_id: str, username: str, provider_id: str) -> LinkModel:
        """The link into ``tax_id``: another Tax ID's, or none, answers the same 404."""
        item = self._link_or_none(username, provider_id)
        if item is None or item.linked_tax_id != tax_id:
            raise LinkNotFound(fields={"providerId": "is not a link request of your Tax ID"})
        return item

    @staticmethod
    def _entry(account: AccountModel, provider_id: str) -> LinkEntry:
        link = next((link for link in office_users.links_of(account) if link.provider_id == provider_id), None)
        if link is None:
            raise LinkNotFound(fields={"providerId": "is not a link request of your Tax ID"})
        return link

    @staticmethod
    def _link_or_none(username: str, provider_id: str) -> LinkModel | None:
        if not provider_id:
            return None
        try:
            return LinkModel.get(link_key(username, provider_id))
        except Missing:
            return None

    def _link(self, username: str, provider_id: str) -> LinkModel:
        item = self._link_or_none(username, provider_id)
        if item is None:
            raise LinkNotFound(fields={"providerId": "is not a provider linked to your login"})
        return item

    @staticmethod
    def _own(principal: Principal) -> AccountModel:
        account = office_users.account_or_none(principal.username)
        if account is None:
            raise SessionExpired()
        return account

    @staticmethod
    def _account(username: str) -> AccountModel:
        account = office_users.account_or_none(username)
        if account is None:
            raise LinkNotFound()
        return account

    def _audit(self, actor: Principal, username: str, action: AuditAction, link: LinkEntry, what: str) -> None:
        """Who (the record's user), whom (the login's trail), which Tax ID and provider, what."""
        trail.record(actor, AuditEntry(account_subject(username), action, link.provider_id,
                                       f"taxId={link.tax_id}; providerId={link.provider_id}; {what}"), self._clock())

