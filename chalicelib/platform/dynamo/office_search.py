"""An office's search by received date, shared by claims and prior authorizations.

Both keep four GSIs ordered by ``received_key``: by provider, by Tax ID, and each of those
with the status (``<partition>#<status>``). A search picks one of them from the office's
partition and the status asked, so each page is one Query of one partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.platform.dynamo.paging import Page, query_page

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition

    from chalicelib.platform.access import OfficePartition


def scoped_status(partition_key: str, status: str) -> str:
    """The hash key of the status indexes."""
    return f"{partition_key}#{status}"


@dataclass(frozen=True)
class OfficeIndexes:
    """Each index with the name of its hash attribute."""

    by_provider: tuple[Any, str]
    by_tax_id: tuple[Any, str]
    by_provider_status: tuple[Any, str]
    by_tax_status: tuple[Any, str]


def office_search(indexes: OfficeIndexes, partition: OfficePartition, status: str | None,
                  received: Condition | None, limit: int, token: str | None) -> Page[Any]:
    if status:
        index, hash_name = indexes.by_provider_status if partition.by_provider else indexes.by_tax_status
        return query_page(index, hash_name, scoped_status(partition.key, status), received, None, limit, token)
    index, hash_name = indexes.by_provider if partition.by_provider else indexes.by_tax_id
    return query_page(index, hash_name, partition.key, received, None, limit, token)
