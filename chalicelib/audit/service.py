"""Writing and reading the audit trail of member data."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.audit.store import AuditEventModel, audit_sort_key
from chalicelib.platform.access import Principal
from chalicelib.platform.dynamo.paging import decode_page_token, encode_page_token
from chalicelib.platform.logs import correlation_id as current_correlation_id
from chalicelib.platform.logs import logger


class AuditAction(StrEnum):
    ELIGIBILITY_CHECK = "ELIGIBILITY_CHECK"
    BATCH_ELIGIBILITY_CHECK = "BATCH_ELIGIBILITY_CHECK"
    CONSENT_FORM_UPLOAD_REQUESTED = "CONSENT_FORM_UPLOAD_REQUESTED"
    CONSENT_FORMS_VIEWED = "CONSENT_FORMS_VIEWED"
    DOCUMENT_VIEWED = "DOCUMENT_VIEWED"
    MEMBER_VIEWED = "MEMBER_VIEWED"
    ROSTER_VIEWED = "ROSTER_VIEWED"
    ROSTER_EXPORTED = "ROSTER_EXPORTED"
    REGISTRY_VIEWED = "REGISTRY_VIEWED"
    PRIOR_AUTH_SUBMITTED = "PRIOR_AUTH_SUBMITTED"
    PRIOR_AUTH_VIEWED = "PRIOR_AUTH_VIEWED"
    PRIOR_AUTH_DECIDED = "PRIOR_AUTH_DECIDED"
    PRIOR_AUTHS_SEARCHED = "PRIOR_AUTHS_SEARCHED"
    CLAIM_SUBMITTED = "CLAIM_SUBMITTED"
    CLAIM_VIEWED = "CLAIM_VIEWED"
    CLAIMS_SEARCHED = "CLAIMS_SEARCHED"
    PAYMENT_VIEWED = "PAYMENT_VIEWED"


@dataclass(frozen=True)
class AuditEntry:
    member_id: str
    action: AuditAction
    acting_for_provider_id: str | None
    detail: str | None = None


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEventModel]
    count: int | None
    """None when not asked for: counting reads the whole partition (DECISIONS: pages say "more results")."""
    next_token: str | None


def _event(principal_name: str, role: str, entry: AuditEntry, now: datetime,
           correlation_id: str | None) -> AuditEventModel:
    occurred_at = now.isoformat()
    event_id = str(uuid.uuid4())
    return AuditEventModel(
        member_id=entry.member_id,
        occurred_key=audit_sort_key(occurred_at, event_id),
        event_id=event_id,
        occurred_at=occurred_at,
        username=principal_name,
        role=role,
        acting_for_provider_id=entry.acting_for_provider_id,
        action=entry.action.value,
        detail=entry.detail,
        correlation_id=correlation_id,
    )


def record(principal: Principal, entry: AuditEntry, now: datetime) -> None:
    _event(principal.username, principal.role.value, entry, now, current_correlation_id()).save()


def record_many(username: str, role: str, entries: Iterable[AuditEntry], now: datetime) -> int:
    written = 0
    correlation_id = current_correlation_id()
    with AuditEventModel.batch_write() as batch:
        for entry in entries:
            batch.save(_event(username, role, entry, now, correlation_id))
            written += 1
    if written:
        logger.debug("audit events written", extra={"count": written})
    return written


def by_member(member_id: str, limit: int, token: str | None, *, counted: bool = True) -> AuditPage:
    start = decode_page_token(token, {"member_id": member_id})
    results = AuditEventModel.query(member_id, limit=limit, last_evaluated_key=start, scan_index_forward=False)
    items = list(results)
    count = AuditEventModel.count(member_id) if counted else None
    return AuditPage(items, count, encode_page_token(results.last_evaluated_key))


def by_user(username: str, limit: int, token: str | None, *, counted: bool = True) -> AuditPage:
    start = decode_page_token(token, {"username": username})
    results = AuditEventModel.by_user.query(username, limit=limit, last_evaluated_key=start,
                                            scan_index_forward=False)
    items = list(results)
    count = AuditEventModel.by_user.count(username) if counted else None
    return AuditPage(items, count, encode_page_token(results.last_evaluated_key))
