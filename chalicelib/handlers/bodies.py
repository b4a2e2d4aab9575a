"""Response shapes several areas' entry points share: a document, an upload ticket, a page of uploads.

A claim's attachments, a prior authorization's documents and a consent form are all document
records; they answer in one shape wherever they appear, written once here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalicelib import wiring

if TYPE_CHECKING:
    from chalicelib.documents.enums import DocumentKind
    from chalicelib.documents.service import UploadTicket
    from chalicelib.documents.store import DocumentModel
    from chalicelib.platform.access import Principal
    from chalicelib.platform.web.schemas import ListQuery


def document_body(document: DocumentModel) -> dict[str, Any]:
    return {**document.attribute_values, "size_bytes": document.size_bytes}


def ticket_body(ticket: UploadTicket) -> dict[str, Any]:
    return {"url": ticket.url, "fields": ticket.fields, "expires_at": ticket.expires_at,
            "max_bytes": ticket.max_bytes}


def uploads_page(principal: Principal, kind: DocumentKind, query: ListQuery,
                 body: Callable[[DocumentModel], dict[str, Any]]) -> dict[str, Any]:
    page = wiring.current().documents().uploads_page(principal, kind, query.limit, query.next_token)
    return {"items": [body(item) for item in page.items], "count": page.count, "next_token": page.next_token}
