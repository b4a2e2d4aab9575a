"""The transactional outbox: messages written with the data they belong to.

A row stays until its email is sent. ``due_at`` is when the sweep next looks at it: a minute after it
was written (a request that died before enqueueing it), then, once enqueued, long after SQS has given up
on the message (a send that kept failing, parked in the dead-letter queue). The sparse ``pending-index``
(``pending``, ``due_at``) lets the sweep find both without a scan.
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
    due_at = UnicodeAttribute(range_key=True)


class OutboxMessageModel(Model):
    class Meta(TableMeta):
        table_name = table_name("outbox")

    message_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    payload = JSONAttribute()
    pending = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    due_at = UnicodeAttribute()
    ttl = TTLAttribute()

    pending_messages = PendingOutboxMessages()
