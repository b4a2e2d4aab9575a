"""Two-step verification, the rules: TOTP codes (RFC 6238, 30-second steps, 6 digits), one-time recovery codes,
the login challenge's limits and a remembered browser's. Pure: no AWS, no persistence, no web framework; every
"now" is passed in (the service's clock).

A code is good for one step either side of now (a phone's clock a little off, a code typed as it changed), and
once: the step it matched is kept, and a code of that step or an earlier one is refused (replay). Recovery codes
carry 80 random bits each, so a keyed SHA-256 per account is enough at rest (nothing to brute-force, as with the
session tokens); only their hashes are stored and each is spent by removing its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

TOTP_PERIOD_SECONDS = 30
TOTP_DIGITS = 6
TOTP_WINDOW = 1
"""Steps accepted either side of the current one."""
CHALLENGE_LIFETIME = timedelta(minutes=5)
CHALLENGE_ATTEMPTS = 5
"""Wrong codes a login challenge takes; the next answer is that the login expired."""
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""32 symbols (5 bits each) without 0/O and 1/I, which people misread."""
RECOVERY_CODE_LENGTH = 16
REMEMBER_BROWSER_FOR = timedelta(days=30)
"""The longest a browser (or an API client's device token) skips the code step: the issue's only relief."""

_TOTP_CODE = re.compile(rf"^\d{{{TOTP_DIGITS}}}$")
_SEPARATORS = re.compile(r"[\s-]+")
_RECOVERY_PURPOSE = "portal-recovery-code-v1"


def new_secret() -> str:
    """A fresh TOTP secret: 160 random bits in base32, what authenticator apps expect."""
    import pyotp

    return pyotp.random_base32()


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // TOTP_PERIOD_SECONDS


def totp_shaped(code: str) -> bool:
    """Six digits (spaces allowed): a TOTP code; anything else is read as a recovery code."""
    return bool(_TOTP_CODE.match(_SEPARATORS.sub("", code or "")))


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The step within the window around ``now`` whose code ``code`` is, or None."""
    import pyotp

    digits = _SEPARATORS.sub("", code or "")
    if not _TOTP_CODE.match(digits):
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD_SECONDS)
    current = time_step(now)
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def fresh(step: int | None, last_used_step: int | None) -> bool:
    """A matched step counts only when it is later than the last one used: each code is good once."""
    return step is not None and (last_used_step is None or step > last_used_step)


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator app shows at ``moment`` (the demo loader's tests and documentation)."""
    import pyotp

    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD_SECONDS).generate_otp(time_step(moment))


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    import pyotp

    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD_SECONDS).provisioning_uri(
        name=username, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> str:
    """The URI as an inline SVG QR code (no script, no style attribute: the pages' CSP holds), named for screen
    readers by its title."""
    import segno

    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff", title=title,
                                                svgclass="portal-qr", lineclass=None)
    return svg.replace("<svg ", '<svg role="img" ', 1)


def grouped(secret: str) -> str:
    """The secret as people type it into an app: groups of four."""
    return " ".join(secret[start:start + 4] for start in range(0, len(secret), 4))


def new_recovery_codes() -> list[str]:
    return [
        "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def formatted_recovery_code(code: str) -> str:
    return "-".join(code[start:start + 4] for start in range(0, len(code), 4))


def normalized_recovery_code(text: str) -> str | None:
    """What the person typed as a recovery code (any case, with or without dashes), or None if it cannot be one."""
    code = _SEPARATORS.sub("", text or "").upper()
    if len(code) != RECOVERY_CODE_LENGTH or any(symbol not in RECOVERY_CODE_ALPHABET for symbol in code):
        return None
    return code


def recovery_code_hash(username: str, code: str) -> str:
    """Keyed per account, so equal codes of two accounts hash apart."""
    key = f"{_RECOVERY_PURPOSE}:{username.strip().lower()}".encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def recovery_code_hashes(username: str, codes: Iterable[str]) -> set[str]:
    return {recovery_code_hash(username, code) for code in codes}


def challenge_expiry(now: datetime) -> datetime:
    return now + CHALLENGE_LIFETIME


def challenge_open(expires_at: datetime, failures: int, now: datetime) -> bool:
    return now < expires_at and failures < CHALLENGE_ATTEMPTS


def browser_expiry(now: datetime) -> datetime:
    return now + REMEMBER_BROWSER_FOR


def remembered(created_at: datetime, expires_at: datetime, now: datetime,
               forgotten_after: Iterable[datetime | None]) -> bool:
    """A remembered browser still skips the code: not expired, and made after every event that forgets them all
    (a password change or reset, an MFA reset)."""
    return now < expires_at and all(created_at > moment for moment in forgotten_after if moment is not None)
