"""Form helpers for pages: the API's ``fields`` map as field messages and an error summary; US dates."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date

from chalicelib.platform.errors import PortalError

_US_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def form_key(posted: str | None) -> str:
    """The idempotency key a form carries (its hidden ``formKey``): the one posted when it is well formed, else a
    new one. The same key makes one claim, request or payment cycle however often the form is posted."""
    return posted if posted and _FORM_KEY.match(posted) else secrets.token_urlsafe(24)


def sentence(label: str, message: str) -> str:
    """A service's field message ("must be at least 12 characters") as a sentence naming the field."""
    return message if message[:1].isupper() else f"{label} {message}"


def field_errors(error: PortalError, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """The error's ``fields`` (named as the API names them, camelCase: the form's field names too)."""
    labels = labels or {}
    return {name: sentence(labels.get(name, "This field"), message) for name, message in error.fields.items()}


def summary(errors: Mapping[str, str], labels: Mapping[str, str]) -> list[dict[str, str]]:
    """The error summary's entries, in the form's order (``labels``), each linking to its field."""
    ordered = [name for name in labels if name in errors] + [name for name in errors if name not in labels]
    return [{"text": errors[name], "href": f"#{name}"} for name in ordered]


def parse_us_date(text: str | None) -> date | None:
    """MM/DD/YYYY as typed (or ISO, as the USWDS date picker sends it); None when it is neither."""
    if not text:
        return None
    us, iso = _US_DATE.match(text), _ISO_DATE.match(text)
    try:
        if us:
            return date(int(us.group(3)), int(us.group(1)), int(us.group(2)))
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError:
        return None
    return None
