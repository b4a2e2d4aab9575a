"""Leave the AWS SDK out of the Lambda deployment package: the Python runtime already provides it.

`chalice package` installs requirements.txt with its whole dependency closure, and PynamoDB
brings botocore (16 MB zipped of a 26 MB package). Chalice has no option to leave a dependency
out (its packager pip-downloads the closure; its automatic layer would only move botocore into a
layer we deploy), so
`make package` rewrites build/package/deployment.zip without the packages the runtime ships:
boto3, botocore and s3transfer. `python -m infrastructure.slim_package build/package/deployment.zip`
prints the size and fails when the package is still 10 MB or more.
"""

from __future__ import annotations

import argparse
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
"""Top-level packages of the Lambda Python runtime that the package leaves out (with their dist-info)."""
UNUSED_PREFIXES = ("fhir/resources/STU3/",)
"""Parts of a dependency the portal never imports: fhir.resources' STU3 models (the portal speaks R4B only)."""
LIMIT_BYTES = 10 * 1000 * 1000


@dataclass(frozen=True)
class Slimmed:
    before_bytes: int
    after_bytes: int
    entries_removed: int


def provided_by_runtime(name: str) -> bool:
    """Whether a zip entry belongs to a package the runtime provides (``botocore/...``, ``boto3-1.2.dist-info/...``)."""
    top = name.split("/", 1)[0]
    project = top.split("-", 1)[0] if top.endswith((".dist-info", ".egg-info")) else top
    return project.lower() in RUNTIME_PROVIDED


def left_out(name: str) -> bool:
    """Whether a zip entry stays out of the package: the runtime provides it, or the portal never imports it."""
    return provided_by_runtime(name) or name.startswith(UNUSED_PREFIXES)


def slim(package: Path) -> Slimmed:
    """Rewrite ``package`` without the runtime's packages and the unused parts, keeping every other entry as it was."""
    before = package.stat().st_size
    partial = package.with_suffix(".slim.zip")
    removed = 0
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(partial, "w") as target:
        for info in source.infolist():
            if left_out(info.filename):
                removed += 1
                continue
            target.writestr(info, source.read(info), compress_type=info.compress_type)
    os.replace(partial, package)
    return Slimmed(before, package.stat().st_size, removed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path)
    args = parser.parse_args()
    result = slim(args.package)
    print(f"{args.package}: {result.after_bytes / 1e6:.1f} MB (was {result.before_bytes / 1e6:.1f} MB; "
          f"{', '.join(RUNTIME_PROVIDED)} left out, {result.entries_removed} files: the Lambda runtime provides them)")
    if result.after_bytes >= LIMIT_BYTES:
        raise SystemExit(f"{args.package} is {result.after_bytes / 1e6:.1f} MB: the goal is under "
                         f"{LIMIT_BYTES / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
