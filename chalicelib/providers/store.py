"""The provider directory: practitioners and groups, by provider ID and by Tax ID."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.platform.dynamo.base import TableMeta, table_name
from chalicelib.providers.enums import ProviderType


class ProvidersByTaxId(GlobalSecondaryIndex["ProviderModel"]):
    class Meta:
        index_name = "tax-id-index"
        projection = AllProjection()

    tax_id = UnicodeAttribute(hash_key=True)
    provider_id = UnicodeAttribute(range_key=True)


class ProvidersByNpi(GlobalSecondaryIndex["ProviderModel"]):
    class Meta:
        index_name = "npi-index"
        projection = AllProjection()

    npi = UnicodeAttribute(hash_key=True)


class ProviderModel(Model):
    class Meta(TableMeta):
        table_name = table_name("providers")

    provider_id = UnicodeAttribute(hash_key=True)
    provider_type = UnicodeAttribute()
    group_name = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    tax_id = UnicodeAttribute()
    npi = UnicodeAttribute(null=True)
    zip_codes = ListAttribute(of=UnicodeAttribute, default=list)
    state = UnicodeAttribute()
    participating = BooleanAttribute(default=True)
    payment_method = UnicodeAttribute(default="EFT")
    programs = ListAttribute(of=UnicodeAttribute, default=list)
    """The plan's programs (lines of business) the provider is contracted for: some training is owed per program."""
    contact_email = UnicodeAttribute(null=True)
    """The practice's contact address on record: where a new administrator's one-time code goes."""

    by_tax_id = ProvidersByTaxId()
    by_npi = ProvidersByNpi()

    @property
    def display_name(self) -> str:
        if self.provider_type == ProviderType.GROUP:
            return self.group_name or ""
        return f"{self.first_name} {self.last_name}"


def provider_or_none(provider_id: str) -> ProviderModel | None:
    try:
        return ProviderModel.get(provider_id)
    except DoesNotExist:
        return None


def provider_with_npi(npi: str) -> ProviderModel | None:
    return next(iter(ProviderModel.by_npi.query(npi, limit=1)), None)


def providers_of_tax_id(tax_id: str) -> list[ProviderModel]:
    return list(ProviderModel.by_tax_id.query(tax_id))


def providers_by_id(provider_ids: list[str]) -> list[ProviderModel]:
    return list(ProviderModel.batch_get(provider_ids)) if provider_ids else []
