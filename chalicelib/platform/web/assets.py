"""The built static assets: the manifest the templates use, and the files the assets route serves."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
ASSET_PATH = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "svg": "image/svg+xml",
    "woff2": "font/woff2",
    "woff": "font/woff",
    "ttf": "font/ttf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "ico": "image/x-icon",
}
TEXT_SUFFIXES = frozenset({"css", "js", "svg"})
BINARY_TYPES = sorted({CONTENT_TYPES[suffix] for suffix in CONTENT_TYPES if suffix not in TEXT_SUFFIXES})
"""What API Gateway must pass as bytes (app.api.binary_types); CSS, JS and SVG travel as text."""


class AssetsNotBuilt(RuntimeError):
    """chalicelib/static/manifest.json is missing: `make assets` builds it."""


@cache
def manifest() -> dict[str, str]:
    path = STATIC_DIR / "manifest.json"
    if not path.is_file():
        raise AssetsNotBuilt(f"{path} is missing: run `make assets`")
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _served_names() -> frozenset[str]:
    return frozenset(manifest().values())


def asset_url(logical: str) -> str:
    """``asset_url('uswds.css')`` -> ``/assets/uswds.1a2b3c4d5e.css``; an unknown name is a bug, so it raises."""
    return ASSET_PATH + manifest()[logical]


def asset(name: str) -> tuple[bytes | str, str] | None:
    """A built file's body and Content-Type, or None when no such file was built."""
    if name not in _served_names():
        return None
    suffix = name.rpartition(".")[2]
    content = (STATIC_DIR / name).read_bytes()
    content_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
    return (content.decode("utf-8") if suffix in TEXT_SUFFIXES else content), content_type
