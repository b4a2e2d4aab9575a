"""An office's search by received date, shared by claims and prior authorizations.

Both keep four GSIs ordered by ``received_key``: by provider, by Tax ID, and each of those
with the status (``<partition>#<status>``). A search picks one of them from the office's
partition and the status asked, so each page is one Query of one partition, reading at most
its own items plus one; it has no total (a count would read the whole partition: DECISIONS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.platform.dynamo.paging import SearchPage, search_page

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition

    from chalicelib.platform.access import OfficePartition


def scoped_status(partition_key: str, status: str) -> str:
    """The hash key of the status indexes."""
    return f"{partition_key}#{status}"


@dataclass(frozen=True)
class OfficeIndexes:
    """Each index with the name of its hash attribute, and the model they index."""

    model: Any
    by_provider: tuple[Any, str]
    by_tax_id: tuple[Any, str]
    by_provider_status: tuple[Any, str]
    by_tax_status: tuple[Any, str]


def _received_index(index_name: str, hash_attribute: str) -> GlobalSecondaryIndex[Any]:
    meta = type("Meta", (), {"index_name": index_name, "projection": AllProjection()})
    index_class = type(f"By{hash_attribute.title().replace('_', '')}", (GlobalSecondaryIndex,), {
        "Meta": meta,
        hash_attribute: UnicodeAttribute(hash_key=True),
        "received_key": UnicodeAttribute(range_key=True),
    })
    return index_class()


def office_indexes(provider_attribute: str) -> tuple[GlobalSecondaryIndex[Any], ...]:
    """The four received-date indexes of a model whose provider is ``provider_attribute``, in the order
    by provider, by Tax ID, by provider and status, by Tax ID and status (the template names them so)."""
    return (
        _received_index("provider-index", provider_attribute),
        _received_index("tax-id-index", "tax_id"),
        _received_index("provider-status-index", "provider_status"),
        _received_index("tax-status-index", "tax_status"),
    )


def office_indexes_of(model: Any, provider_attribute: str) -> OfficeIndexes:
    return OfficeIndexes(
        model=model, by_provider=(model.by_provider, provider_attribute), by_tax_id=(model.by_tax_id, "tax_id"),
        by_provider_status=(model.by_provider_status, "provider_status"),
        by_tax_status=(model.by_tax_status, "tax_status"),
    )


def office_search(indexes: OfficeIndexes, partition: OfficePartition, status: str | None,
                  received: Condition | None, limit: int, token: str | None) -> SearchPage[Any]:
    if status:
        index, hash_name = indexes.by_provider_status if partition.by_provider else indexes.by_tax_status
        return search_page(indexes.model, index, hash_name, scoped_status(partition.key, status), received, None,
                           limit, token)
    index, hash_name = indexes.by_provider if partition.by_provider else indexes.by_tax_id
    return search_page(indexes.model, index, hash_name, partition.key, received, None, limit, token)
