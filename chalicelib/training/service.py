"""Provider Training: where a user stands on each module for the provider acted for, attesting, and an
office's standing for its administrators."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.platform.access import Principal
from chalicelib.platform.clock import Clock
from chalicelib.platform.dynamo.writes import TransactionCancelled, cancelled_by_condition, transaction
from chalicelib.platform.errors import TrainingModuleNotFound, TrainingVersionChanged
from chalicelib.training.modules import Attested, Standing, TrainingStatus, module_named, modules, standings
from chalicelib.training.store import AttestationModel, history_key, latest_key, latest_of, latest_of_many


@dataclass(frozen=True)
class ActingFor:
    """The provider a user acts for: its state and programs decide what is required."""

    provider_id: str
    tax_id: str
    state: str
    programs: tuple[str, ...]


@dataclass(frozen=True)
class OfficeUser:
    username: str
    status: str
    since: datetime | None


@dataclass(frozen=True)
class UserStanding:
    user: OfficeUser
    standings: list[Standing]


OfficeUsers = Callable[[str], Sequence[OfficeUser]]
"""The users of a Tax ID (the accounts service's answer)."""


def _attested(rows: Sequence[AttestationModel]) -> dict[str, Attested]:
    return {row.module_id: Attested(row.version, row.completed_at) for row in rows}


class TrainingService:
    def __init__(self, *, clock: Clock, office_users: OfficeUsers) -> None:
        self._clock = clock
        self._office_users = office_users

    def today(self) -> date:
        return self._clock().date()

    def standing_of(self, principal: Principal, acting: ActingFor) -> list[Standing]:
        """One Query (the user's latest attestations)."""
        since = principal.account_since.date() if principal.account_since else None
        return standings(acting.state, acting.programs, _attested(latest_of(principal.username)), self.today(), since)

    def overdue(self, principal: Principal, acting: ActingFor) -> list[Standing]:
        return [s for s in self.standing_of(principal, acting) if s.status == TrainingStatus.OVERDUE]

    def attest(self, principal: Principal, module_id: str, version: str, acting: ActingFor) -> list[Standing]:
        """The user read ``version`` of the module and says so: the latest row is replaced, a history row added."""
        module = module_named(module_id)
        if module is None:
            raise TrainingModuleNotFound()
        if version != module.version:
            raise TrainingVersionChanged(fields={"version": f"is not the current version ({module.version})"})
        now = self._clock()
        facts = {"module_id": module_id, "version": version, "completed_at": now, "provider_id": acting.provider_id,
                 "tax_id": acting.tax_id}
        history = AttestationModel(principal.username, history_key(module_id, now.isoformat()), **facts)
        try:
            with transaction() as writes:
                writes.save(AttestationModel(principal.username, latest_key(module_id), **facts))
                writes.save(history, condition=AttestationModel.record_key.does_not_exist())
        except TransactionCancelled as error:
            if not any(cancelled_by_condition(error)):
                raise
            # the same user, module and instant (a double click): that attestation is already recorded
        return self.standing_of(principal, acting)

    def office(self, acting: ActingFor) -> list[UserStanding]:
        """Each user of the Tax ID against what the provider's state and programs require (one BatchGet)."""
        users = list(self._office_users(acting.tax_id))
        ids = [m.module_id for m in modules()]
        rows = latest_of_many([u.username for u in users], ids)
        by_user: dict[str, list[AttestationModel]] = {}
        for row in rows:
            by_user.setdefault(row.username, []).append(row)
        today = self.today()

        def required(user: OfficeUser) -> list[Standing]:
            since = user.since.date() if user.since else None
            found = standings(acting.state, acting.programs, _attested(by_user.get(user.username, [])), today, since)
            return [s for s in found if s.required]

        return [UserStanding(user, required(user)) for user in sorted(users, key=lambda u: u.username)]
