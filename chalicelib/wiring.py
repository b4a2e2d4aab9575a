"""The composition root: settings, the clock and the services built on them, once per process.

Every service gets the same clock, so every part of one request, event or schedule reads the
same "now". Tests ``install`` a wiring built with a fake clock; the first caller otherwise
gets one on the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalicelib.platform.clock import Clock, wall_clock
from chalicelib.platform.config import Settings, get_settings

if TYPE_CHECKING:
    from datetime import datetime

    from chalicelib.accounts.service import AccountService
    from chalicelib.claims.payments import PaymentService
    from chalicelib.claims.service import ClaimService
    from chalicelib.documents.service import DocumentService
    from chalicelib.members.service import MemberService
    from chalicelib.priorauth.service import PriorAuthService
    from chalicelib.reports.exports import ExportService


@dataclass
class Wiring:
    settings: Settings
    clock: Clock
    _built: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()

    def accounts(self) -> AccountService:
        from chalicelib.accounts.service import AccountService

        return self._once("accounts", lambda: AccountService(self.settings, clock=self.clock))

    def members(self) -> MemberService:
        from chalicelib.members.service import MemberService

        return self._once("members", lambda: MemberService(self.settings, clock=self.clock))

    def documents(self) -> DocumentService:
        from chalicelib.documents.service import DocumentService

        return self._once("documents", lambda: DocumentService(self.settings, self.members(), clock=self.clock))

    def claims(self) -> ClaimService:
        from chalicelib.claims.service import ClaimService

        return self._once("claims", lambda: ClaimService(self.settings, self.members(), self.documents(),
                                                         clock=self.clock))

    def payments(self) -> PaymentService:
        from chalicelib.claims.payments import PaymentService

        return self._once("payments", lambda: PaymentService(self.settings, clock=self.clock))

    def prior_auths(self) -> PriorAuthService:
        from chalicelib.priorauth.service import PriorAuthService

        return self._once("prior_auths", lambda: PriorAuthService(self.settings, self.members(), self.documents(),
                                                                  clock=self.clock))

    def exports(self) -> ExportService:
        from chalicelib.reports.exports import ExportService

        return self._once("exports", lambda: ExportService(self.settings, clock=self.clock))

    def _once(self, name: str, build: Any) -> Any:
        if name not in self._built:
            self._built[name] = build()
        return self._built[name]


_current: Wiring | None = None


def current() -> Wiring:
    global _current
    if _current is None:
        _current = Wiring(get_settings(), wall_clock)
    return _current


def install(wiring: Wiring | None) -> None:
    """Tests put a wiring with a fake clock in place (None: back to the wall clock on next use)."""
    global _current
    _current = wiring


def table_models() -> tuple[type, ...]:
    """Every PynamoDB model, each area's store's (the template drift test checks them against the template)."""
    from chalicelib.accounts.store import AccountModel, EmailClaimModel, OneTimeTokenModel, SessionModel
    from chalicelib.audit.store import AuditEventModel
    from chalicelib.claims.store import ClaimModel, FeeScheduleModel, PaymentModel
    from chalicelib.documents.store import DocumentModel
    from chalicelib.emails.store import OutboxMessageModel
    from chalicelib.members.store import MemberModel
    from chalicelib.priorauth.store import PriorAuthEventModel, PriorAuthRequestModel, PriorAuthRuleModel
    from chalicelib.providers.store import ProviderModel
    from chalicelib.reports.store import (
        ExportJobModel,
        ExportSubscriptionModel,
        RegistryRowModel,
        RegistrySummaryModel,
        RosterCountModel,
        RosterEntryModel,
    )

    return (
        AccountModel, EmailClaimModel, SessionModel, OneTimeTokenModel, ProviderModel, OutboxMessageModel, MemberModel,
        DocumentModel, AuditEventModel, RosterEntryModel, RosterCountModel, ExportJobModel, ExportSubscriptionModel,
        RegistryRowModel, RegistrySummaryModel, PriorAuthRuleModel, PriorAuthRequestModel, PriorAuthEventModel,
        ClaimModel, PaymentModel, FeeScheduleModel,
    )
