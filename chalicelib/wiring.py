"""The composition root: settings, the clock and the services built on them, once per process.

Every service gets the same clock, so every part of one request, event or schedule reads the
same "now". Tests ``install`` a wiring built with a fake clock; the first caller otherwise
gets one on the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalicelib.platform.clock import Clock, wall_clock
from chalicelib.platform.config import Settings, get_settings

if TYPE_CHECKING:
    from datetime import datetime

    from chalicelib.accounts.account_help import AccountHelp
    from chalicelib.accounts.administration import UserAdministration
    from chalicelib.accounts.approval import ApprovalService
    from chalicelib.accounts.impersonation_service import ImpersonationService
    from chalicelib.accounts.inactivity_service import InactivityService
    from chalicelib.accounts.linker import LinkService
    from chalicelib.accounts.mfa_service import MfaService
    from chalicelib.accounts.my_account import MyAccount
    from chalicelib.accounts.service import AccountService
    from chalicelib.claims.files import ClaimFileService
    from chalicelib.claims.payments import PaymentService
    from chalicelib.claims.service import ClaimService
    from chalicelib.documents.service import DocumentService
    from chalicelib.documents.store import DocumentModel
    from chalicelib.members.service import MemberService
    from chalicelib.priorauth.service import PriorAuthService
    from chalicelib.reports.exports import ExportService
    from chalicelib.training.service import TrainingService


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

    def approvals(self) -> ApprovalService:
        from chalicelib.accounts.approval import ApprovalService

        return self._once("approvals", lambda: ApprovalService(self.settings, self.accounts(), clock=self.clock))

    def links(self) -> LinkService:
        from chalicelib.accounts.linker import LinkService

        return self._once("links", lambda: LinkService(self.settings, self.accounts(), clock=self.clock))

    def users(self) -> UserAdministration:
        from chalicelib.accounts.administration import UserAdministration

        return self._once("users", lambda: UserAdministration(self.settings, self.accounts(), clock=self.clock))
    def mfa(self) -> MfaService:
        from chalicelib.accounts.mfa_service import MfaService

        return self._once("mfa", lambda: MfaService(self.settings, self.accounts(), clock=self.clock))

    def my_account(self) -> MyAccount:
        from chalicelib.accounts.my_account import MyAccount

        return self._once("my_account", lambda: MyAccount(self.settings, self.accounts(), clock=self.clock))

    def impersonations(self) -> ImpersonationService:
        from chalicelib.accounts.impersonation_service import ImpersonationService

        return self._once("impersonations", lambda: ImpersonationService(self.settings, self.accounts(),
                                                                         clock=self.clock))

    def inactivity(self) -> InactivityService:
        from chalicelib.accounts.inactivity_service import InactivityService

        return self._once("inactivity", lambda: InactivityService(self.settings, clock=self.clock))

    def account_help(self) -> AccountHelp:
        from chalicelib.accounts.account_help import AccountHelp

        return self._once("account_help", lambda: AccountHelp(self.settings, self.accounts(), self.mfa(),
                                                              clock=self.clock))

    def members(self) -> MemberService:
        from chalicelib.members.service import MemberService

        return self._once("members", lambda: MemberService(self.settings, clock=self.clock))

    def documents(self) -> DocumentService:
        return self._once("documents", self._documents)

    def _documents(self) -> DocumentService:
        from chalicelib.documents.enums import DocumentKind
        from chalicelib.documents.scanning import scanner_named
        from chalicelib.documents.service import DocumentService

        documents = DocumentService(self.settings, self.members(), clock=self.clock)
        documents.scan_with(scanner_named(self.settings.malware_scanner))

        def eligibility_file(document: DocumentModel, event_time: datetime) -> str:
            from chalicelib.members.batch import process_eligibility_file

            return process_eligibility_file(document, event_time, self.members(), documents)

        def claim_file(document: DocumentModel, event_time: datetime) -> str:
            from chalicelib.claims.batch import process_claim_file

            return process_claim_file(document, event_time, documents, self.claims(), self.members())

        documents.process_batch_kind(DocumentKind.ELIGIBILITY_FILE, eligibility_file)
        documents.process_batch_kind(DocumentKind.CLAIM_FILE, claim_file)
        documents.principals_from(lambda username, provider_id: self.accounts().acting_principal(username, provider_id))
        documents.on_consent_received(lambda member_id: self.claims().release_for_consent(member_id))
        return documents

    def claims(self) -> ClaimService:
        from chalicelib.claims.service import ClaimService

        return self._once("claims", lambda: ClaimService(self.settings, self.members(), self.documents(),
                                                         clock=self.clock))

    def claim_files(self) -> ClaimFileService:
        from chalicelib.claims.files import ClaimFileService

        return self._once("claim_files", lambda: ClaimFileService(self.settings, self.documents()))

    def process_claim_batch(self, batch: dict[str, Any]) -> str:
        """A batch worker's delivery: one batch of an 837 file's claims (chalicelib/claims/batch.py)."""
        from chalicelib.claims.batch import process_claim_batch

        return process_claim_batch(batch, self.documents(), self.claims(), self.members())

    def claim_file_failed(self, document_id: str, reference: str) -> str | None:
        """A batch of the file failed on its last delivery: the file ends FAILED with the reason."""
        return self.documents().part_failed_for_good(document_id, reference)

    def payments(self) -> PaymentService:
        from chalicelib.claims.payments import PaymentService

        return self._once("payments", lambda: PaymentService(self.settings, clock=self.clock))

    def prior_auths(self) -> PriorAuthService:
        from chalicelib.priorauth.service import PriorAuthService

        return self._once("prior_auths", lambda: PriorAuthService(self.settings, self.members(), self.documents(),
                                                                  self.accounts(), clock=self.clock))

    def exports(self) -> ExportService:
        from chalicelib.reports.exports import ExportService

        return self._once("exports", lambda: ExportService(self.settings, self.accounts(), clock=self.clock))

    def training(self) -> TrainingService:
        return self._once("training", self._training)

    def _training(self) -> TrainingService:
        from chalicelib.training.service import OfficeUser, TrainingService

        def office_users(tax_id: str) -> list[OfficeUser]:
            return [OfficeUser(a.username, a.status, a.created_at) for a in self.accounts().accounts_of_tax_id(tax_id)]

        return TrainingService(clock=self.clock, office_users=office_users)

    def _once[T](self, name: str, build: Callable[[], T]) -> T:
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
    from chalicelib.accounts.mfa_store import MfaChallengeModel, MfaModel, RememberedBrowserModel
    from chalicelib.accounts.store import (
        AccountModel,
        AttemptCounterModel,
        EmailClaimModel,
        ImpersonationModel,
        ImpersonatorModel,
        OneTimeTokenModel,
        SessionModel,
        TaxIdSettingsModel,
    )
    from chalicelib.audit.store import AuditEventModel
    from chalicelib.claims.store import ClaimModel, FeeScheduleModel, PaymentModel
    from chalicelib.documents.store import DocumentModel
    from chalicelib.emails.store import OutboxMessageModel
    from chalicelib.members.store import MemberModel
    from chalicelib.platform.dynamo.control import ControlModel
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
    from chalicelib.training.store import AttestationModel

    return (
        AccountModel, EmailClaimModel, SessionModel, OneTimeTokenModel, ProviderModel, OutboxMessageModel, MemberModel,
        DocumentModel, AuditEventModel, RosterEntryModel, RosterCountModel, ExportJobModel, ExportSubscriptionModel,
        RegistryRowModel, RegistrySummaryModel, PriorAuthRuleModel, PriorAuthRequestModel, PriorAuthEventModel,
        ClaimModel, PaymentModel, FeeScheduleModel, ControlModel, AttemptCounterModel, AttestationModel,
        TaxIdSettingsModel, MfaModel, MfaChallengeModel, RememberedBrowserModel, ImpersonationModel, ImpersonatorModel,
    )
