"""Uploads: hand out presigned posts, then check and record what actually arrived.

Every upload has a document record first (AWAITING_UPLOAD). When S3 reports the object,
the record moves once, by a conditional update, to its outcome; a second delivery of the
same event finds it moved and changes nothing. Bytes that fail the checks are moved to
``quarantine/`` and the record says why: nothing is dropped silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry
from chalicelib.documents.consent import ClaimForConsent, ConsentForm, ConsentType, consent_applies
from chalicelib.documents.enums import DocumentKind, DocumentStatus
from chalicelib.documents.files import HEAD_BYTES, detect_type, safe_file_name
from chalicelib.documents.scanning import NoScanner, Scanner
from chalicelib.documents.store import (
    ACCEPTED_PREFIX,
    LISTED_KINDS,
    DocumentModel,
    accepted_key,
    claim_file_result_key,
    document_upload_key,
    office_file_list,
    parse_upload_key,
    provider_file_list,
    quarantine_key,
    result_key,
    upload_key,
)
from chalicelib.platform import metrics
from chalicelib.platform.access import Principal, scope_of
from chalicelib.platform.aws import storage
from chalicelib.platform.clock import Clock
from chalicelib.platform.config import Settings
from chalicelib.platform.dynamo.control import count_in, maintained_count
from chalicelib.platform.dynamo.paging import Page, decode_page_token, encode_page_token, search_page
from chalicelib.platform.dynamo.writes import Missing, Transaction, WriteFailed, condition_failed, transaction
from chalicelib.platform.errors import DocumentNotAccepted, DocumentNotFound, NotEligible, ValidationFailed
from chalicelib.platform.logs import logger
from chalicelib.platform.security import withheld
from chalicelib.providers import service as providers

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition
    from pynamodb.expressions.update import Action

    from chalicelib.members.service import MemberService
    from chalicelib.providers.service import Provider

__all__ = ["claim_file_result_key", "result_key"]  # batch processors name their result objects with these

STALE_PROCESSING = timedelta(minutes=16)
FAILED_REASON = ("the file could not be processed: it failed on every attempt because of an error on our side, "
                 "not in the file as far as we can tell (reference {reference}). Send it again later, or call "
                 "provider services with the reference")
BATCH_COUNTERS = frozenset({
    "rows_total", "rows_eligible", "rows_not_eligible", "rows_not_found", "rows_rejected",
    "claims_total", "claims_accepted", "claims_rejected",
})
DOWNLOADABLE = frozenset({DocumentStatus.RECEIVED.value, DocumentStatus.COMPLETED.value})
DOWNLOAD_LINK_SECONDS = 60
IMAGE_DOCUMENT_KINDS = (DocumentKind.CONSENT_FORM.value, DocumentKind.CLINICAL_DOCUMENT.value)


@dataclass(frozen=True)
class UploadTicket:
    document: DocumentModel
    url: str
    fields: dict[str, str]
    expires_at: datetime
    max_bytes: int


@dataclass(frozen=True)
class DocumentPage:
    items: list[DocumentModel]
    count: int
    next_token: str | None


@dataclass(frozen=True)
class ConsentUpload:
    member_id: str
    consent_type: ConsentType
    date_of_service: date
    claim_number: str | None
    file_name: str
    content_type: str
    provider_id: str | None


@dataclass(frozen=True)
class UploadedObject:
    """The object an S3 event reports: its key and which object it is. S3 names the version in a versioned
    bucket (and the ETag); moto names the ETag only. Two writes to one key are two objects, told apart by these."""

    key: str
    version_id: str | None = None
    etag: str | None = None


def same_object(document: DocumentModel, uploaded: UploadedObject) -> bool:
    """Is the reported object the one the document took (by version when both know it, else by ETag)?"""
    if uploaded.version_id and document.upload_version:
        return uploaded.version_id == document.upload_version
    return uploaded.etag is not None and uploaded.etag.strip('"') == document.upload_etag


type BatchProcessor = Callable[[DocumentModel, datetime], str]
"""Processes one arrived batch file (document, S3 event time) and answers its status."""
type AccountPrincipal = Callable[[str, str | None], Principal | None]
"""The principal an account (by username) has now, as a login would give it, acting in the Tax ID of the provider
named; None when it may not log in."""
UPLOADER_GONE = ("the account that uploaded the file is no longer active, or no longer acts for provider "
                 "{provider_id}: nothing in the file was processed for it")


def declared_type_problem(document: DocumentModel, stored: storage.StoredObject) -> str | None:
    """The type the upload declared (its POST's Content-Type, which S3 keeps) must be the one asked for: an 837
    sent as application/pdf is refused before its bytes are read as one. (S3 enforces the presigned condition;
    moto does not, so the handler checks, for every kind.) The bytes are then checked against that type."""
    declared = (stored.content_type or "").split(";", 1)[0].strip().lower()
    expected = document.content_type.split(";", 1)[0].strip().lower()
    if declared == expected:
        return None
    return f"the file was sent as {declared or 'no type'}, but this upload takes {expected}"


class DocumentService:
    def __init__(self, settings: Settings, members: MemberService, *, clock: Clock) -> None:
        self._settings = settings
        self._members = members
        self._clock = clock
        self._zone = settings.plan_zone
        self._batch_processors: dict[str, BatchProcessor] = {}
        self._account_principal: AccountPrincipal = lambda _username, _provider_id: None
        self._consent_listeners: list[Callable[[str], None]] = []
        self._scanner: Scanner = NoScanner()

    def scan_with(self, scanner: Scanner) -> None:
        """The composition root names the malware scanner (PORTAL_MALWARE_SCANNER; documents/scanning.py)."""
        self._scanner = scanner

    def process_batch_kind(self, kind: DocumentKind, processor: BatchProcessor) -> None:
        """The composition root names who processes a batch file kind (Member File Upload, 837 files):
        documents stores and checks uploads and knows no batch processor itself."""
        self._batch_processors[kind.value] = processor

    def principals_from(self, account_principal: AccountPrincipal) -> None:
        """The composition root names where an uploader's principal comes from (the accounts service)."""
        self._account_principal = account_principal

    def uploader(self, document: DocumentModel) -> Principal | None:
        """Whom a batch file is processed for: its uploader's own principal, rebuilt from the account now (its
        role, its provider or its group's providers, their states, acting in the Tax ID of the file's provider),
        exactly what its session would have, never the whole Tax ID the file was filed under. None when the account
        is no longer active or no longer acts for the provider the file was uploaded for: the file is then processed
        for no one."""
        principal = self._account_principal(document.uploaded_by, document.provider_id)
        if principal is None or not scope_of(principal).sees(document.provider_id, document.tax_id):
            return None
        return principal

    @staticmethod
    def uploader_gone_reason(document: DocumentModel) -> str:
        return UPLOADER_GONE.format(provider_id=document.provider_id)

    def on_consent_received(self, listener: Callable[[str], None]) -> None:
        """Called with the member ID each time a consent form is received (claims waiting for one are released)."""
        self._consent_listeners.append(listener)

    def now(self) -> datetime:
        return self._clock()

    # Asking for an upload

    def acting_provider(self, principal: Principal, provider_id: str | None) -> Provider:
        acting = self._members.acting_provider(principal, provider_id)
        if acting is None:
            raise ValidationFailed(fields={"providerId": "is required: name the provider the upload is for"})
        return providers.acting_for(principal, acting)

    def request_consent_upload(self, principal: Principal, request: ConsentUpload) -> UploadTicket:
        self._members.check_service_date(request.date_of_service)
        provider = self.acting_provider(principal, request.provider_id)
        member = self._members.find_by_id(principal, request.member_id)
        answer = self._members.answer(member, request.date_of_service, provider.provider_id)
        if not answer.eligibility.eligible:
            raise NotEligible(
                "The member is not eligible on that date of service, so no consent form can be attached to it.",
                {"dateOfService": "the member is not eligible on this date"},
            )
        document = self.new_document(principal, provider, DocumentKind.CONSENT_FORM, request.file_name,
                                     request.content_type, member_id=member.member_id)
        document.consent_type = request.consent_type.value
        document.date_of_service = request.date_of_service.isoformat()
        document.claim_number = request.claim_number
        ticket = self.issue_upload(document, self._settings.upload_max_bytes)
        trail.record(principal, AuditEntry(member.member_id, AuditAction.CONSENT_FORM_UPLOAD_REQUESTED,
                                           provider.provider_id, f"document={document.document_id} "
                                           f"type={request.consent_type.value}"), self._clock())
        return ticket

    def new_document(self, principal: Principal, provider: Provider, kind: DocumentKind, file_name: str,
                     content_type: str, member_id: str | None = None) -> DocumentModel:
        now = self._clock()
        document_id = str(uuid.uuid4())
        listed = kind in LISTED_KINDS
        return DocumentModel(
            office_list=office_file_list(provider.tax_id, kind.value) if listed else None,
            provider_list=provider_file_list(provider.provider_id, kind.value) if listed else None,
            document_id=document_id,
            kind=kind.value,
            status=DocumentStatus.AWAITING_UPLOAD.value,
            uploaded_by=principal.username,
            uploader_role=principal.role.value,
            uploader_states=list(principal.states),
            provider_id=provider.provider_id,
            tax_id=provider.tax_id,
            member_id=member_id,
            file_name=safe_file_name(file_name),
            content_type=content_type,
            s3_key=upload_key(kind, document_id, safe_file_name(file_name)),
            created_at=now,
            created_key=f"{now.isoformat()}#{document_id}",
        )

    def issue_upload(self, document: DocumentModel, max_bytes: int) -> UploadTicket:
        with transaction() as writes:
            self.add_to(writes, document)
        return self.presign(document, max_bytes)

    @staticmethod
    def add_to(writes: Transaction, document: DocumentModel) -> None:
        """Save a new document record in a transaction (another area's too: a claim's attachments); a listed
        kind counts in its two lists' maintained counts in the same transaction."""
        writes.save(document, condition=DocumentModel.document_id.does_not_exist())
        for listed in (document.office_list, document.provider_list):
            if listed:
                count_in(writes, f"files#{listed}")

    def presign(self, document: DocumentModel, max_bytes: int, success_redirect: str | None = None) -> UploadTicket:
        """A presigned POST for a saved document record (the record always exists before the bytes).

        ``success_redirect``: for an HTML form posting straight to S3, the page S3 sends the browser back to."""
        expires = self._settings.presigned_url_seconds
        post = storage.presigned_post(document.s3_key, document.content_type, max_bytes, expires, success_redirect)
        return UploadTicket(document, post["url"], dict(post["fields"]), self._clock() + timedelta(seconds=expires),
                            max_bytes)

    # Reading

    def get(self, principal: Principal, document_id: str) -> DocumentModel:
        try:
            document = DocumentModel.get(document_id)
        except Missing:
            raise DocumentNotFound() from None
        if not scope_of(principal).sees(document.provider_id, document.tax_id):
            raise withheld(principal, DocumentNotFound())
        if document.member_id:
            trail.record(principal, AuditEntry(document.member_id, AuditAction.DOCUMENT_VIEWED, document.provider_id,
                                               f"document={document.document_id}"), self._clock())
        return document

    def download_url(self, principal: Principal, document_id: str) -> str:
        """A one-minute link to the document's accepted file: the copy taken from the upload, never the upload key
        (where a later write may have landed before it is refused). Rejected, failed or not yet checked: none."""
        document = self.get(principal, document_id)
        if document.status not in DOWNLOADABLE or not document.s3_key.startswith(ACCEPTED_PREFIX):
            raise DocumentNotAccepted(fields={"status": document.status})
        return storage.presigned_get(document.s3_key, document.file_name, DOWNLOAD_LINK_SECONDS)

    @staticmethod
    def records(document_ids: Sequence[str]) -> list[DocumentModel]:
        """The records of documents another record lists (a claim's, a request's), in its order; one batch get."""
        if not document_ids:
            return []
        order = {document_id: index for index, document_id in enumerate(document_ids)}
        return sorted(DocumentModel.batch_get(list(document_ids)), key=lambda document: order[document.document_id])

    def member_consent_forms(self, principal: Principal, member_id: str, limit: int,
                             token: str | None) -> DocumentPage:
        """The member's consent forms that the user's own providers sent (others' answer as absent)."""
        member = self._members.find_by_id(principal, member_id)
        visible = None if principal.is_plan_staff else self._visible_filter(principal)
        start = decode_page_token(token, {"member_id": member.member_id})
        results = DocumentModel.by_member.query(member.member_id, filter_condition=visible, limit=limit,
                                                last_evaluated_key=start, scan_index_forward=False)
        items = list(results)
        count = DocumentModel.by_member.count(member.member_id, filter_condition=visible)
        trail.record(principal, AuditEntry(member.member_id, AuditAction.CONSENT_FORMS_VIEWED,
                                           principal.home_provider_id), self._clock())
        return DocumentPage(items, count, encode_page_token(results.last_evaluated_key))

    @staticmethod
    def _visible_filter(principal: Principal) -> Condition:
        condition = DocumentModel.kind == DocumentKind.CONSENT_FORM.value
        owners = None
        if principal.tax_ids:
            owners = DocumentModel.tax_id.is_in(*principal.tax_ids)
        if principal.provider_ids:
            by_provider = DocumentModel.provider_id.is_in(*principal.provider_ids)
            owners = by_provider if owners is None else owners | by_provider
        if owners is None:
            owners = DocumentModel.provider_id == "-"
        return condition & owners

    def uploads_page(self, principal: Principal, kind: DocumentKind, limit: int, token: str | None
                     ) -> Page[DocumentModel]:
        """A group's files of one kind under its Tax ID; a practitioner's, those made for it. Newest first.

        One Query of the list's sparse index (the page plus one) and its maintained count: the cost of a page
        does not grow with the office's files.
        """
        home = scope_of(principal).home()
        if home is None:
            return Page([], 0, None)
        if home.by_provider:
            provider = self.acting_provider(principal, None)
            index, listed = DocumentModel.by_provider_list, provider_file_list(provider.provider_id, kind.value)
            hash_name = "provider_list"
        else:
            index, listed = DocumentModel.by_office_list, office_file_list(home.key, kind.value)
            hash_name = "office_list"
        found = search_page(DocumentModel, index, hash_name, listed, None, None, limit, token)
        return Page(found.items, maintained_count(f"files#{listed}"), found.next_token)

    # Processing what S3 reports

    def process_upload(self, uploaded: UploadedObject, event_time: datetime) -> str | None:
        """Check and record one created object; returns the document's status (None for a stray object).

        A key takes one object. The first one the handler sees is taken (``_take``) and only it is checked and
        served; any later write to the key is another object (another version or ETag), refused and quarantined
        while the document keeps its status and size. The same event again is the same object, and changes
        nothing, so the status alone never decides that an event was already handled."""
        key = uploaded.key
        parsed = parse_upload_key(key)
        document = self._document_or_none(parsed[1]) if parsed else None
        if document is None or document_upload_key(document) != key:
            logger.warning("upload with no document record: quarantined", extra={"key_prefix": key[:40]})
            if storage.describe(key) is not None:
                storage.move(key, quarantine_key(key))
            return None
        if document.status == DocumentStatus.REJECTED.value:
            self._finish_quarantine(key)
            return document.status
        if document.upload_etag is None:
            if document.status == DocumentStatus.AWAITING_UPLOAD.value and not self._take(document):
                return document.status  # another delivery took an object first: this one was refused
        elif not same_object(document, uploaded):
            return self._refuse_later_write(document, key)
        if document.status == DocumentStatus.AWAITING_UPLOAD.value and self._scanned_infected(document):
            return DocumentStatus.REJECTED.value
        if document.status != DocumentStatus.AWAITING_UPLOAD.value and document.kind in IMAGE_DOCUMENT_KINDS:
            return document.status
        processor = self._batch_processors.get(document.kind)
        if processor is not None:
            return processor(document, event_time)
        status = self._check_image_document(document, event_time)
        if status == DocumentStatus.RECEIVED.value and document.kind == DocumentKind.CONSENT_FORM.value:
            for listener in self._consent_listeners:
                listener(str(document.member_id))
        return status

    def _take(self, document: DocumentModel) -> bool:
        """Copy the object now at the upload key to a key of its own and record which object that was; the upload
        key is emptied. False when another delivery took an object first (this copy is then quarantined).

        Why a copy to ``accepted/`` rather than the S3 VersionId pinned on the record (the bucket is versioned):
        no presigned POST can name that key, so nothing a browser sends can change what it holds; every reader
        (the checks, the batch files' processors, the download) keeps reading ``document.s3_key`` and needs no
        version on each read, nor s3:GetObjectVersion on every GET and presigned GET; and S3 copies one version
        atomically, so what is checked, scanned and served afterwards is exactly what was copied, whatever is
        written to the upload key meanwhile. Nothing at the key: nothing is taken, and the checks say so."""
        upload = document_upload_key(document)
        target = accepted_key(DocumentKind(document.kind), document.document_id, uuid.uuid4().hex,
                              document.file_name)
        copied = storage.copy_current(upload, target)
        if copied is None:
            return True
        actions: list[Action] = [DocumentModel.s3_key.set(target), DocumentModel.upload_etag.set(copied.etag)]
        if copied.source_version_id:
            actions.append(DocumentModel.upload_version.set(copied.source_version_id))
        try:
            document.update(actions=actions, condition=(DocumentModel.status == DocumentStatus.AWAITING_UPLOAD.value)
                            & DocumentModel.upload_etag.does_not_exist())
        except WriteFailed as error:
            if not condition_failed(error):
                raise
            document.refresh()
            self._quarantine_later_write(document, target, copied.source_version_id or copied.etag)
            return False
        storage.delete(upload)
        return True

    def _refuse_later_write(self, document: DocumentModel, upload: str) -> str:
        """An event for another object than the one taken: whatever is at the upload key now was written after."""
        found = storage.describe(upload)
        if found is None:
            logger.info("upload event for an object no longer at its key: nothing to refuse",
                        extra={"document_id": document.document_id})
            return document.status
        self._quarantine_later_write(document, upload, found.version_id or found.etag)
        return document.status

    def _quarantine_later_write(self, document: DocumentModel, source: str, refused: str | None) -> None:
        storage.move(source, quarantine_key(document_upload_key(document)))
        document.update(actions=[DocumentModel.refused_uploads.add({refused or "unknown"})])
        logger.warning("security: upload replacement refused; the accepted file is kept", extra={
            "security_event": "upload_replacement_refused", "document_id": document.document_id,
            "kind": document.kind, "status": document.status, "refused_object": refused,
            "accepted_object": document.upload_version or document.upload_etag})
        metrics.count("UploadReplacementRefused")

    def _scanned_infected(self, document: DocumentModel) -> bool:
        """The scanner's verdict on the taken object, before any check accepts it; INFECTED rejects it."""
        stored = storage.describe(document.s3_key)
        if stored is None:
            return False  # nothing arrived: the checks reject it saying so
        verdict = self._scanner.scan(self._settings.documents_bucket, stored.key, stored.version_id)
        logger.info("upload malware scan", extra={"document_id": document.document_id, "scan": verdict.result.value,
                                                  "scan_detail": verdict.detail})
        if not verdict.infected:
            return False
        self.reject(document, f"the file was refused by the malware scan: {verdict.detail}")
        return True

    def _check_image_document(self, document: DocumentModel, event_time: datetime) -> str:
        stored = storage.describe(document.s3_key)
        if stored is None:
            return self.reject(document, "the file never arrived or was removed", move=False)
        if stored.size == 0 or stored.size > self._settings.upload_max_bytes:
            return self.reject(document, f"the file is {stored.size} bytes; it must be 1 byte to "
                                         f"{self._settings.upload_max_bytes} bytes")
        declared = declared_type_problem(document, stored)
        if declared:
            return self.reject(document, declared)
        detected = detect_type(storage.read_head(document.s3_key, HEAD_BYTES))
        if detected is None:
            return self.reject(document, "the file is not a PDF, TIFF, JPEG or PNG")
        if detected != document.content_type:
            return self.reject(document, f"the file was declared {document.content_type} but is {detected}")
        try:
            document.update(
                actions=[DocumentModel.status.set(DocumentStatus.RECEIVED.value),
                         DocumentModel.received_at.set(event_time), DocumentModel.size_bytes.set(stored.size),
                         DocumentModel.detected_type.set(detected)],
                condition=DocumentModel.status == DocumentStatus.AWAITING_UPLOAD.value,
            )
        except WriteFailed as error:
            if not condition_failed(error):
                raise
            return DocumentModel.get(document.document_id).status
        logger.info("document received", extra={"document_id": document.document_id, "kind": document.kind})
        received = "ConsentFormReceived" if document.kind == DocumentKind.CONSENT_FORM else "ClinicalDocumentReceived"
        metrics.count(received)
        return DocumentStatus.RECEIVED.value

    def reject(self, document: DocumentModel, reason: str, *, move: bool = True,
               from_status: DocumentStatus = DocumentStatus.AWAITING_UPLOAD) -> str:
        """Record the rejection first (once), then move the bytes to quarantine (safe to repeat)."""
        original_key = document.s3_key
        target = quarantine_key(original_key) if move else original_key
        try:
            document.update(
                actions=[DocumentModel.status.set(DocumentStatus.REJECTED.value), DocumentModel.reason.set(reason),
                         DocumentModel.s3_key.set(target)],
                condition=DocumentModel.status == from_status.value,
            )
        except WriteFailed as error:
            if not condition_failed(error):
                raise
        if move:
            self._finish_quarantine(original_key)
        logger.info("upload rejected", extra={"document_id": document.document_id, "reason": reason})
        metrics.count("UploadRejected")
        return DocumentStatus.REJECTED.value

    def arrived_batch_file(self, document: DocumentModel) -> storage.StoredObject | None:
        """The stored object of a file being processed, or None after rejecting one that is absent or mis-sized."""
        stored = storage.describe(document.s3_key)
        if stored is None:
            self.reject(document, "the file never arrived or was removed", move=False,
                        from_status=DocumentStatus.PROCESSING)
            return None
        if stored.size == 0 or stored.size > self._settings.upload_max_bytes:
            self.reject(document, f"the file is {stored.size} bytes; it must be 1 byte to "
                                  f"{self._settings.upload_max_bytes} bytes", from_status=DocumentStatus.PROCESSING)
            return None
        declared = declared_type_problem(document, stored)
        if declared:
            self.reject(document, declared, from_status=DocumentStatus.PROCESSING)
            return None
        return stored

    @staticmethod
    def _finish_quarantine(original_key: str) -> None:
        if storage.describe(original_key) is not None:
            storage.move(original_key, quarantine_key(original_key))

    @staticmethod
    def _document_or_none(document_id: str) -> DocumentModel | None:
        try:
            return DocumentModel.get(document_id)
        except Missing:
            return None

    # Batch files: the processors the composition root registers record their run through these

    def take_for_processing(self, document: DocumentModel) -> bool:
        """Take the file for processing once; a run that died mid-way may be taken again after a while."""
        now = self._clock()
        try:
            document.update(
                actions=[DocumentModel.status.set(DocumentStatus.PROCESSING.value),
                         DocumentModel.processing_started_at.set(now)],
                condition=(DocumentModel.status == DocumentStatus.AWAITING_UPLOAD.value)
                | ((DocumentModel.status == DocumentStatus.PROCESSING.value)
                   & (DocumentModel.processing_started_at.does_not_exist()
                      | (DocumentModel.processing_started_at < now - STALE_PROCESSING))),
            )
        except WriteFailed as error:
            if condition_failed(error):
                return False
            raise
        return True

    def processing_failed(self, key: str, *, final: bool, reference: str) -> str | None:
        """A run of the upload at ``key`` raised something unforeseen.

        Before the queue's last delivery the file is released (its run no longer holds it), so the redelivery
        takes it again at once instead of finding it PROCESSING and dropping the message. On the last delivery it
        ends FAILED with a reason the uploader sees on its status page (naming ``reference``, the message the
        logs name, never the exception's text): the dead-letter queue is never the only trace. Returns the
        document's status, or None for a key with no document.
        """
        parsed = parse_upload_key(key)
        document = self._document_or_none(parsed[1]) if parsed else None
        if document is None or document_upload_key(document) != key:
            return None
        if final:
            return self._fail_for_good(document, reference)
        try:
            document.update(actions=[DocumentModel.processing_started_at.remove()],
                            condition=DocumentModel.status == DocumentStatus.PROCESSING.value)
        except WriteFailed as error:
            if not condition_failed(error):
                raise
            return DocumentModel.get(document.document_id).status
        return document.status

    def part_failed_for_good(self, document_id: str, reference: str) -> str | None:
        """A part of a file's run (an 837 file's batch of claims) failed on its queue's last delivery: the file
        ends FAILED with the reason, as ``processing_failed`` says. None for an unknown document."""
        document = self._document_or_none(document_id)
        return None if document is None else self._fail_for_good(document, reference)

    def _fail_for_good(self, document: DocumentModel, reference: str) -> str:
        unfinished = DocumentModel.status.is_in(DocumentStatus.AWAITING_UPLOAD.value, DocumentStatus.PROCESSING.value)
        try:
            document.update(actions=[DocumentModel.status.set(DocumentStatus.FAILED.value),
                                     DocumentModel.reason.set(FAILED_REASON.format(reference=reference)),
                                     DocumentModel.completed_at.set(self._clock())],
                            condition=unfinished)
        except WriteFailed as error:
            if not condition_failed(error):
                raise
            return DocumentModel.get(document.document_id).status
        logger.error("upload failed for good", extra={"document_id": document.document_id, "reference": reference})
        metrics.count("UploadFailed")
        return document.status

    def processing(self, document_id: str) -> DocumentModel | None:
        """The record of a file still being processed (its batches under way); None once it is finished."""
        document = self._document_or_none(document_id)
        if document is None or document.status != DocumentStatus.PROCESSING.value:
            return None
        return document

    @staticmethod
    def note_acknowledged(document: DocumentModel, received_at: datetime, acknowledgment: tuple[str, str],
                          counters: Mapping[str, int]) -> None:
        """An 837 file validated and answered (its 999's key and code), while its claims are still made."""
        document.update(actions=[DocumentModel.received_at.set(received_at),
                                 DocumentModel.acknowledgment_key.set(acknowledgment[0]),
                                 DocumentModel.acknowledgment.set(acknowledgment[1]), *_counter_actions(counters)])

    def status_of(self, document_id: str) -> str:
        document = self._document_or_none(document_id)
        if document is None:
            raise DocumentNotFound()
        return document.status

    @staticmethod
    def note_received(document: DocumentModel, event_time: datetime) -> None:
        document.update(actions=[DocumentModel.received_at.set(event_time)])

    @staticmethod
    def note_progress(document: DocumentModel, counters: Mapping[str, int]) -> None:
        document.update(actions=_counter_actions(counters))

    def complete(self, document: DocumentModel, result_object: str, counters: Mapping[str, int], *,
                 received_at: datetime | None = None, acknowledgment: tuple[str, str] | None = None,
                 only_while_processing: bool = False) -> None:
        """The run's outcome: COMPLETED, its result object, counts and (837 files) the 999's key and code."""
        actions = [DocumentModel.status.set(DocumentStatus.COMPLETED.value),
                   DocumentModel.completed_at.set(self._clock()), DocumentModel.result_key.set(result_object),
                   *_counter_actions(counters)]
        if received_at is not None:
            actions.append(DocumentModel.received_at.set(received_at))
        if acknowledgment is not None:
            actions += [DocumentModel.acknowledgment_key.set(acknowledgment[0]),
                        DocumentModel.acknowledgment.set(acknowledgment[1])]
        condition = DocumentModel.status == DocumentStatus.PROCESSING.value if only_while_processing else None
        try:
            document.update(actions=actions, condition=condition)
        except WriteFailed as error:
            if not condition_failed(error):
                raise
            logger.info("batch file changed while it was processed", extra={"document_id": document.document_id})

    # For the claims area

    def received_on(self, document: DocumentModel) -> date:
        """The receipt date in the plan's time zone (a form uploaded at 9 pm Eastern counts that day)."""
        assert document.received_at is not None
        return document.received_at.astimezone(self._zone).date()

    def applicable_consent_form(self, claim: ClaimForConsent) -> DocumentModel | None:
        """A received consent form that applies to the claim, one attached to its number first."""
        candidates = DocumentModel.by_member.query(
            claim.member_id,
            filter_condition=(DocumentModel.kind == DocumentKind.CONSENT_FORM.value)
            & (DocumentModel.status == DocumentStatus.RECEIVED.value)
            & (DocumentModel.consent_type == claim.consent_type.value),
        )
        applicable = [
            document for document in candidates
            if consent_applies(
                ConsentForm(claim.member_id, ConsentType(document.consent_type), self.received_on(document),
                            document.claim_number),
                claim,
            )
        ]
        applicable.sort(key=lambda document: (document.claim_number != claim.claim_number, document.created_key))
        return applicable[0] if applicable else None


def _counter_actions(counters: Mapping[str, int]) -> list[Action]:
    unknown = set(counters) - BATCH_COUNTERS
    if unknown:
        raise ValueError(f"not a batch counter: {sorted(unknown)}")
    return [getattr(DocumentModel, name).set(value) for name, value in counters.items()]
