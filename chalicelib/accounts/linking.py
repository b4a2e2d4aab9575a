"""Account Linker's rules: what a login acts for once providers are linked to it, and which Tax ID a request acts in.

A login acts in its own Tax ID (the provider it registered for: a group its whole Tax ID, a practitioner itself) and
in each Tax ID a provider was linked from. A request acts in one of them at a time: the one of the provider it names
(the selector's choice, an API call's ``providerId``), else its own. Permissions are per Tax ID, so a request's are
the login's grant on the Tax ID it acts in, and it sees only that Tax ID's providers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.accounts.enums import LinkStatus
from chalicelib.platform.access import TaxIdAccess
from chalicelib.providers.enums import ProviderType

MAX_LINKS = 20
"""Providers one login may have linked (each closes in the account's closing transaction, 100 items at most)."""


@dataclass(frozen=True)
class LinkEntry:
    """One linked provider as the account item keeps it (``links``, by provider ID)."""

    provider_id: str
    provider_type: str
    tax_id: str
    status: LinkStatus
    states: tuple[str, ...]
    requested_at: str

    @property
    def active(self) -> bool:
        return self.status == LinkStatus.ACTIVE

    @property
    def is_group(self) -> bool:
        return self.provider_type == ProviderType.GROUP.value

    def stored(self) -> dict[str, Any]:
        return {"taxId": self.tax_id, "providerType": self.provider_type, "status": self.status.value,
                "states": list(self.states), "requestedAt": self.requested_at}

    def becoming(self, status: LinkStatus) -> LinkEntry:
        return LinkEntry(self.provider_id, self.provider_type, self.tax_id, status, self.states, self.requested_at)


def entries(stored: Mapping[str, Any] | None) -> list[LinkEntry]:
    """The account's links, by provider ID (an unknown status is left out: it opens nothing)."""
    found = []
    for provider_id, value in sorted((stored or {}).items()):
        if value.get("status") not in LinkStatus.__members__:
            continue
        found.append(LinkEntry(provider_id, str(value.get("providerType") or ""), str(value.get("taxId") or ""),
                               LinkStatus(value["status"]), tuple(value.get("states") or ()),
                               str(value.get("requestedAt") or "")))
    return found


def stored_links(links: Iterable[LinkEntry]) -> dict[str, Any]:
    return {link.provider_id: link.stored() for link in links}


def access_units(home: TaxIdAccess | None, links: Iterable[LinkEntry]) -> tuple[TaxIdAccess, ...]:
    """Every Tax ID the login acts in: its own first, then the linked ones by Tax ID. Active links only; several
    providers of one Tax ID (or a link into its own) act together, under the one grant of that Tax ID."""
    units: dict[str, TaxIdAccess] = {home.tax_id: home} if home is not None else {}
    for link in sorted((link for link in links if link.active), key=lambda link: (link.tax_id, not link.is_group,
                                                                                    link.provider_id)):
        known = units.get(link.tax_id)
        units[link.tax_id] = _merged(known, link) if known is not None else TaxIdAccess(
            tax_id=link.tax_id, provider_ids=() if link.is_group else (link.provider_id,), whole=link.is_group,
            states=link.states, home_provider_id=link.provider_id)
    return tuple(units.values())


def _merged(unit: TaxIdAccess, link: LinkEntry) -> TaxIdAccess:
    provider_ids = unit.provider_ids if link.is_group or link.provider_id in unit.provider_ids \
        else (*unit.provider_ids, link.provider_id)
    return TaxIdAccess(unit.tax_id, provider_ids, unit.whole or link.is_group,
                       tuple(sorted({*unit.states, *link.states})), unit.home_provider_id or link.provider_id)


def naming(units: Iterable[TaxIdAccess], provider_id: str) -> TaxIdAccess | None:
    """The Tax ID whose providers name ``provider_id`` outright (without asking the directory)."""
    return next((unit for unit in units
                 if provider_id == unit.home_provider_id or provider_id in unit.provider_ids), None)


def covering(units: Iterable[TaxIdAccess], provider_id: str, provider_tax_id: str) -> TaxIdAccess | None:
    """The Tax ID a provider of ``provider_tax_id`` is acted for in: named, or under a whole Tax ID."""
    units = tuple(units)
    return naming(units, provider_id) or next(
        (unit for unit in units if unit.whole and unit.tax_id == provider_tax_id), None)


def acts_for(units: Iterable[TaxIdAccess], provider_id: str, provider_tax_id: str) -> bool:
    return covering(units, provider_id, provider_tax_id) is not None
