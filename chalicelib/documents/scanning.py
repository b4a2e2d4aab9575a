"""The malware check an upload passes before it is accepted: a scanner names a verdict for one object version.

The portal holds no antivirus engine. A stage names its scanner with PORTAL_MALWARE_SCANNER; ``none`` (every
stage today) is ``NoScanner``, whose verdict says plainly that nothing was scanned, so neither a log line nor a
record can be read as "clean". A deployment with a real scanner (README, Uploads: GuardDuty Malware Protection for
S3) adds a class here that answers the same Protocol and a name for it in ``SCANNERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class ScanResult(StrEnum):
    CLEAN = "CLEAN"
    INFECTED = "INFECTED"
    NOT_SCANNED = "NOT_SCANNED"


@dataclass(frozen=True)
class ScanVerdict:
    result: ScanResult
    detail: str
    """Why, in words fit for the uploader's status page and the logs (never the file's content)."""

    @property
    def infected(self) -> bool:
        return self.result is ScanResult.INFECTED


class Scanner(Protocol):
    def scan(self, bucket: str, key: str, version: str | None) -> ScanVerdict:
        """The verdict on one object version (``version`` None in an unversioned bucket: the current one)."""
        ...


class NoScanner:
    """No scanner configured: the upload goes on unscanned, and its verdict says so."""

    def scan(self, bucket: str, key: str, version: str | None) -> ScanVerdict:
        return ScanVerdict(ScanResult.NOT_SCANNED, "not scanned: no scanner configured")


SCANNERS: dict[str, Callable[[], Scanner]] = {"none": NoScanner}


def scanner_named(name: str) -> Scanner:
    try:
        return SCANNERS[name]()
    except KeyError:
        raise ValueError(f"PORTAL_MALWARE_SCANNER is {name!r}; the scanners there are: {sorted(SCANNERS)}") from None
