"""Who is calling, and whose data they may see: the one access rule every area asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.platform.permissions import Permission


class Role(StrEnum):
    PROVIDER_USER = "PROVIDER_USER"
    PLAN_STAFF = "PLAN_STAFF"


@dataclass(frozen=True)
class TaxIdAccess:
    """What a login acts for in one Tax ID: the whole Tax ID (a group registered or linked) and the practitioners
    named. Its permissions are the login's grant on that Tax ID."""

    tax_id: str
    provider_ids: tuple[str, ...]
    whole: bool
    states: tuple[str, ...]
    home_provider_id: str | None
    """The provider acted for when none is named: the registered one in its own Tax ID, else the first linked."""


@dataclass(frozen=True)
class Impersonation:
    """Who is viewing the portal as the principal's user, to help it: plan support staff, or an administrator of the
    user's Tax ID (chalicelib/accounts/impersonation.py). Such a session is read-only (``platform.web.api.admit``)."""

    actor: str
    actor_role: Role
    office: str
    """The name of the user's office (its registered provider), for the banner."""
    started_at: datetime


@dataclass(frozen=True)
class Principal:
    username: str
    role: Role
    provider_type: str | None
    provider_ids: tuple[str, ...]
    tax_ids: tuple[str, ...]
    states: tuple[str, ...]
    home_provider_id: str | None
    session_id: str
    session_ends_at: datetime
    session_hard_expiry: datetime
    permissions: frozenset[Permission] = frozenset()
    """What the account may do now (its Tax ID's grant, or its staff permissions), read with the account on every
    request. Empty by default: a principal built for background work opens no route."""
    account_since: datetime | None = None
    """When the account was created (read with it): yearly duties such as training are owed from then on."""
    awaiting: str | None = None
    """What a registered account still waits for before it holds any permission: its practice's confirmation
    (``CONFIRMATION_REQUIRED``) or its administrator's approval (``PENDING_APPROVAL``); None once approved."""
    mfa_pending: bool = False
    """A session opened with the password alone by an account with no second factor yet: it may only enrol
    (routes with ``before_mfa``); every other route refuses it (``platform.web.api.admit``)."""
    acting_tax_id: str | None = None
    """The Tax ID this request acts in (one at a time): its providers are ``provider_ids``/``tax_ids`` and its grant
    is ``permissions``. None for plan staff."""
    acts_in: tuple[TaxIdAccess, ...] = ()
    """Every Tax ID the login acts in, its own first, then those linked (Account Linker): what the provider selector
    offers. A request sees only the one it acts in."""

    impersonation: Impersonation | None = None
    """Set on an impersonation session: the user's providers and permissions (never a plan-staff one), viewed by
    ``impersonation.actor``. Every audit record made for it names both (chalicelib/audit/service.py)."""

    @property
    def impersonated_by(self) -> str | None:
        return self.impersonation.actor if self.impersonation is not None else None

    def has(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def is_plan_staff(self) -> bool:
        return self.role == Role.PLAN_STAFF

    def may_act_for(self, provider_id: str, provider_tax_id: str) -> bool:
        """A practitioner acts for its own provider ID; a group for every provider under its Tax ID."""
        return provider_id in self.provider_ids or provider_tax_id in self.tax_ids

    def may_see_state(self, state: str) -> bool:
        """Offices check members of the states their providers practise in; plan staff see all."""
        return self.is_plan_staff or state in self.states


@dataclass(frozen=True)
class OfficePartition:
    """Where an office's own list lives: a provider's partition, or its Tax ID's."""

    by_provider: bool
    key: str


@dataclass(frozen=True)
class OfficeScope:
    """Whose data a principal may see: the one rule every area asks.

    Plan staff see every office's; a group account every provider under its Tax IDs; a
    practitioner its own provider ID. What a principal may not see answers 404 where it is
    asked, the same as what does not exist.
    """

    principal: Principal

    def sees(self, provider_id: str | None, tax_id: str | None) -> bool:
        if self.principal.is_plan_staff:
            return True
        return (provider_id is not None and provider_id in self.principal.provider_ids) or (
            tax_id is not None and tax_id in self.principal.tax_ids)

    def sees_tax_id(self, tax_id: str) -> bool:
        return self.principal.is_plan_staff or tax_id in self.principal.tax_ids

    def home(self) -> OfficePartition | None:
        """An office's lists when it names no provider: its Tax ID (a group), else its own provider (None: staff)."""
        if self.principal.tax_ids:
            return OfficePartition(by_provider=False, key=self.principal.tax_ids[0])
        if self.principal.home_provider_id:
            return OfficePartition(by_provider=True, key=self.principal.home_provider_id)
        return None


def scope_of(principal: Principal) -> OfficeScope:
    return OfficeScope(principal)
