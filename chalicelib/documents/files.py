"""What an uploaded file really is (by its first bytes), and safe names for it."""

from __future__ import annotations

import re

HEAD_BYTES = 16

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def detect_type(head: bytes) -> str | None:
    """The content type the bytes carry, by magic number; None when it is none we accept."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def safe_file_name(name: str, fallback: str = "upload") -> str:
    """The last path part, with anything but letters, digits, dot, dash and underscore replaced."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._")[:100]
    return cleaned or fallback


def looks_like_csv(head: bytes) -> bool:
    """Text, not a binary file renamed .csv."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True
