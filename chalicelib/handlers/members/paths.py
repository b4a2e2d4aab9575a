"""Where the MEMBER SEARCH pages live: under /member-search/, clear of the JSON routes' /members/... paths.

Chalice cannot have the same path and method twice, and the API's paths are fixed (API.md), so the
pages have their own prefix; each page calls the same services as the JSON route beside it.
"""

from __future__ import annotations

from urllib.parse import urlencode

PREFIX = "/member-search"
ELIGIBILITY = f"{PREFIX}/eligibility"
COORDINATION_OF_BENEFITS = f"{PREFIX}/coordination-of-benefits"
CONSENT_FORMS = PREFIX + "/members/{memberId}/consent-forms"
DOCUMENT = PREFIX + "/documents/{documentId}"
DOCUMENT_UPLOAD = PREFIX + "/documents/{documentId}/upload"
MEMBER_FILES = f"{PREFIX}/member-files"
MEMBER_FILE = PREFIX + "/member-files/{documentId}"
MEMBER_FILE_TEMPLATE = f"{PREFIX}/member-file-template.csv"


def with_query(path: str, **params: str | None) -> str:
    kept = {name: value for name, value in params.items() if value}
    return f"{path}?{urlencode(kept)}" if kept else path


def consent_forms(member_id: str, date_of_service: str | None = None) -> str:
    return with_query(CONSENT_FORMS.format(memberId=member_id), dateOfService=date_of_service)


def document(document_id: str) -> str:
    return DOCUMENT.format(documentId=document_id)


def document_upload(document_id: str) -> str:
    return DOCUMENT_UPLOAD.format(documentId=document_id)


def member_file(document_id: str) -> str:
    return MEMBER_FILE.format(documentId=document_id)


def eligibility(member_id: str, date_of_service: str) -> str:
    """An answer by plan member ID (IDs may be in a URL; names and birth dates never are)."""
    return with_query(ELIGIBILITY, memberId=member_id, dateOfService=date_of_service)


def coordination_of_benefits(member_id: str, date_of_service: str) -> str:
    return with_query(COORDINATION_OF_BENEFITS, memberId=member_id, dateOfService=date_of_service)
