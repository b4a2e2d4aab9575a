"""Next and previous links for lists paged by DynamoDB's page token, without reading a partition twice.

DynamoDB pages forward only: a page's ``nextToken`` starts the next one. A page's link keeps, in its
query string (``trail``), the start tokens of every page from the second to this one, so "Previous" is
the same trail less its last token and "Next" is the trail plus this page's ``nextToken``. Nothing is
kept on the server, and a bookmarked page comes back as it was. The tokens are the API's own opaque
ones, checked by the service when used (a forged or foreign one answers ``nextToken``'s field error).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from chalicelib.platform.errors import ValidationFailed

TRAIL = "trail"
SEPARATOR = "."  # never in a URL-safe base64 token
MAX_PAGES = 100
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,2048}$")


@dataclass(frozen=True)
class PageTrail:
    tokens: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> PageTrail:
        raw = query.get(TRAIL) or ""
        tokens = tuple(raw.split(SEPARATOR)) if raw else ()
        if len(tokens) > MAX_PAGES or not all(_TOKEN.match(token) for token in tokens):
            raise ValidationFailed("The page link is not valid.", {"nextToken": "is not valid"})
        return cls(tokens)

    @property
    def token(self) -> str | None:
        """The start token of this page (None: the first page)."""
        return self.tokens[-1] if self.tokens else None

    @property
    def number(self) -> int:
        return len(self.tokens) + 1

    def next_href(self, path: str, kept: Mapping[str, str], next_token: str | None) -> str:
        if not next_token or len(self.tokens) >= MAX_PAGES:
            return ""
        return link(path, kept, (*self.tokens, next_token))

    def previous_href(self, path: str, kept: Mapping[str, str]) -> str:
        return link(path, kept, self.tokens[:-1]) if self.tokens else ""


def link(path: str, kept: Mapping[str, str], tokens: tuple[str, ...] = ()) -> str:
    """``path`` with the kept filters (empty ones dropped) and a trail of page tokens."""
    params = {name: value for name, value in kept.items() if value}
    if tokens:
        params[TRAIL] = SEPARATOR.join(tokens)
    return f"{path}?{urlencode(params)}" if params else path
