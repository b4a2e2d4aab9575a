"""Opaque page tokens: DynamoDB's LastEvaluatedKey, checked on the way back in.

A token names the partition it belongs to; one presented for another partition (another
member, another provider) or mangled in transit answers 400, never another's page.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.platform.errors import ValidationFailed

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition

    from chalicelib.platform.access import Principal


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


@dataclass(frozen=True)
class Page[ItemT]:
    items: list[ItemT]
    count: int
    next_token: str | None


@dataclass(frozen=True)
class SearchPage[ItemT]:
    """A search page without a total: ``next_token`` says that more may follow (pages say "More results")."""

    items: list[ItemT]
    next_token: str | None


def search_page(model: Any, index: Any, hash_name: str, hash_value: str, range_condition: Condition | None,
                filter_condition: Condition | None, limit: int, token: str | None, *,
                newest_first: bool = True) -> SearchPage[Any]:
    """One page of a search: one Query reading at most ``limit + 1`` items, and no count.

    The extra item only tells whether another page exists, so a last page answers no token. With
    a filter the Query still examines ``limit + 1`` items at most (DynamoDB filters after its
    Limit): the page may hold fewer items and a token, never walk the partition for more.
    """
    start = decode_page_token(token, {hash_name: hash_value})
    results = index.query(hash_value, range_key_condition=range_condition, filter_condition=filter_condition,
                          limit=limit + 1, page_size=limit + 1, last_evaluated_key=start,
                          scan_index_forward=not newest_first)
    pages = results.page_iter
    raw = next(pages).get("Items", [])
    if len(raw) > limit:
        last = raw[limit - 1]
        next_key: dict[str, Any] | None = {name: last[name] for name in pages.key_names}
    else:
        next_key = pages.last_evaluated_key
    return SearchPage([model.from_raw_data(item) for item in raw[:limit]], encode_page_token(next_key))


def date_range(key: Any, first: date | None, last: date | None, *, first_field: str,
               last_field: str) -> Condition | None:
    """A sort-key condition for keys that start with an ISO date or timestamp, both ends inclusive."""
    if first and last and last < first:
        raise ValidationFailed(fields={last_field: f"must be on or after {first_field}"})
    if not (first or last):
        return None
    low = first.isoformat() if first else "0"
    high = (last + timedelta(days=1)).isoformat() if last else "~"
    return key.between(low, high)


def visible_to(principal: Principal, tax_id: Any, provider_id: Any) -> Condition | None:
    """A filter keeping rows of the Tax IDs and providers the principal acts for (None: plan staff see all)."""
    if principal.is_plan_staff:
        return None
    owners: Condition | None = None
    if principal.tax_ids:
        owners = tax_id.is_in(*principal.tax_ids)
    if principal.provider_ids:
        by_provider = provider_id.is_in(*principal.provider_ids)
        owners = by_provider if owners is None else owners | by_provider
    return owners if owners is not None else provider_id == "-"
