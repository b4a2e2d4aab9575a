"""Documents: consent forms asked for and listed, a document's status, and the S3 upload events that check them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.documents.consent import ConsentType
from chalicelib.documents.service import ConsentUpload, UploadedObject
from chalicelib.handlers.bodies import document_body, ticket_body
from chalicelib.platform import metrics
from chalicelib.platform.access import Principal
from chalicelib.platform.aws import queue
from chalicelib.platform.config import get_settings
from chalicelib.platform.logs import logger
from chalicelib.platform.permissions import DOCUMENT_READ, MEMBER_DOCUMENTS_READ, Permission
from chalicelib.platform.web.api import api_route

if TYPE_CHECKING:
    from chalicelib.documents.schemas import ConsentUploadRequest
    from chalicelib.platform.web.schemas import ListQuery

document_routes = Blueprint(__name__)
upload_events = Blueprint(__name__)
UPLOADS_QUEUE = "uploads"
TAG = "Members"  # API.md lists consent forms and documents under Members


@api_route(document_routes, "/members/{memberId}/consent-forms", permission=Permission.MEMBER_DOCUMENTS,
           method="POST", tag=TAG,
           summary="Ask to upload a consent form (abortion, hysterectomy, sterilization)",
           body="documents:ConsentUploadRequest", response="documents:UploadTicket", status=201, errors=(404, 409),
           description="Check eligibility first: the member must be eligible on the date of service. Answers a "
           "presigned S3 POST (PDF, TIFF, JPEG or PNG, at most 10 MB). Follow the document's status: RECEIVED "
           "or REJECTED with the reason. Without a claim number the form applies to the member's claims of that "
           "type received on or after its receipt date.")
def request_consent_upload(principal: Principal, body: ConsentUploadRequest, memberId: str) -> dict[str, Any]:
    ticket = wiring.current().documents().request_consent_upload(principal, ConsentUpload(
        member_id=memberId, consent_type=ConsentType(body.consent_type), date_of_service=body.date_of_service,
        claim_number=body.claim_number, file_name=body.file_name, content_type=body.content_type,
        provider_id=body.provider_id,
    ))
    return {"document": document_body(ticket.document), "upload": ticket_body(ticket)}


@api_route(document_routes, "/members/{memberId}/consent-forms", permission=MEMBER_DOCUMENTS_READ,
           tag=TAG, summary="The member's consent forms",
           query="base:ListQuery", response="documents:DocumentList", errors=(404,))
def list_consent_forms(principal: Principal, query: ListQuery, memberId: str) -> dict[str, Any]:
    page = wiring.current().documents().member_consent_forms(principal, memberId, query.limit, query.next_token)
    return {"items": [document_body(item) for item in page.items], "count": page.count,
            "next_token": page.next_token}


@api_route(document_routes, "/documents/{documentId}", permission=DOCUMENT_READ,
           tag=TAG, summary="An uploaded document and its status",
           response="documents:DocumentOut", errors=(404,))
def get_document(principal: Principal, documentId: str) -> dict[str, Any]:
    return document_body(wiring.current().documents().get(principal, documentId))


@api_route(document_routes, "/documents/{documentId}/download", permission=DOCUMENT_READ,
           tag=TAG, status=302, errors=(404, 409),
           summary="Download a document's accepted file (redirects to a one-minute link)",
           description="The bytes that were checked when the document was RECEIVED (or COMPLETED), kept where no "
           "upload can write; a later upload to the same presigned POST is refused and never served. 409 "
           "DOCUMENT_NOT_ACCEPTED while it is not checked yet, or when it was rejected or failed.")
def download_document(principal: Principal, documentId: str) -> Response:
    url = wiring.current().documents().download_url(principal, documentId)
    return Response(body="", status_code=302, headers={"Location": url})


class UploadBatchFailed(Exception):
    """Some uploads of the batch were not processed; SQS redelivers them (done ones are not redone)."""


def s3_records(message_body: str) -> list[dict[str, Any]]:
    """The S3 records an SQS message carries; S3's "s3:TestEvent" carries none."""
    payload = json.loads(message_body)
    return [record for record in payload.get("Records", []) if record.get("eventSource") == "aws:s3"]


def uploaded_object(record: dict[str, Any], key: str) -> UploadedObject:
    """Which object the event is about: a later write to the same key is another object (version, ETag)."""
    reported = record["s3"]["object"]
    return UploadedObject(key, reported.get("versionId") or None, reported.get("eTag") or None)


def event_time(record: dict[str, Any]) -> datetime:
    raw = record.get("eventTime")
    if not raw:
        return wiring.current().documents().now()
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)


def receive_count(message: Any) -> int:
    """How many times SQS has delivered this message, this delivery included."""
    return int(message.to_dict().get("attributes", {}).get("ApproximateReceiveCount", "1"))


def last_delivery(message: Any, short_name: str = UPLOADS_QUEUE) -> bool:
    """True when SQS moves the message to the dead-letter queue if this delivery fails too."""
    return queue.is_last_delivery(short_name, receive_count(message))


@upload_events.on_sqs_message(queue=get_settings().resource_name(UPLOADS_QUEUE), batch_size=1)
def process_uploaded_documents(event: Any) -> None:
    failures = 0
    for message in event:
        for record in s3_records(message.body):
            key = unquote_plus(record["s3"]["object"]["key"])
            documents = wiring.current().documents()
            try:
                status = documents.process_upload(uploaded_object(record, key), event_time(record))
            except Exception:  # noqa: BLE001 - one bad upload must not stop the others; SQS retries it
                reference = str(message.to_dict().get("messageId", ""))
                final = last_delivery(message)
                logger.exception("upload processing failed", extra={
                    "key_prefix": key[:40], "reference": reference, "receive_count": receive_count(message),
                    "final": final})
                if documents.processing_failed(key, final=final, reference=reference) is None or not final:
                    failures += 1  # redelivered; on its last delivery the document says FAILED, so it is done
                continue
            logger.info("upload processed", extra={"status": status})
    metrics.flush()
    if failures:
        raise UploadBatchFailed(f"{failures} upload(s) failed")
