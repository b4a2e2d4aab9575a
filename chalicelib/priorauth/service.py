"""Prior authorization requests: submit (AutoAuth answers at once), follow, review, appeal.

Every change of a request is one DynamoDB transaction: the request (guarded by its
``version``), the history entry, and the outbox row of the email notice. Nothing is
half-written; two people changing one request at once get a 409 for the second.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry
from chalicelib.documents.enums import DocumentKind, DocumentStatus
from chalicelib.documents.service import DocumentService, UploadTicket
from chalicelib.emails import outbox
from chalicelib.emails.templates import EmailTemplate
from chalicelib.members.service import MemberLookup, MemberService
from chalicelib.platform import metrics
from chalicelib.platform.access import OfficePartition, Principal, scope_of
from chalicelib.platform.clock import Clock
from chalicelib.platform.codesets.icd10cm import with_dot
from chalicelib.platform.config import Settings
from chalicelib.platform.dynamo.office_search import office_search, scoped_status
from chalicelib.platform.dynamo.paging import (
    SearchPage,
    date_range,
    decode_page_token,
    encode_page_token,
    search_page,
    visible_to,
)
from chalicelib.platform.dynamo.writes import Missing, TransactionCancelled, transaction
from chalicelib.platform.errors import (
    Forbidden,
    NotEligible,
    PriorAuthChanged,
    PriorAuthConflict,
    PriorAuthNotFound,
    SessionExpired,
    ValidationFailed,
)
from chalicelib.platform.logs import logger
from chalicelib.platform.security import withheld
from chalicelib.priorauth import autoauth, deadlines
from chalicelib.priorauth.enums import AuthStatus, CodeKind, Urgency
from chalicelib.priorauth.fhir_response import Party
from chalicelib.priorauth.identifiers import NPI_SYSTEM, PROVIDER_ID_SYSTEMS
from chalicelib.priorauth.metrics import DecisionRow, PeriodFigures, figures
from chalicelib.priorauth.store import (
    EVENT_PREFIX,
    PRIOR_AUTH_OFFICE_INDEXES,
    REQUEST_ITEM,
    REVIEW_QUEUE_OPEN,
    NewbornAttribute,
    PendReasonAttribute,
    PriorAuthEventModel,
    PriorAuthRequestModel,
    PriorAuthRuleModel,
    ServiceLineAttribute,
    event_item,
    new_authorization_number,
    new_reference_number,
    received_key,
    rule_set_key,
)
from chalicelib.priorauth.submission import Submission, derived_criteria, line_kind, submission_problems
from chalicelib.providers import service as providers

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition

    from chalicelib.accounts.service import AccountService
    from chalicelib.documents.store import DocumentModel
    from chalicelib.emails.store import OutboxMessageModel

AUTOAUTH_ACTOR = "AutoAuth"
EVENT_RECEIVED = "RECEIVED"
MAX_METRIC_MONTHS = 36

STATUS_LABELS: dict[AuthStatus, str] = {
    AuthStatus.APPROVED: "Approved",
    AuthStatus.PENDED: "Pended for clinical review",
    AuthStatus.MORE_INFO_REQUESTED: "More information requested",
    AuthStatus.DENIED: "Denied",
    AuthStatus.APPEALED: "Appeal received",
    AuthStatus.NO_AUTH_REQUIRED: "No authorization required by our rules",
}
RULE_KINDS = frozenset({CodeKind.CPT, CodeKind.HCPCS, CodeKind.REVENUE, CodeKind.SERVICE_TYPE})
STATUS_EMAIL_PAGE = "/prior-authorization/requests/{number}"
"""Where a status email sends the office: the request's page (after login if needed; handlers/priorauth/paths.py
REQUEST, which a test holds equal), never the JSON route /prior-auths/{number}, which a browser sees as a JSON 401."""


@dataclass(frozen=True)
class Requirement:
    code: str
    state: str
    program: str
    listed: bool
    requires_authorization: bool
    description: str | None
    request_types: tuple[str, ...] = ()
    documentation: tuple[str, ...] = ()
    criteria: tuple[tuple[str, str], ...] = ()
    auto_approval: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubmitOutcome:
    request: PriorAuthRequestModel
    uploads: tuple[UploadTicket, ...]


@dataclass(frozen=True)
class RequestView:
    request: PriorAuthRequestModel
    history: list[PriorAuthEventModel]
    documents: list[DocumentModel]


@dataclass(frozen=True)
class RequestPage:
    items: list[PriorAuthRequestModel]
    count: int
    next_token: str | None


@dataclass(frozen=True)
class SearchCriteria:
    authorization_number: str | None = None
    member_id: str | None = None
    provider_id: str | None = None
    servicing: bool = False
    """The requests the office is to perform (it is the servicing provider), not the ones it sent."""
    status: AuthStatus | None = None
    received_from: date | None = None
    received_to: date | None = None
    limit: int = 50
    next_token: str | None = None


class ReviewAction:
    APPROVE = "APPROVE"
    DENY = "DENY"
    REQUEST_INFO = "REQUEST_INFO"


@dataclass(frozen=True)
class ReviewDecision:
    action: str
    approved_units: dict[int, int] = field(default_factory=dict)
    approved_start_date: date | None = None
    approved_end_date: date | None = None
    denial_reason_code: str | None = None
    reason: str | None = None


def code_rule(row: PriorAuthRuleModel) -> autoauth.CodeRule:
    return autoauth.CodeRule(
        code=row.code, description=row.description, requires_authorization=row.requires_authorization,
        request_types=tuple(row.request_types),
        questions={criterion.criterion_id: criterion.question for criterion in row.criteria},
        auto_rules=tuple(
            autoauth.AutoRule(rule.rule_id, rule.description, tuple(rule.criteria_all),
                              tuple(rule.diagnosis_prefixes), tuple(rule.urgencies), int(rule.max_units),
                              int(rule.max_days))
            for rule in row.auto_rules
        ),
    )


class PriorAuthService:
    def __init__(self, settings: Settings, members: MemberService, documents: DocumentService,
                 accounts: AccountService, *, clock: Clock) -> None:
        self._settings = settings
        self._members = members
        self._documents = documents
        self._accounts = accounts
        self._clock = clock
        self._zone = settings.plan_zone

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        return self._clock().astimezone(self._zone).date()

    # Requirements

    def requirements(self, state: str, program: str, codes: Iterable[str]) -> list[Requirement]:
        wanted = list(dict.fromkeys(code.strip().upper() for code in codes))
        rule_set = rule_set_key(state, program)
        found = {row.code: row for row in PriorAuthRuleModel.batch_get([(rule_set, code) for code in wanted])}
        answers = []
        for code in wanted:
            row = found.get(code)
            if row is None:
                answers.append(Requirement(code, state, program, listed=False, requires_authorization=False,
                                           description=None))
                continue
            answers.append(Requirement(
                code, state, program, listed=True, requires_authorization=row.requires_authorization,
                description=row.description, request_types=tuple(row.request_types),
                documentation=tuple(row.documentation),
                criteria=tuple((criterion.criterion_id, criterion.question) for criterion in row.criteria),
                auto_approval=tuple(rule.description for rule in row.auto_rules),
            ))
        return answers

    def questions(self, principal: Principal, member_id: str, start_date: date, codes: Iterable[str],
                  requesting_provider_id: str | None = None) -> list[Requirement]:
        """The codes' requirements under the member's own state and plan type on the start date: the clinical
        questions a request form asks before it is sent (the rules ``submit`` decides on)."""
        requesting = self._documents.acting_provider(principal, requesting_provider_id)
        member = self._members.find(principal, MemberLookup(member_id=member_id))
        answer = self._members.answer(member, start_date, requesting.provider_id)
        span = answer.eligibility.span
        if not answer.eligibility.eligible or span is None:
            raise NotEligible(fields={"startDate": "the member is not eligible on this date"})
        return self.requirements(member.state, span.plan_type, codes)

    # Submission

    def submit(self, principal: Principal, submission: Submission, *, source: str = "PORTAL") -> SubmitOutcome:
        """Validate, decide with AutoAuth, and write the request, its history and its notice together."""
        problems = submission_problems(submission, self.today())
        if problems:
            raise ValidationFailed(fields=problems)
        requesting = self._documents.acting_provider(principal, submission.requesting_provider_id)
        servicing = providers.find(submission.servicing_provider_id)
        if servicing is None:
            raise ValidationFailed(fields={"servicingProviderId": "is not a provider in the plan's directory"})
        member = self._members.find(principal, MemberLookup(member_id=submission.member_id))
        answer = self._members.answer(member, submission.start_date, requesting.provider_id)
        span = answer.eligibility.span
        if not answer.eligibility.eligible or span is None:
            raise NotEligible(fields={"startDate": "the member is not eligible on this date"})

        kinds = [line_kind(line) or CodeKind.OTHER for line in submission.lines]
        listed_codes = {line.code for line, kind in zip(submission.lines, kinds, strict=True) if kind in RULE_KINDS}
        rules = {row.code: code_rule(row) for row in PriorAuthRuleModel.batch_get(
            [(rule_set_key(member.state, span.plan_type), code) for code in listed_codes])} if listed_codes else {}
        wrong_type = {
            f"serviceLines.{index}.code": f"is not requested as {submission.request_type.value.lower()}"
            for index, line in enumerate(submission.lines)
            if line.code in rules and rules[line.code].request_types
            and submission.request_type.value not in rules[line.code].request_types
        }
        if wrong_type:
            raise ValidationFailed(fields=wrong_type)
        criteria_met = frozenset(submission.criteria_met) | derived_criteria(submission)
        decision = autoauth.decide(autoauth.RequestFacts(
            urgency=submission.urgency.value, diagnosis_codes=submission.diagnosis_codes,
            criteria_met=criteria_met, criteria_not_met=frozenset(submission.criteria_not_met),
            days=submission.days,
            lines=tuple(autoauth.LineFacts(index + 1, line.code, line.units, kind)
                        for index, (line, kind) in enumerate(zip(submission.lines, kinds, strict=True))),
        ), rules)

        now = self._clock()
        status = decision.status
        numbered = new_reference_number if status == AuthStatus.NO_AUTH_REQUIRED else new_authorization_number
        request = PriorAuthRequestModel(
            request_id=numbered(now),
            request_type=submission.request_type.value, status=status.value, urgency=submission.urgency.value,
            source=source, member_id=member.member_id, member_first_name=member.first_name,
            member_last_name=member.last_name, member_birth_date=member.birth_date, state=member.state,
            program=span.program, plan_type=span.plan_type, requesting_provider_id=requesting.provider_id,
            servicing_provider_id=servicing.provider_id, servicing_tax_id=servicing.tax_id, tax_id=requesting.tax_id,
            submitted_by=principal.username,
            notify_email=self._email_of(principal.username), received_at=now,
            due_at=deadlines.decision_due(now, submission.urgency),
            start_date=submission.start_date.isoformat(), end_date=submission.end_date.isoformat(),
            lines=[
                ServiceLineAttribute(
                    line=index + 1, code=line.code, modifiers=list(line.modifiers), units=line.units,
                    description=rules[line.code].description if line.code in rules else line.description,
                    requires_authorization=outcome.requires_authorization, auto_rule_id=outcome.auto_rule_id,
                    approved_units=line.units if decision.approved else None, kind=kind.value, listed=outcome.listed,
                )
                for index, (line, outcome, kind) in enumerate(zip(submission.lines, decision.lines, kinds,
                                                                  strict=True))
            ],
            diagnosis_codes=[with_dot(code) for code in submission.diagnosis_codes],
            medical_history=submission.medical_history, criteria_met=sorted(criteria_met),
            criteria_not_met=sorted(submission.criteria_not_met), pend_reasons=list(decision.pend_reasons),
            pend_details=[PendReasonAttribute(
                line=reason.line, code=reason.code, reason_code=reason.reason_code.value, text=reason.text,
                rule_id=reason.rule_id, criteria_not_met=list(reason.criteria_not_met),
                criteria_not_answered=list(reason.criteria_not_answered)) for reason in decision.reasons],
            claim_identifiers=list(submission.claim_identifiers),
        )
        request.received_key = received_key(now, request.request_id)
        if submission.newborn:
            newborn = submission.newborn
            request.newborn = NewbornAttribute(
                birth_date=newborn.birth_date.isoformat(), gender=newborn.gender,
                birth_weight_grams=newborn.birth_weight_grams, gestational_age_weeks=newborn.gestational_age_weeks,
                delivery_method=newborn.delivery_method, nicu_admission=newborn.nicu_admission)
        documents = [
            self._documents.new_document(principal, requesting, DocumentKind.CLINICAL_DOCUMENT, document.file_name,
                                         document.content_type, member_id=member.member_id)
            for document in submission.documents
        ]
        for document in documents:
            document.prior_auth_id = request.request_id
        request.document_ids = [document.document_id for document in documents]
        events = [self._event(request, now, 0, EVENT_RECEIVED, principal.username, principal.role.value,
                              f"Submitted through the {source.lower()}")]
        if decision.approved:
            request.approved_start_date, request.approved_end_date = request.start_date, request.end_date
            request.auto_approved = True
            self._record_first_decision(request, AuthStatus.APPROVED, now, AUTOAUTH_ACTOR)
            rules_met = sorted({line.auto_rule_id for line in decision.lines if line.auto_rule_id})
            events.append(self._event(request, now, 1, AuthStatus.APPROVED, AUTOAUTH_ACTOR, "system",
                                      "Approved by AutoAuth: " + ", ".join(rules_met)))
        elif status == AuthStatus.NO_AUTH_REQUIRED:
            events.append(self._event(request, now, 1, status, AUTOAUTH_ACTOR, "system",
                                      "No authorization required by our rules for "
                                      + ", ".join(line.code for line in submission.lines)))
        else:
            events.append(self._event(request, now, 1, AuthStatus.PENDED, AUTOAUTH_ACTOR, "system",
                                      "Pended for clinical review: " + "; ".join(decision.pend_reasons)))
        self._index(request)
        message = self._notice(request, now)
        with transaction() as writes:
            writes.save(request, condition=PriorAuthRequestModel.request_id.does_not_exist())
            for event in events:
                writes.save(event)
            for document in documents:
                self._documents.add_to(writes, document)
            writes.save(message)
        outbox.publish([message])
        trail.record(principal, AuditEntry(member.member_id, AuditAction.PRIOR_AUTH_SUBMITTED, requesting.provider_id,
                                           f"request={request.request_id} status={status.value}"), now)
        logger.info("prior authorization submitted", extra={"request_id": request.request_id,
                                                            "status": status.value, "source": source})
        metrics.count({AuthStatus.APPROVED: "PriorAuthApproved", AuthStatus.PENDED: "PriorAuthPended"}.get(
            status, "PriorAuthNoAuthRequired"))
        tickets = tuple(self._documents.presign(document, self._settings.upload_max_bytes) for document in documents)
        return SubmitOutcome(request, tickets)

    # Reading

    def get(self, principal: Principal, request_id: str, *, audited: bool = True,
            performing: bool = False) -> PriorAuthRequestModel:
        """The request when the principal's office sent it, or (``performing``: reading it) is to perform it."""
        try:
            request = PriorAuthRequestModel.get(request_id, REQUEST_ITEM)
        except Missing:
            raise PriorAuthNotFound() from None
        scope = scope_of(principal)
        if not scope.sees(request.requesting_provider_id, request.tax_id) and not (
                performing and scope.sees(request.servicing_provider_id, request.servicing_tax_id)):
            raise withheld(principal, PriorAuthNotFound())
        if audited:
            trail.record(principal, AuditEntry(request.member_id, AuditAction.PRIOR_AUTH_VIEWED,
                                               request.requesting_provider_id, f"request={request_id}"), self._clock())
        return request

    def view(self, principal: Principal, request_id: str) -> RequestView:
        request = self.get(principal, request_id, performing=True)
        history = list(PriorAuthEventModel.query(request_id, PriorAuthEventModel.item.startswith(EVENT_PREFIX)))
        return RequestView(request, history, self._documents.records(request.document_ids or []))

    def pending_uploads(self, request_id: str) -> tuple[UploadTicket, ...]:
        """Fresh presigned POSTs for the request's documents not uploaded yet (a repeated submission)."""
        request = PriorAuthRequestModel.get(request_id, REQUEST_ITEM)
        if not request.document_ids:
            return ()
        waiting = [document for document in self._documents.records(request.document_ids)
                   if document.status == DocumentStatus.AWAITING_UPLOAD.value]
        return tuple(self._documents.presign(document, self._settings.upload_max_bytes) for document in waiting)

    def search(self, principal: Principal, criteria: SearchCriteria) -> SearchPage[PriorAuthRequestModel]:
        """One page, newest first, without a total: each page reads at most its own items plus one."""
        if criteria.authorization_number:
            request = self.get(principal, criteria.authorization_number, performing=True)
            matches = criteria.status is None or request.status == criteria.status.value
            return SearchPage([request] if matches else [], None)
        received = self._received_range(criteria)
        if criteria.member_id:
            member = self._members.find(principal, MemberLookup(member_id=criteria.member_id))
            condition = self._visible(principal)
            if criteria.status:
                status_only = PriorAuthRequestModel.status == criteria.status.value
                condition = status_only if condition is None else condition & status_only
            trail.record(principal, AuditEntry(member.member_id, AuditAction.PRIOR_AUTHS_SEARCHED,
                                               principal.home_provider_id), self._clock())
            return self._page(PriorAuthRequestModel.by_member, "member_id", member.member_id, received, condition,
                              criteria)
        partition = scope_of(principal).home()
        if criteria.provider_id:
            provider = self._documents.acting_provider(principal, criteria.provider_id)
            partition = OfficePartition(by_provider=True, key=provider.provider_id)
        elif partition is None:
            raise ValidationFailed("Plan staff search by authorization number, member or provider; the review "
                                   "queue lists what waits on a reviewer.",
                                   {"providerId": "is required unless authorizationNumber or memberId is given"})
        if criteria.servicing:
            return self._servicing_page(partition, received, criteria)
        return office_search(PRIOR_AUTH_OFFICE_INDEXES, partition, criteria.status.value if criteria.status else None,
                             received, criteria.limit, criteria.next_token)

    def _servicing_page(self, partition: OfficePartition, received: Condition | None,
                        criteria: SearchCriteria) -> SearchPage[PriorAuthRequestModel]:
        """The requests naming the office's provider (or a provider of its Tax ID) as the one to perform them."""
        if partition.by_provider:
            index, hash_name = PriorAuthRequestModel.by_servicing_provider, "servicing_provider_id"
        else:
            index, hash_name = PriorAuthRequestModel.by_servicing_tax_id, "servicing_tax_id"
        status = PriorAuthRequestModel.status == criteria.status.value if criteria.status else None
        return self._page(index, hash_name, partition.key, received, status, criteria)

    @staticmethod
    def _received_range(criteria: SearchCriteria) -> Condition | None:
        return date_range(PriorAuthRequestModel.received_key, criteria.received_from, criteria.received_to,
                          first_field="receivedFrom", last_field="receivedTo")

    @staticmethod
    def _page(index: object, hash_name: str, hash_value: str, received: Condition | None,
              condition: Condition | None, criteria: SearchCriteria) -> SearchPage[PriorAuthRequestModel]:
        return search_page(PriorAuthRequestModel, index, hash_name, hash_value, received, condition, criteria.limit,
                           criteria.next_token)

    @staticmethod
    def _visible(principal: Principal) -> Condition | None:
        """Sent by the office, or to be performed by it."""
        sent = visible_to(principal, PriorAuthRequestModel.tax_id, PriorAuthRequestModel.requesting_provider_id)
        performing = visible_to(principal, PriorAuthRequestModel.servicing_tax_id,
                                PriorAuthRequestModel.servicing_provider_id)
        return None if sent is None or performing is None else sent | performing

    # FHIR: who a PAS identifier names, and $inquire

    @staticmethod
    def provider_named(identifiers: Iterable[tuple[str | None, str]]) -> str | None:
        """The provider ID of the first identifier the directory knows: an NPI, or our own provider ID."""
        for system, value in identifiers:
            if system == NPI_SYSTEM:
                provider = providers.with_npi(value)
            elif not system or system in PROVIDER_ID_SYSTEMS:
                provider = providers.find(value)
            else:
                continue
            if provider is not None:
                return provider.provider_id
        return None

    @staticmethod
    def party(provider_id: str) -> Party:
        """The provider as a FHIR response names it (the directory's record)."""
        provider = providers.find(provider_id)
        if provider is None:
            return Party(provider_id, None, provider_id, is_group=True)
        return Party(provider.provider_id, provider.npi, provider.display_name, provider.is_group)

    def inquire(self, principal: Principal, member_id: str, claim_identifiers: Iterable[str],
                authorization_numbers: Iterable[str]) -> PriorAuthRequestModel:
        """A request of the member found by its authorization number or the submitted Claim's identifiers,
        among those the office sent or is to perform; another office's is not found."""
        member = self._members.find(principal, MemberLookup(member_id=member_id))
        for number in authorization_numbers:
            try:
                request = self.get(principal, number, performing=True)
            except PriorAuthNotFound:
                continue
            if request.member_id == member.member_id:
                return request
        wanted = list(dict.fromkeys(claim_identifiers))
        if not wanted:
            raise PriorAuthNotFound()
        matches = functools.reduce(operator.or_, [PriorAuthRequestModel.claim_identifiers.contains(identifier)
                                                  for identifier in wanted])
        visible = self._visible(principal)
        condition = matches if visible is None else matches & visible
        found = next(iter(PriorAuthRequestModel.by_member.query(member.member_id, filter_condition=condition,
                                                                scan_index_forward=False)), None)
        if found is None:
            raise PriorAuthNotFound()
        trail.record(principal, AuditEntry(found.member_id, AuditAction.PRIOR_AUTH_VIEWED,
                                           found.requesting_provider_id, f"request={found.request_id} inquiry"),
                     self._clock())
        return found

    # What the office does after submitting

    def attach_documents(self, principal: Principal, request_id: str,
                         files: Iterable[tuple[str, str]]) -> tuple[UploadTicket, ...]:
        request = self.get(principal, request_id, audited=False)
        provider = providers.find(request.requesting_provider_id)
        assert provider is not None
        documents = []
        for file_name, content_type in files:
            document = self._documents.new_document(principal, provider, DocumentKind.CLINICAL_DOCUMENT, file_name,
                                                    content_type, member_id=request.member_id)
            document.prior_auth_id = request.request_id
            documents.append(document)
        now = self._clock()
        note = "Clinical document(s) attached: " + ", ".join(document.file_name for document in documents)
        event = PriorAuthEventModel(request_id=request.request_id, item=event_item(request.version + 1, 0), at=now,
                                    status=request.status, actor=principal.username, actor_role=principal.role.value,
                                    note=note[:2000])
        try:
            with transaction() as writes:
                writes.update(request, actions=[
                    PriorAuthRequestModel.document_ids.set(PriorAuthRequestModel.document_ids.append(
                        [document.document_id for document in documents])),
                    PriorAuthRequestModel.version.add(1),
                ], condition=PriorAuthRequestModel.version == request.version)
                writes.save(event)
                for document in documents:
                    self._documents.add_to(writes, document)
        except TransactionCancelled as error:
            raise PriorAuthChanged() from error
        return tuple(self._documents.presign(document, self._settings.upload_max_bytes) for document in documents)

    def send_information(self, principal: Principal, request_id: str, information: str) -> PriorAuthRequestModel:
        request = self.get(principal, request_id, audited=False)
        self._require_status(request, (AuthStatus.MORE_INFO_REQUESTED,), "information can be sent only when asked for")
        return self._change(request, AuthStatus.PENDED, principal, f"Information sent: {information}")

    def appeal(self, principal: Principal, request_id: str, reason: str) -> PriorAuthRequestModel:
        request = self.get(principal, request_id, audited=False)
        self._require_status(request, (AuthStatus.DENIED,), "only a denied request can be appealed")
        if request.appealed_at is not None:
            raise PriorAuthConflict("This request was already appealed; the appeal decision is final here.",
                                    {"status": "already appealed"})
        now = self._clock()
        request.appealed_at, request.appeal_reason = now, reason
        request.due_at = deadlines.appeal_due(now, Urgency(request.urgency))
        return self._change(request, AuthStatus.APPEALED, principal, f"Appeal: {reason}", now=now)

    # Clinical review (plan staff)

    def review_queue(self, principal: Principal, limit: int, token: str | None) -> RequestPage:
        self._require_staff(principal)
        start = decode_page_token(token, {"review_queue": REVIEW_QUEUE_OPEN})
        results = PriorAuthRequestModel.review.query(REVIEW_QUEUE_OPEN, limit=limit, last_evaluated_key=start)
        items = list(results)
        count = PriorAuthRequestModel.review.count(REVIEW_QUEUE_OPEN)
        return RequestPage(items, count, encode_page_token(results.last_evaluated_key))

    def extend(self, principal: Principal, request_id: str, days: int, reason: str) -> PriorAuthRequestModel:
        """Extend a standard request's review timeframe once, by up to 14 days, recording why; the due time moves."""
        self._require_staff(principal)
        request = self.get(principal, request_id, audited=False)
        self._require_status(request, (AuthStatus.PENDED, AuthStatus.MORE_INFO_REQUESTED),
                             "only a request waiting on its first decision can be extended")
        if request.extended:
            raise PriorAuthConflict("The review timeframe of this request was already extended; it may be extended "
                                    "once.", {"days": "already extended once"})
        problems = deadlines.extension_problem(Urgency(request.urgency), days)
        if problems:
            raise ValidationFailed(fields=problems)
        now = self._clock()
        request.due_at = deadlines.extended_due(request.due_at, days)
        request.extended, request.extended_at, request.extended_by = True, now, principal.username
        request.extension_days, request.extension_reason = days, reason
        return self._change(request, AuthStatus(request.status), principal,
                            f"Review timeframe extended by {days} days to {request.due_at:%Y-%m-%d %H:%M} UTC: "
                            f"{reason}", now=now)

    def overdue_count(self) -> int:
        now = self._clock().isoformat()
        return PriorAuthRequestModel.review.count(REVIEW_QUEUE_OPEN, PriorAuthRequestModel.due_key < now)

    def decide(self, principal: Principal, request_id: str, decision: ReviewDecision) -> PriorAuthRequestModel:
        self._require_staff(principal)
        request = self.get(principal, request_id, audited=False)
        on_appeal = request.status == AuthStatus.APPEALED.value
        allowed = (AuthStatus.PENDED, AuthStatus.MORE_INFO_REQUESTED, AuthStatus.APPEALED)
        self._require_status(request, allowed, "the request is already decided")
        now = self._clock()
        if decision.action == ReviewAction.REQUEST_INFO:
            if on_appeal:
                raise ValidationFailed(fields={"action": "an appeal is approved or denied"})
            request.information_requested = decision.reason
            changed = self._change(request, AuthStatus.MORE_INFO_REQUESTED, principal,
                                   f"More information requested: {decision.reason}", now=now)
        elif decision.action == ReviewAction.APPROVE:
            self._apply_approval(request, decision)
            if on_appeal:
                request.approved_on_appeal = True
            self._record_first_decision(request, AuthStatus.APPROVED, now, principal.username)
            changed = self._change(request, AuthStatus.APPROVED, principal,
                                   ("Approved on appeal" if on_appeal else "Approved") + self._note(decision), now=now)
        else:
            code = decision.denial_reason_code or ""
            request.denial_reason_code, request.denial_reason = code, decision.reason
            self._record_first_decision(request, AuthStatus.DENIED, now, principal.username)
            changed = self._change(request, AuthStatus.DENIED, principal,
                                   f"{'Appeal denied' if on_appeal else 'Denied'} ({code}): {decision.reason}",
                                   now=now)
        trail.record(principal, AuditEntry(request.member_id, AuditAction.PRIOR_AUTH_DECIDED,
                                           request.requesting_provider_id,
                                           f"request={request_id} action={decision.action}"), now)
        return changed

    @staticmethod
    def _note(decision: ReviewDecision) -> str:
        return f": {decision.reason}" if decision.reason else ""

    @staticmethod
    def _apply_approval(request: PriorAuthRequestModel, decision: ReviewDecision) -> None:
        problems: dict[str, str] = {}
        by_line = {line.line: line for line in request.lines}
        for number, units in decision.approved_units.items():
            line = by_line.get(number)
            if line is None:
                problems[f"approvedUnits.{number}"] = "is not a line of this request"
            elif units > line.units:
                problems[f"approvedUnits.{number}"] = f"must be at most the {int(line.units)} units requested"
        start = decision.approved_start_date or date.fromisoformat(request.start_date)
        end = decision.approved_end_date or date.fromisoformat(request.end_date)
        if start < date.fromisoformat(request.start_date) or start > date.fromisoformat(request.end_date):
            problems["approvedStartDate"] = "must be within the requested dates"
        if end > date.fromisoformat(request.end_date) or end < start:
            problems["approvedEndDate"] = "must be within the requested dates and on or after the start"
        if problems:
            raise ValidationFailed(fields=problems)
        for line in request.lines:
            line.approved_units = decision.approved_units.get(int(line.line), line.units)
        request.approved_start_date, request.approved_end_date = start.isoformat(), end.isoformat()

    # Metrics (CMS-0057-F)

    def metrics(self, principal: Principal, first_month: str, last_month: str, group_by: str) -> list[PeriodFigures]:
        self._require_staff(principal)
        months = _months(first_month, last_month)
        rows = []
        for month in months:
            for item in PriorAuthRequestModel.by_decision_month.query(month):
                rows.append(DecisionRow(
                    period=_period(month, group_by), urgency=item.urgency, first_outcome=item.first_outcome or "",
                    decision_seconds=float(item.decision_seconds or 0), approved_on_appeal=item.approved_on_appeal,
                    auto_approved=item.auto_approved, extended=bool(item.extended),
                ))
        return figures(rows, list(dict.fromkeys(_period(month, group_by) for month in months)))

    # Writing changes

    def _change(self, request: PriorAuthRequestModel, status: AuthStatus, principal: Principal, note: str, *,
                now: datetime | None = None) -> PriorAuthRequestModel:
        now = now or self._clock()
        previous_version = request.version
        request.status = status.value
        request.version = previous_version + 1
        self._index(request)
        event = self._event(request, now, 0, status, principal.username, principal.role.value, note)
        message = self._notice(request, now)
        try:
            with transaction() as writes:
                writes.save(request, condition=PriorAuthRequestModel.version == previous_version)
                writes.save(event)
                writes.save(message)
        except TransactionCancelled as error:
            raise PriorAuthChanged() from error
        outbox.publish([message])
        logger.info("prior authorization status changed", extra={"request_id": request.request_id,
                                                                 "status": status.value})
        metrics.count(f"PriorAuth{status.value.title().replace('_', '')}")
        return request

    def _record_first_decision(self, request: PriorAuthRequestModel, outcome: AuthStatus, now: datetime,
                               actor: str) -> None:
        request.decided_by = actor
        if request.first_outcome is not None:
            return
        request.first_outcome = outcome.value
        request.decided_at = now
        request.decision_seconds = int((now - request.received_at).total_seconds())
        request.decided_month = f"{now:%Y-%m}"
        request.decided_key = f"{now.isoformat()}#{request.request_id}"

    @staticmethod
    def _index(request: PriorAuthRequestModel) -> None:
        """Keep the index attributes true to the status (the review queue is sparse)."""
        request.provider_status = scoped_status(request.requesting_provider_id, request.status)
        request.tax_status = scoped_status(request.tax_id, request.status)
        waiting = request.status in (AuthStatus.PENDED.value, AuthStatus.MORE_INFO_REQUESTED.value,
                                     AuthStatus.APPEALED.value)
        request.review_queue = REVIEW_QUEUE_OPEN if waiting else None
        request.due_key = f"{request.due_at.isoformat()}#{request.request_id}" if waiting else None

    @staticmethod
    def _event(request: PriorAuthRequestModel, now: datetime, sequence: int, status: str, actor: str,
               role: str, note: str | None) -> PriorAuthEventModel:
        return PriorAuthEventModel(request_id=request.request_id, item=event_item(request.version, sequence), at=now,
                                   status=str(status), actor=actor, actor_role=role, note=note[:2000] if note else None)

    def _notice(self, request: PriorAuthRequestModel, now: datetime) -> OutboxMessageModel:
        return outbox.new_email(EmailTemplate.PRIOR_AUTH_STATUS, request.notify_email, {
            "username": request.submitted_by,
            "authorization_number": request.request_id,
            "status_label": STATUS_LABELS[AuthStatus(request.status)],
            "link": self._settings.portal_url + STATUS_EMAIL_PAGE.format(number=request.request_id),
        }, now)

    @staticmethod
    def _require_status(request: PriorAuthRequestModel, allowed: tuple[AuthStatus, ...], why: str) -> None:
        if request.status not in {status.value for status in allowed}:
            raise PriorAuthConflict(f"The request is {request.status}: {why}.", {"status": f"is {request.status}"})

    @staticmethod
    def _require_staff(principal: Principal) -> None:
        if not principal.is_plan_staff:
            raise Forbidden("Clinical review is for the plan's staff.")

    def _email_of(self, username: str) -> str:
        email = self._accounts.email_of(username)
        if email is None:
            raise SessionExpired()
        return email


def _months(first: str, last: str) -> list[str]:
    start_year, start_month = (int(part) for part in first.split("-"))
    end_year, end_month = (int(part) for part in last.split("-"))
    count = (end_year - start_year) * 12 + end_month - start_month + 1
    if count < 1:
        raise ValidationFailed(fields={"to": "must be on or after from"})
    if count > MAX_METRIC_MONTHS:
        raise ValidationFailed(fields={"to": f"the range may cover at most {MAX_METRIC_MONTHS} months"})
    return [f"{start_year + (start_month - 1 + offset) // 12:04d}-{(start_month - 1 + offset) % 12 + 1:02d}"
            for offset in range(count)]


def _period(month: str, group_by: str) -> str:
    year, number = month.split("-")
    if group_by == "year":
        return year
    if group_by == "quarter":
        return f"{year}-Q{(int(number) - 1) // 3 + 1}"
    return month



