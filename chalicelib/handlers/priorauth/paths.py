"""Where the PRIOR AUTHORIZATION pages live: under /prior-authorization/, clear of the JSON routes' /prior-auths."""

from __future__ import annotations

PREFIX = "/prior-authorization"
REQUIREMENTS = f"{PREFIX}/requirements"
REQUESTS = f"{PREFIX}/requests"
NEW_REQUEST = f"{PREFIX}/new"
REQUEST = PREFIX + "/requests/{number}"
LETTER = PREFIX + "/requests/{number}/letter"


def request(number: str) -> str:
    return REQUEST.format(number=number)


def letter(number: str) -> str:
    return LETTER.format(number=number)


REVIEW_QUEUE = f"{PREFIX}/review"
DECISION = PREFIX + "/requests/{number}/decision"
INFORMATION = PREFIX + "/requests/{number}/information"
APPEAL = PREFIX + "/requests/{number}/appeal"


def action(path: str, number: str) -> str:
    return path.format(number=number)

METRICS = f"{PREFIX}/metrics"
METRICS_CSV = f"{PREFIX}/metrics.csv"

DOCUMENTS = PREFIX + "/requests/{number}/documents"
DOCUMENT_UPLOAD = PREFIX + "/requests/{number}/documents/{documentId}/upload"


def document_upload(number: str, document_id: str) -> str:
    return DOCUMENT_UPLOAD.format(number=number, documentId=document_id)
