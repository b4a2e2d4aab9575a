"""moto's Query on a table's key reads that key's partition, not the whole table.

moto 5.2.5 answers every Query by listing and sorting every item of the table, then keeping those of the hash key
asked for, so a Query costs what the table holds: the registry's and the audit trail's pages slowed down as the
demo data grew, and a page that reads several partitions paid the table once per partition. DynamoDB reads only
the partition. This serves a Query on the table's own key (no index) from that partition's items, in the same
order and with the same answer; a Query on an index is moto's as before. Installed in the local moto server and
the in-process test stack alike.
"""

from __future__ import annotations

import threading
from typing import Any

_PARTITION = threading.local()


def install() -> None:
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "reads_one_partition", False):
        return
    table_query, table_items = Table.query, Table.all_items

    def query(self: Any, hash_key: Any, range_comparison: Any, range_objs: Any, limit: Any,
              exclusive_start_key: Any, scan_index_forward: Any, projection_expressions: Any,
              index_name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if index_name or hash_key is None:
            return table_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                               scan_index_forward, projection_expressions, index_name, *args, **kwargs)
        _PARTITION.asked = (self, hash_key)
        try:
            return table_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                               scan_index_forward, projection_expressions, index_name, *args, **kwargs)
        finally:
            _PARTITION.asked = None

    def all_items(self: Any) -> list[Any]:
        asked = getattr(_PARTITION, "asked", None)
        if asked is None or asked[0] is not self:
            return table_items(self)
        partition = self.items.get(asked[1])
        if partition is None:
            return []
        found = list(partition.values()) if self.range_key_attr else [partition]
        return sorted(found, key=lambda item: (item.hash_key, item.range_key) if item.range_key else item.hash_key)

    query.reads_one_partition = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]
