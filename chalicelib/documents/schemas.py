"""Bodies of the document routes: uploads asked for, their presigned POSTs, and what arrived."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from chalicelib.platform.web.schemas import PROVIDER_ID, RequestBody, ResponseBody

ConsentType = Literal["ABORTION", "HYSTERECTOMY", "STERILIZATION"]
UploadContentType = Literal["application/pdf", "image/tiff", "image/jpeg", "image/png"]


class ConsentUploadRequest(RequestBody):
    consent_type: ConsentType
    date_of_service: date
    claim_number: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,30}$")
    file_name: str = Field(min_length=1, max_length=200)
    content_type: UploadContentType
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID)


class PresignedPost(ResponseBody):
    url: str
    fields: dict[str, str] = Field(description="Send these form fields, then the file as field 'file'")
    expires_at: datetime
    max_bytes: int


class DocumentOut(ResponseBody):
    document_id: str
    kind: str
    status: str = Field(description="AWAITING_UPLOAD, PROCESSING, RECEIVED, REJECTED, COMPLETED or FAILED")
    reason: str | None = None
    member_id: str | None = None
    consent_type: str | None = None
    date_of_service: date | None = None
    claim_number: str | None = None
    prior_auth_id: str | None = None
    provider_id: str
    file_name: str
    content_type: str
    size_bytes: int | None = None
    created_at: datetime
    received_at: datetime | None = None


class UploadTicket(ResponseBody):
    document: DocumentOut
    upload: PresignedPost


class DocumentList(ResponseBody):
    items: list[DocumentOut]
    count: int
    next_token: str | None = None
