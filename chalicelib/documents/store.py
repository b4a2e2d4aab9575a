"""Uploaded documents and their processing status: consent forms, member eligibility files,
prior authorization clinical documents.

S3 keys are ``uploads/<kind>/<document id>/<file name>``; rejected objects move to
``quarantine/`` with the same tail. The upload handler finds the record from the key. The object an
upload handler takes is copied to ``accepted/<kind>/<document id>/<copy id>/<file name>`` (no presigned
POST names that prefix) and only that copy is read and served from then on (``DocumentService.process_upload``).
"""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.documents.enums import DocumentKind
from chalicelib.platform.dynamo.base import TableMeta, table_name

UPLOAD_PREFIX = "uploads/"
ACCEPTED_PREFIX = "accepted/"
QUARANTINE_PREFIX = "quarantine/"
RESULTS_PREFIX = "results/"


def upload_key(kind: DocumentKind, document_id: str, file_name: str) -> str:
    return f"{UPLOAD_PREFIX}{kind.value}/{document_id}/{file_name}"


def accepted_key(kind: DocumentKind, document_id: str, copy_id: str, file_name: str) -> str:
    return f"{ACCEPTED_PREFIX}{kind.value}/{document_id}/{copy_id}/{file_name}"


def quarantine_key(key: str) -> str:
    return QUARANTINE_PREFIX + key.removeprefix(UPLOAD_PREFIX).removeprefix(ACCEPTED_PREFIX)


def result_key(document_id: str) -> str:
    return f"{RESULTS_PREFIX}eligibility-files/{document_id}/results.csv"


def document_upload_key(document: DocumentModel) -> str:
    """The one key the document's presigned POST writes (its s3_key moves on once the upload is taken)."""
    return upload_key(DocumentKind(document.kind), document.document_id, document.file_name)


def parse_upload_key(key: str) -> tuple[DocumentKind, str] | None:
    """(kind, document id) from an upload key; None for anything else."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] + "/" != UPLOAD_PREFIX:
        return None
    try:
        return DocumentKind(parts[1]), parts[2]
    except ValueError:
        return None


class DocumentsByMember(GlobalSecondaryIndex["DocumentModel"]):
    class Meta:
        index_name = "member-index"
        projection = AllProjection()

    member_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


LISTED_KINDS = frozenset({DocumentKind.ELIGIBILITY_FILE, DocumentKind.CLAIM_FILE})
"""The kinds an office lists (Member File Upload, Claim Files): each such document is in two sparse lists."""


def office_file_list(tax_id: str, kind: str) -> str:
    """A group's list: the Tax ID's files of one kind."""
    return f"TAX#{tax_id}#{kind}"


def provider_file_list(provider_id: str, kind: str) -> str:
    """A practitioner's list: the files of one kind made for its provider."""
    return f"PROVIDER#{provider_id}#{kind}"


class DocumentsByOfficeList(GlobalSecondaryIndex["DocumentModel"]):
    """Sparse: only listed kinds carry ``office_list``; newest first by ``created_key``."""

    class Meta:
        index_name = "office-list-index"
        projection = AllProjection()

    office_list = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class DocumentsByProviderList(GlobalSecondaryIndex["DocumentModel"]):
    class Meta:
        index_name = "provider-list-index"
        projection = AllProjection()

    provider_list = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class DocumentModel(Model):
    class Meta(TableMeta):
        table_name = table_name("documents")

    document_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    uploaded_by = UnicodeAttribute()
    uploader_role = UnicodeAttribute()
    uploader_states = ListAttribute(of=UnicodeAttribute, default=list)
    provider_id = UnicodeAttribute()
    tax_id = UnicodeAttribute()
    member_id = UnicodeAttribute(null=True)
    consent_type = UnicodeAttribute(null=True)
    date_of_service = UnicodeAttribute(null=True)
    claim_number = UnicodeAttribute(null=True)
    prior_auth_id = UnicodeAttribute(null=True)
    file_name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    s3_key = UnicodeAttribute()
    upload_etag = UnicodeAttribute(null=True)  # the taken upload's ETag and S3 version: what s3_key holds a copy of
    upload_version = UnicodeAttribute(null=True)
    refused_uploads = UnicodeSetAttribute(null=True)  # later writes to the upload key, refused (their version/ETag)
    size_bytes = NumberAttribute(null=True)
    detected_type = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_key = UnicodeAttribute()
    received_at = UTCDateTimeAttribute(null=True)
    completed_at = UTCDateTimeAttribute(null=True)
    rows_total = NumberAttribute(default=0)
    rows_eligible = NumberAttribute(default=0)
    rows_not_eligible = NumberAttribute(default=0)
    rows_not_found = NumberAttribute(default=0)
    rows_rejected = NumberAttribute(default=0)
    claims_total = NumberAttribute(default=0)
    claims_accepted = NumberAttribute(default=0)
    claims_rejected = NumberAttribute(default=0)
    acknowledgment = UnicodeAttribute(null=True)
    acknowledgment_key = UnicodeAttribute(null=True)
    result_key = UnicodeAttribute(null=True)
    processing_started_at = UTCDateTimeAttribute(null=True)
    office_list = UnicodeAttribute(null=True)
    provider_list = UnicodeAttribute(null=True)

    by_member = DocumentsByMember()
    by_office_list = DocumentsByOfficeList()
    by_provider_list = DocumentsByProviderList()


def claim_file_result_key(document_id: str, name: str) -> str:
    return f"{RESULTS_PREFIX}claim-files/{document_id}/{name}"
