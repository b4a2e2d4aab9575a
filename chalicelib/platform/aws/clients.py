"""boto3 clients, made on first use (so moto is active first in tests and cold starts stay small)."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.platform.config import get_settings


@cache
def aws_client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    settings = get_settings()
    return boto3.session.Session().client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=Config(connect_timeout=2, read_timeout=settings.aws_read_timeout_seconds,
                      retries={"max_attempts": 3, "mode": "standard"}),
    )
