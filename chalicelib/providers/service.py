"""The provider directory as the other areas see it: plain records, and the one "may act for" lookup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.platform.access import Principal, scope_of
from chalicelib.platform.errors import ProviderNotFound
from chalicelib.platform.security import withheld
from chalicelib.providers import store
from chalicelib.providers.enums import ProviderType

if TYPE_CHECKING:
    from collections.abc import Iterable

    from chalicelib.providers.store import ProviderModel


@dataclass(frozen=True)
class Provider:
    provider_id: str
    provider_type: str
    tax_id: str
    state: str
    npi: str | None
    group_name: str | None
    first_name: str | None
    last_name: str | None
    zip_codes: tuple[str, ...]
    participating: bool
    payment_method: str
    programs: tuple[str, ...] = ()
    """The plan's programs the provider is contracted for."""
    contact_email: str | None = None

    @property
    def display_name(self) -> str:
        if self.provider_type == ProviderType.GROUP:
            return self.group_name or ""
        return f"{self.first_name} {self.last_name}"

    @property
    def is_group(self) -> bool:
        return self.provider_type == ProviderType.GROUP


def _record(model: ProviderModel) -> Provider:
    return Provider(
        provider_id=model.provider_id, provider_type=model.provider_type, tax_id=model.tax_id, state=model.state,
        npi=model.npi, group_name=model.group_name, first_name=model.first_name, last_name=model.last_name,
        zip_codes=tuple(model.zip_codes or ()), participating=bool(model.participating),
        payment_method=model.payment_method, programs=tuple(model.programs or ()), contact_email=model.contact_email,
    )


def find(provider_id: str) -> Provider | None:
    model = store.provider_or_none(provider_id)
    return _record(model) if model is not None else None


def with_npi(npi: str) -> Provider | None:
    model = store.provider_with_npi(npi)
    return _record(model) if model is not None else None


def of_tax_id(tax_id: str) -> list[Provider]:
    return [_record(model) for model in store.providers_of_tax_id(tax_id)]


def practice_contact(tax_id: str, provider_id: str | None) -> tuple[Provider, str] | None:
    """The practice's contact address on record for a Tax ID, and the provider that holds it: the registered
    provider's own when it has one, else the Tax ID's group's (one Query of the Tax ID); None when none has one."""
    candidates = sorted(of_tax_id(tax_id), key=lambda p: (p.provider_id != provider_id, not p.is_group, p.provider_id))
    return next(((provider, provider.contact_email) for provider in candidates if provider.contact_email), None)


def acted_for(provider_ids: Iterable[str], tax_ids: Iterable[str]) -> list[Provider]:
    """Every provider of the Tax IDs (a Query each) and the named ones (one batch get), by provider ID."""
    found = {provider.provider_id: provider for tax_id in tax_ids for provider in of_tax_id(tax_id)}
    missing = [provider_id for provider_id in provider_ids if provider_id not in found]
    found.update((model.provider_id, _record(model)) for model in store.providers_by_id(missing))
    return sorted(found.values(), key=lambda provider: provider.provider_id)


def acting_for(principal: Principal, provider_id: str, field: str = "providerId") -> Provider:
    """The named provider when the principal may act for it; otherwise the same 404 as a missing one."""
    provider = find(provider_id)
    if provider is None:
        raise ProviderNotFound(fields={field: "is not a provider you act for"})
    if not scope_of(principal).sees(provider.provider_id, provider.tax_id):
        raise withheld(principal, ProviderNotFound(fields={field: "is not a provider you act for"}))
    return provider
