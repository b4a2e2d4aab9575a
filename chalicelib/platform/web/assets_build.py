"""Build step (``make assets``): USWDS from node_modules plus our own ``assets/`` into ``chalicelib/static/``.

Every file is written under a fingerprinted name (its content hash), flat in one folder, and
the ``url()`` references inside the CSS are rewritten to those names; ``manifest.json`` maps
each logical name (``uswds.css``, ``portal.js``, ``fonts/...``) to its file. Only what the CSS
references, the scripts and the icon sprite are copied, not USWDS's whole dist (megabytes of
images nobody asks for). The output is gitignored: it is made from the pinned npm package on
every machine, never copied into the repository by hand.

Run: python -m chalicelib.platform.web.assets_build
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[3]
USWDS_DIST = PROJECT_DIR / "node_modules" / "@uswds" / "uswds" / "dist"
OWN_ASSETS = PROJECT_DIR / "assets"
OUTPUT = PROJECT_DIR / "chalicelib" / "static"
MANIFEST = "manifest.json"

USWDS_ENTRIES = {
    "uswds.css": "css/uswds.min.css",
    "uswds.js": "js/uswds.min.js",
    "uswds-init.js": "js/uswds-init.min.js",
    "sprite.svg": "img/sprite.svg",
}
_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")


def fingerprinted(logical: str, content: bytes) -> str:
    """``fonts/merriweather/Bold.woff2`` -> ``fonts-merriweather-Bold.1a2b3c4d5e.woff2``."""
    stem, dot, suffix = logical.replace("/", "-").rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{logical.replace('/', '-')}.{digest}"


class Builder:
    def __init__(self, output: Path) -> None:
        self.output = output
        self.manifest: dict[str, str] = {}

    def add(self, logical: str, content: bytes) -> str:
        name = fingerprinted(logical, content)
        (self.output / name).write_bytes(content)
        self.manifest[logical] = name
        return name

    def add_css(self, logical: str, source: Path, root: Path) -> str:
        """Copy every file the stylesheet's url()s name (relative to it), then the rewritten stylesheet."""
        text = source.read_text(encoding="utf-8")
        real_root = root.resolve()

        def rewrite(match: re.Match[str]) -> str:
            reference = match.group(2).strip()
            if not reference or reference.startswith(("data:", "#", "http:", "https:", "/")):
                return match.group(0)
            path, _, fragment = reference.partition("#")
            target = (source.resolve().parent / path.split("?", 1)[0]).resolve()
            if real_root not in target.parents or not target.is_file():
                raise FileNotFoundError(f"{source.name} references {reference}, which is not in {root}")
            name = self.add(target.relative_to(real_root).as_posix(), target.read_bytes())
            return f"url({name}{'#' + fragment if fragment else ''})"

        return self.add(logical, _URL.sub(rewrite, text).encode("utf-8"))


def build(uswds_dist: Path = USWDS_DIST, own: Path = OWN_ASSETS, output: Path = OUTPUT) -> dict[str, str]:
    if not (uswds_dist / USWDS_ENTRIES["uswds.css"]).is_file():
        raise SystemExit(f"USWDS is not installed at {uswds_dist}: run `npm ci` (make assets does)")
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    builder = Builder(output)
    for logical, relative in USWDS_ENTRIES.items():
        source = uswds_dist / relative
        if logical.endswith(".css"):
            builder.add_css(logical, source, uswds_dist)
        else:
            builder.add(logical, source.read_bytes())
    for source in sorted(own.iterdir()):
        if source.suffix == ".css":
            builder.add_css(source.name, source, own)
        elif source.is_file():
            builder.add(source.name, source.read_bytes())
    (output / MANIFEST).write_text(json.dumps(builder.manifest, indent=1, sort_keys=True), encoding="utf-8")
    return builder.manifest


if __name__ == "__main__":
    built = build()
    print(f"assets: {len(built)} files into {OUTPUT.relative_to(PROJECT_DIR)}")
