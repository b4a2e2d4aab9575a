"""The area's enums: shared by its rules, its store and its handlers; no persistence here."""

from enum import StrEnum


class DocumentKind(StrEnum):
    CONSENT_FORM = "consent-forms"
    ELIGIBILITY_FILE = "eligibility-files"
    CLINICAL_DOCUMENT = "clinical-documents"
    CLAIM_FILE = "claim-files"


class DocumentStatus(StrEnum):
    AWAITING_UPLOAD = "AWAITING_UPLOAD"
    PROCESSING = "PROCESSING"
    RECEIVED = "RECEIVED"
    REJECTED = "REJECTED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
