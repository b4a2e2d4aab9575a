"""Opaque page tokens: DynamoDB's LastEvaluatedKey, checked on the way back in.

A token names the partition it belongs to; one presented for another partition (another
member, another provider) or mangled in transit answers 400, never another's page.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from chalicelib.errors import ValidationFailed

MAX_TOKEN_CHARS = 2048


def encode_page_token(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_page_token(token: str | None, partition: dict[str, str]) -> dict[str, Any] | None:
    """The start key for the next page; ``partition`` is the hash key(s) the query is for."""
    if not token:
        return None
    problem = ValidationFailed("The page token is not valid for this list.", {"nextToken": "is not valid"})
    if len(token) > MAX_TOKEN_CHARS:
        raise problem
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise problem from None
    if not isinstance(decoded, dict) or not all(isinstance(value, dict) for value in decoded.values()):
        raise problem
    for name, expected in partition.items():
        if decoded.get(name) != {"S": expected}:
            raise problem
    return decoded
