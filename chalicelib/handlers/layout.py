"""What every logged-in page's layout shows: the left navigation by section, the provider selector, the state.

A screen the user has no permission for is not shown: each item names its audience (offices, plan
staff, or both), and it is shown only to a user holding a permission that opens its page (the page
route's own ``permission``, so the menu and the 403 page cannot disagree); a section with no item
left disappears. An item without ``href`` is a screen a later issue builds ("Coming soon"); it names
its permission here until that issue sets its ``href``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chalicelib import wiring
from chalicelib.messages.service import StatePortal, portal, portals
from chalicelib.platform.access import Principal
from chalicelib.platform.permissions import Needs, missing_for
from chalicelib.platform.web import browser
from chalicelib.platform.web.api import ROUTE_CONTRACTS
from chalicelib.platform.web.pages import PageRequest
from chalicelib.training.service import ActingFor

PROVIDER_PURPOSE = browser.PROVIDER_PURPOSE


class Audience(StrEnum):
    OFFICE = "office"
    STAFF = "staff"
    ALL = "all"


@dataclass(frozen=True)
class NavItem:
    title: str
    href: str | None = None
    audience: Audience = Audience.ALL
    needs: Needs = ()
    """For an item without ``href`` only: an item with one needs what its page needs."""

    def visible_to(self, principal: Principal) -> bool:
        if self.audience != Audience.ALL and (self.audience == Audience.STAFF) != principal.is_plan_staff:
            return False
        needs = page_needs(self.href) if self.href else self.needs
        return missing_for(principal.permissions, needs or (), plan_staff=principal.is_plan_staff) is None


@functools.cache
def page_needs(href: str) -> Needs | None:
    """What opens the page at ``href``: its GET page route's permission."""
    return next((contract.permission for contract in ROUTE_CONTRACTS
                 if contract.browser_session and contract.method == "GET" and contract.path == href), None)


@dataclass(frozen=True)
class NavSection:
    title: str
    items: tuple[NavItem, ...]


NAVIGATION = (
    NavSection("Member Search", (
        NavItem("Member Eligibility", "/member-search/eligibility"),
        NavItem("Coordination of Benefits", "/member-search/coordination-of-benefits"),
        NavItem("Member File Upload", "/member-search/member-files", audience=Audience.OFFICE),
    )),
    NavSection("Claims", (
        NavItem("Claim Search", "/claims-center/claims"),
        NavItem("Submit a Claim", "/claims-center/new-claim", audience=Audience.OFFICE),
        NavItem("Claim Files", "/claims-center/claim-files", audience=Audience.OFFICE),
        NavItem("Payments and EOPs", "/claims-center/payments", audience=Audience.OFFICE),
        NavItem("Payment Cycles", "/claims-center/payment-cycles", audience=Audience.STAFF),
    )),
    NavSection("Prior Authorization", (
        NavItem("Requirements Lookup", "/prior-authorization/requirements", audience=Audience.OFFICE),
        NavItem("Prior Authorization Search", "/prior-authorization/requests"),
        NavItem("Submit a Prior Authorization", "/prior-authorization/new", audience=Audience.OFFICE),
        NavItem("Review Queue", "/prior-authorization/review", audience=Audience.STAFF),
        NavItem("Prior Authorization Metrics", "/prior-authorization/metrics", audience=Audience.STAFF),
    )),
    NavSection("Member Reports", (
        NavItem("Provider Membership List", "/member-reports/membership", audience=Audience.OFFICE),
        NavItem("Clinical Practice Registry", "/member-reports/registry", audience=Audience.OFFICE),
    )),
    NavSection("Users", (
        NavItem("Manage Users", "/manage-users", audience=Audience.OFFICE),
        NavItem("Account Linker", "/account-linker", audience=Audience.OFFICE),
        NavItem("Update My Account", "/my-account"),
        NavItem("Provider Training", "/provider-training", audience=Audience.OFFICE),
        NavItem("Practice Confirmations", "/practice-confirmations", audience=Audience.STAFF),
        NavItem("Two-Step Verification", "/mfa"),
        NavItem("Impersonate User", "/impersonate", audience=Audience.STAFF),
        NavItem("Account Help", "/account-help", audience=Audience.STAFF),
        NavItem("Audit Trail", "/audit-trail", audience=Audience.STAFF),
    )),
    NavSection("Providers", (NavItem("My Providers", audience=Audience.OFFICE),)),
)


def navigation_for(principal: Principal) -> list[NavSection]:
    """Nothing for an account still waiting for its confirmation or approval: its home says what it waits for."""
    if principal.awaiting:
        return []
    sections = []
    for section in NAVIGATION:
        items = tuple(item for item in section.items if item.visible_to(principal))
        if items:
            sections.append(NavSection(section.title.upper(), items))
    return sections


def office_providers(page: PageRequest) -> list[dict[str, Any]]:
    """The providers this user acts for (once per request)."""
    if "providers" not in page.memo:
        principal = page.principal
        found = [] if principal is None or principal.is_plan_staff else \
            wiring.current().accounts().providers_for(principal)
        page.memo["providers"] = [
            {"provider_id": p.provider_id, "name": p.name, "state": p.state, "tax_id": p.tax_id,
             "programs": p.programs} for p in found
        ]
    return page.memo["providers"]


def acting_providers(page: PageRequest) -> list[dict[str, Any]]:
    """The providers of the Tax ID the page acts in (the selected provider's): a login with linked providers acts in
    one Tax ID at a time, so a form offers only those (the selector offers them all)."""
    principal = page.principal
    return [p for p in office_providers(page)
            if principal is not None and principal.may_act_for(p["provider_id"], p["tax_id"])]


def selected_provider(page: PageRequest) -> dict[str, Any] | None:
    """The provider chosen in the selector (a cookie signed with the session), else the home provider."""
    providers = office_providers(page)
    by_id = {p["provider_id"]: p for p in providers}
    chosen = page.remembered(browser.PROVIDER, PROVIDER_PURPOSE)
    home = page.principal.home_provider_id if page.principal else None
    for candidate in (chosen, home):
        if candidate in by_id:
            return by_id[candidate]
    return providers[0] if providers else None


def state_portal(page: PageRequest) -> StatePortal:
    """An office's portal is its selected provider's state; plan staff choose one (?state=), Ohio first."""
    provider = selected_provider(page)
    found = portal(provider["state"]) if provider else None
    if found is None and page.principal is not None and page.principal.is_plan_staff:
        found = portal(page.query.get("state"))
    return found or portals()[0]


def layout_context(page: PageRequest) -> dict[str, Any]:
    if page.principal is None:
        return {}
    provider = selected_provider(page)
    return {
        "nav": navigation_for(page.principal),
        "providers": office_providers(page),
        "selected_provider_id": provider["provider_id"] if provider else None,
        "state": state_portal(page).name,
        "overdue_training": overdue_training(page.principal, provider),
    }


def overdue_training(principal: Principal, provider: dict[str, Any] | None) -> list[str]:
    """The titles of required training the user missed last training year (one Query), for every page's banner."""
    if principal.is_plan_staff or provider is None:
        return []
    acting = ActingFor(provider["provider_id"], provider["tax_id"], provider["state"], tuple(provider["programs"]))
    return [s.module.title for s in wiring.current().training().overdue(principal, acting)]
