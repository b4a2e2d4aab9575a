"""The daily job that deactivates provider accounts unused for ``PORTAL_INACTIVE_DAYS`` (rules: ``inactivity.py``).

It reads only what is due: each bucket of the sparse ``inactivity-index`` with ``last_active_at < cutoff``, a page at
a time, at most ``PORTAL_INACTIVITY_RUN_LIMIT`` accounts a run (the next run goes on where it stopped, since a
deactivated account leaves the index). One run at a time (a lease). Each deactivation is one transaction: the
account's update, conditional on it being still active and still unused (a login racing the job wins: its update
moves ``last_active_at`` past the cutoff), the owner's email (an outbox row, no PHI) and the audit record in the
account's trail (actor ``system``); then its sessions end, as an administrator's deactivation ends them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.accounts import inactivity, office_users
from chalicelib.accounts.enums import AccountStatus, DeactivationReason
from chalicelib.accounts.store import AccountModel, out_of_inactivity_index
from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction
from chalicelib.emails import outbox
from chalicelib.emails.templates import EmailTemplate
from chalicelib.platform import metrics
from chalicelib.platform.access import Role
from chalicelib.platform.dynamo.control import release_lease, take_lease
from chalicelib.platform.dynamo.writes import TransactionCancelled, cancelled_by_condition, transaction
from chalicelib.platform.logs import logger

if TYPE_CHECKING:
    from chalicelib.platform.clock import Clock
    from chalicelib.platform.config import Settings

LEASE = "inactivity"
LEASE_TIME = timedelta(minutes=15)
"""Longer than a run can take (the function's timeout): a run that dies lets the next one in after it."""
PAGE_SIZE = 100
SYSTEM_ACTOR = "system"
"""Who the audit record names: no person deactivated the account."""


@dataclass(frozen=True)
class InactivityRun:
    """What one run did: ``deactivated`` accounts; ``skipped``: read as due but used (or changed) meanwhile;
    ``ran``: False when another run held the lease."""

    deactivated: tuple[str, ...] = ()
    skipped: int = 0
    ran: bool = True


class InactivityService:
    def __init__(self, settings: Settings, *, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock

    def deactivate_unused(self) -> InactivityRun:
        holder = str(uuid.uuid4())
        if not take_lease(LEASE, holder, self._clock(), LEASE_TIME):
            logger.info("inactivity run skipped: another run holds the lease")
            return InactivityRun(ran=False)
        try:
            return self._run(self._clock())
        finally:
            release_lease(LEASE, holder)

    def _run(self, now: datetime) -> InactivityRun:
        cutoff = inactivity.cutoff(now, self._settings.inactive_days)
        limit = self._settings.inactivity_run_limit
        deactivated: list[str] = []
        skipped = 0
        for bucket in inactivity.all_buckets():
            for due in self.due(bucket, cutoff, limit - len(deactivated) - skipped):
                if self.deactivate(due, now, cutoff):
                    deactivated.append(due.username)
                else:
                    skipped += 1
        if deactivated:
            metrics.count("AccountsDeactivatedUnused", len(deactivated))
        logger.info("inactivity run done", extra={"deactivated": len(deactivated), "skipped": skipped})
        return InactivityRun(tuple(deactivated), skipped)

    @staticmethod
    def due(bucket: str, cutoff: datetime, most: int) -> list[AccountModel]:
        """The bucket's accounts last active before ``cutoff``, oldest first, at most ``most`` (pages of
        ``PAGE_SIZE``): the index's projection holds what the deactivation needs, so no item is read."""
        if most <= 0:
            return []
        return list(AccountModel.by_last_activity.query(
            bucket, AccountModel.last_active_at < cutoff, limit=most, page_size=min(most, PAGE_SIZE)))

    def deactivate(self, due: AccountModel, now: datetime, cutoff: datetime) -> bool:
        """False when the account is no longer due (logged in, deactivated or closed meanwhile): nothing written."""
        if due.role == Role.PLAN_STAFF.value:  # never in the index; never deactivated for it either
            return False
        account = AccountModel(pk=due.pk)
        notice = outbox.new_email(EmailTemplate.ACCOUNT_INACTIVE, due.email, {
            "username": due.username, "link": f"{self._settings.portal_url}/forgot-password"}, now)
        try:
            with transaction() as writes:
                writes.update(account, actions=[
                    AccountModel.status.set(AccountStatus.DISABLED.value),
                    AccountModel.deactivated_reason.set(DeactivationReason.INACTIVITY.value),
                    AccountModel.deactivated_at.set(now), *out_of_inactivity_index()],
                    condition=(AccountModel.status == AccountStatus.ACTIVE.value)
                    & (AccountModel.role == Role.PROVIDER_USER.value) & (AccountModel.last_active_at < cutoff)
                    & (AccountModel.email == due.email))
                writes.save(notice)
                trail.add_account_event(writes, SYSTEM_ACTOR, SYSTEM_ACTOR.upper(), due.username,
                                        AuditAction.USER_DEACTIVATED_UNUSED, now,
                                        f"taxId={due.tax_id}; not used for {self._settings.inactive_days} days")
        except TransactionCancelled as error:
            if [*cancelled_by_condition(error), False][0]:  # the account's update, its first write
                logger.info("account no longer due", extra={"username": due.username})
                return False
            raise
        ended = office_users.end_sessions(due.username)
        outbox.publish([notice])
        logger.info("account deactivated: unused", extra={"username": due.username, "sessions_ended": ended})
        return True
