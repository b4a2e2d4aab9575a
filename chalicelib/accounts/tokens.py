"""Opaque random tokens; only their SHA-256 is stored (they carry 256 bits of entropy,
so a fast hash is enough: there is nothing to brute-force)."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
