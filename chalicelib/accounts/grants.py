"""What an account may do, from what its item stores: the rule read on every request, and its migration default.

An account's item keeps, per Tax ID it acts in, the provider permissions its administrator gave it and whether it
is one of that Tax ID's administrators (``grants``); a plan-staff account keeps its staff permissions. An
administrator holds every provider permission of its Tax ID.

Accounts made before permissions existed store none. They keep what they could do then: every provider permission
on their Tax ID, and a group account (which then acted for the whole Tax ID) is its administrator; a plan-staff
account holds every staff permission (the one plan-staff role did all of it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, STAFF_PERMISSIONS, Permission, known_permissions
from chalicelib.providers.enums import ProviderType


@dataclass(frozen=True)
class Grant:
    """One Tax ID's grant to an account."""

    permissions: frozenset[Permission]
    administrator: bool = False

    @property
    def effective(self) -> frozenset[Permission]:
        return PROVIDER_PERMISSIONS if self.administrator else self.permissions & PROVIDER_PERMISSIONS

    def stored(self) -> dict[str, Any]:
        return {"permissions": [p.value for p in sorted(self.permissions & PROVIDER_PERMISSIONS)],
                "administrator": self.administrator}


def migration_default(provider_type: str | None) -> Grant:
    return Grant(PROVIDER_PERMISSIONS, administrator=provider_type == ProviderType.GROUP.value)


def grant_on(tax_id: str | None, provider_type: str | None, grants: Mapping[str, Any] | None) -> Grant | None:
    """The account's grant on ``tax_id`` (None when it acts in no Tax ID)."""
    if not tax_id:
        return None
    if grants is None:
        return migration_default(provider_type)
    stored = grants.get(tax_id)
    if stored is None:
        return Grant(frozenset())
    return Grant(known_permissions(stored.get("permissions") or ()), bool(stored.get("administrator")))


def staff_permissions(stored: Iterable[str] | None) -> frozenset[Permission]:
    return STAFF_PERMISSIONS if stored is None else known_permissions(stored) & STAFF_PERMISSIONS


def grants_version(stored: Mapping[str, Any] | None) -> str:
    """A short fingerprint of the stored grants: what a form or a client read, sent back with its change so a
    change made on a stale read is refused (``PERMISSIONS_CHANGED``)."""
    raw = json.dumps(stored, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:16]
