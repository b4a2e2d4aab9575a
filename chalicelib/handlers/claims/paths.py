"""Where the CLAIMS pages live: under /claims-center/, clear of the JSON routes' /claims and /payments."""

from __future__ import annotations

PREFIX = "/claims-center"
CLAIMS = f"{PREFIX}/claims"
CLAIM = PREFIX + "/claims/{number}"
PAYMENTS = f"{PREFIX}/payments"
PAYMENT = PREFIX + "/payments/{payment_id}"
REMITTANCE = PREFIX + "/payments/{payment_id}/835"


def claim(number: str) -> str:
    return CLAIM.format(number=number)


def payment(payment_id: str) -> str:
    return PAYMENT.format(payment_id=payment_id)


def remittance(payment_id: str) -> str:
    return REMITTANCE.format(payment_id=payment_id)


NEW_CLAIM = f"{PREFIX}/new-claim"
CORRECTION = PREFIX + "/claims/{number}/correct"
VOID = PREFIX + "/claims/{number}/void"


def new_claim(claim_type: str) -> str:
    return f"{NEW_CLAIM}?type={claim_type.lower()}"


def correction(number: str) -> str:
    return CORRECTION.format(number=number)


def void(number: str) -> str:
    return VOID.format(number=number)


CLAIM_FILES = f"{PREFIX}/claim-files"
CLAIM_FILE = PREFIX + "/claim-files/{documentId}"
CLAIM_FILE_UPLOAD = PREFIX + "/claim-files/{documentId}/upload"


def claim_file(document_id: str) -> str:
    return CLAIM_FILE.format(documentId=document_id)


def claim_file_upload(document_id: str) -> str:
    return CLAIM_FILE_UPLOAD.format(documentId=document_id)


ATTACHMENTS = PREFIX + "/claims/{number}/attachments"
ATTACHMENT_UPLOAD = PREFIX + "/claims/{number}/attachments/{documentId}/upload"


def attachments(number: str) -> str:
    return ATTACHMENTS.format(number=number)


def attachment_upload(number: str, document_id: str) -> str:
    return ATTACHMENT_UPLOAD.format(number=number, documentId=document_id)
PAYMENT_CYCLES = f"{PREFIX}/payment-cycles"
