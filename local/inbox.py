"""Read the emails moto's SES kept, as a person would read an inbox."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import requests

_HREF = re.compile(r'href="([^"]+)"')
_CODE = re.compile(r"(?:Confirm your practice|Account Linker) page: (\d{6})\b")
"""The one-time code of a practice confirmation email (chalicelib/emails/templates.py, PRACTICE_CODE and
LINK_PRACTICE_CODE)."""


@dataclass(frozen=True)
class Email:
    message_id: str
    sender: str
    to: tuple[str, ...]
    subject: str
    body: str

    @property
    def links(self) -> list[str]:
        return [html.unescape(link) for link in _HREF.findall(self.body)]

    def code(self) -> str | None:
        """The six-digit code a practice confirmation email carries, as whoever reads the practice's mailbox sees it."""
        found = _CODE.search(html.unescape(self.body))
        return found.group(1) if found else None

    def token(self) -> str | None:
        for link in self.links:
            values = parse_qs(urlparse(link).query).get("token")
            if values:
                return values[0]
        return None


def fetch_emails(moto_url: str) -> list[Email]:
    """The emails SES accepted, from local/moto_server.py's inbox endpoint."""
    from local.moto_server import INBOX_PATH

    response = requests.get(f"{moto_url}{INBOX_PATH}", timeout=10)
    response.raise_for_status()
    messages = response.json()
    return [
        Email(
            message_id=item["id"],
            sender=item.get("source", ""),
            to=tuple(item.get("destinations", {}).get("ToAddresses", [])),
            subject=item.get("subject", ""),
            body=item.get("body", ""),
        )
        for item in messages
    ]


def emails_to(moto_url: str, address: str, subject: str | None = None) -> list[Email]:
    return [
        email
        for email in fetch_emails(moto_url)
        if address.lower() in (to.lower() for to in email.to) and (subject is None or email.subject == subject)
    ]
