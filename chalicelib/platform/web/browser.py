"""What a browser session is made of: its cookies, its CSRF tokens and the Origin rule.

The session cookie holds the same kind of session token the bearer API uses; the accounts
service authenticates both. Cookies are HttpOnly, SameSite=Lax, host-only; over HTTPS (every
deployed stage) also Secure with the ``__Host-`` prefix. The local stage is plain http on
127.0.0.1, where a browser refuses both, so there the names carry no prefix.

CSRF: a form's token is HMAC-SHA256 keyed with a secret only this browser's cookies hold (the
session token; before login, a random pre-session cookie): it proves the form was rendered for
this cookie, and it never reveals the secret. Every POST also needs its Origin (or, when a
browser sends none, its Referer) to be the portal's own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

from chalicelib.platform.config import Settings

SESSION = "portal_session"
PRE_SESSION = "portal_presession"
PROVIDER = "portal_provider"
MFA_CHALLENGE = "portal_mfa_challenge"
"""Between the password and the code: the login's challenge (5 minutes)."""
REMEMBERED_BROWSER = "portal_device"
"""'Remember this browser': a token the login sends so this browser skips the code step (30 days)."""
PROVIDER_PURPOSE = "provider"
"""What the selected provider's cookie is signed for: the provider the pages act for (and so the Tax ID)."""
OWN_SESSION = "portal_own_session"
"""While the browser views the portal as another user (its session cookie holds that impersonation session): the
actor's own session, which comes back when the view ends."""
CSRF_FIELD = "csrf_token"
LOCAL_STAGE = "local"
_CSRF_PURPOSE = b"portal-csrf-v1"
MAX_COOKIE_LENGTH = 256


@dataclass(frozen=True)
class CookiePolicy:
    secure: bool

    @classmethod
    def for_stage(cls, settings: Settings) -> CookiePolicy:
        return cls(secure=settings.stage != LOCAL_STAGE)

    def name(self, base: str) -> str:
        return f"__Host-{base}" if self.secure else base

    def set(self, base: str, value: str, max_age: int | None = None) -> str:
        parts = [f"{self.name(base)}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)

    def clear(self, base: str) -> str:
        return self.set(base, "", max_age=0)


def parse_cookies(header: str) -> dict[str, str]:
    """The Cookie header's values; a malformed header is no cookies (never an error page)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items() if 0 < len(morsel.value) <= MAX_COOKIE_LENGTH}


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def keyed_mac(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_token(secret: str) -> str:
    return keyed_mac(secret, _CSRF_PURPOSE.decode())


def csrf_matches(supplied: str, secrets_held: list[str]) -> bool:
    """True when ``supplied`` is the token of one of the cookie secrets this request carries."""
    if not supplied:
        return False
    return any(hmac.compare_digest(supplied, csrf_token(secret)) for secret in secrets_held if secret)


def signed(secret: str, purpose: str, value: str) -> str:
    """``value`` with a MAC keyed by the session (a cookie the server can tell was its own)."""
    return f"{value}.{keyed_mac(secret, purpose + ':' + value)}"


def unsigned(secret: str, purpose: str, cookie: str) -> str | None:
    value, _, mac = cookie.rpartition(".")
    if not value or not hmac.compare_digest(mac, keyed_mac(secret, purpose + ":" + value)):
        return None
    return value


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins(settings: Settings, host: str) -> set[str]:
    """The portal's origin; on the local stage also the Host the browser used (localhost or 127.0.0.1)."""
    origins = {origin_of(settings.portal_url)}
    if settings.stage == LOCAL_STAGE and host:
        origins.add(f"http://{host}".lower())
    return origins


def same_origin_post(headers: Mapping[str, str], settings: Settings) -> bool:
    """Origin must be ours; a POST without Origin falls back to its Referer; neither is refused."""
    allowed = own_origins(settings, headers.get("host") or "")
    origin = (headers.get("origin") or "").strip()
    if origin:
        return origin.lower() in allowed
    referer = (headers.get("referer") or "").strip()
    return bool(referer) and origin_of(referer) in allowed


def safe_next(target: str | None) -> str | None:
    """A same-origin relative path to return to after login, or None (``//evil``, ``https://``, ``\\``)."""
    if not target or len(target) > 512 or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(character) < 0x20 or ord(character) == 0x7F for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
