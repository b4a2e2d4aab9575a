"""The transactional outbox: messages written with the data they belong to.

A row carries ``pending`` until it is on the queue; the sparse ``pending-index``
lets the sweeper find rows a crashed request never enqueued, without a scan.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.platform.dynamo.base import TableMeta, table_name

PENDING = "PENDING"


class PendingOutboxMessages(GlobalSecondaryIndex["OutboxMessageModel"]):
    class Meta:
        index_name = "pending-index"
        projection = AllProjection()

    pending = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class OutboxMessageModel(Model):
    class Meta(TableMeta):
        table_name = table_name("outbox")

    message_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    payload = JSONAttribute()
    pending = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    ttl = TTLAttribute()

    pending_messages = PendingOutboxMessages()
