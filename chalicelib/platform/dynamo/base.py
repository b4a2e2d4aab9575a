"""What every table model shares: where the table is and how to reach it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.platform.config import get_settings

if TYPE_CHECKING:
    from pynamodb.connection import Connection

_settings = get_settings()


class TableMeta:
    """Base for each model's ``Meta``; PynamoDB connects lazily, on first use."""

    region = _settings.region
    host = _settings.aws_endpoint_url
    max_retry_attempts = 3
    connect_timeout_seconds = 2
    read_timeout_seconds = _settings.aws_read_timeout_seconds


def table_name(short_name: str) -> str:
    return _settings.resource_name(short_name)


_transaction_connection: Connection | None = None


def transaction_connection() -> Connection:
    """The connection TransactWrite needs; made once, on first use."""
    global _transaction_connection
    if _transaction_connection is None:
        from pynamodb.connection import Connection

        _transaction_connection = Connection(region=_settings.region, host=_settings.aws_endpoint_url)
    return _transaction_connection

