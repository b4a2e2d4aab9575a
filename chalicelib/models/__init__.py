"""One PynamoDB model module per table; key formats live beside each model."""

from chalicelib.models.accounts import AccountModel, EmailClaimModel
from chalicelib.models.audit import AuditEventModel
from chalicelib.models.claims import ClaimModel, FeeScheduleModel, PaymentModel
from chalicelib.models.documents import DocumentModel
from chalicelib.models.exports import ExportJobModel, ExportSubscriptionModel
from chalicelib.models.members import MemberModel
from chalicelib.models.outbox import OutboxMessageModel
from chalicelib.models.prior_auth import PriorAuthEventModel, PriorAuthRequestModel, PriorAuthRuleModel
from chalicelib.models.providers import ProviderModel
from chalicelib.models.registry import RegistryRowModel, RegistrySummaryModel
from chalicelib.models.roster import RosterCountModel, RosterEntryModel
from chalicelib.models.sessions import SessionModel
from chalicelib.models.tokens import OneTimeTokenModel

ALL_MODELS = (
    AccountModel, EmailClaimModel, SessionModel, OneTimeTokenModel, ProviderModel, OutboxMessageModel, MemberModel,
    DocumentModel, AuditEventModel, RosterEntryModel, RosterCountModel, ExportJobModel, ExportSubscriptionModel,
    RegistryRowModel, RegistrySummaryModel, PriorAuthRuleModel, PriorAuthRequestModel, PriorAuthEventModel,
    ClaimModel, PaymentModel, FeeScheduleModel,
)

__all__ = [
    "ALL_MODELS",
    "AccountModel",
    "AuditEventModel",
    "ClaimModel",
    "DocumentModel",
    "EmailClaimModel",
    "ExportJobModel",
    "ExportSubscriptionModel",
    "FeeScheduleModel",
    "MemberModel",
    "OneTimeTokenModel",
    "OutboxMessageModel",
    "PaymentModel",
    "PriorAuthEventModel",
    "PriorAuthRequestModel",
    "PriorAuthRuleModel",
    "ProviderModel",
    "RegistryRowModel",
    "RegistrySummaryModel",
    "RosterCountModel",
    "RosterEntryModel",
    "SessionModel",
]
