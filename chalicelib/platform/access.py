"""Who is calling, and whose data they may see: the one access rule every area asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    PROVIDER_USER = "PROVIDER_USER"
    PLAN_STAFF = "PLAN_STAFF"


@dataclass(frozen=True)
class Principal:
    username: str
    role: Role
    provider_type: str | None
    provider_ids: tuple[str, ...]
    tax_ids: tuple[str, ...]
    states: tuple[str, ...]
    home_provider_id: str | None
    session_id: str
    session_ends_at: datetime
    session_hard_expiry: datetime

    @property
    def is_plan_staff(self) -> bool:
        return self.role == Role.PLAN_STAFF

    def may_act_for(self, provider_id: str, provider_tax_id: str) -> bool:
        """A practitioner acts for its own provider ID; a group for every provider under its Tax ID."""
        return provider_id in self.provider_ids or provider_tax_id in self.tax_ids

    def may_see_state(self, state: str) -> bool:
        """Offices check members of the states their providers practise in; plan staff see all."""
        return self.is_plan_staff or state in self.states
