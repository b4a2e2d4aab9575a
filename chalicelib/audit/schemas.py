"""Bodies of the audit routes: who saw a member's data, when, acting for whom, and the accounts' own events.

``memberId`` is set for a member's trail only; ``subjectKind`` (MEMBER, ACCOUNT, SIGN_IN, TAX_ID) and ``subject``
(the member ID, username or Tax ID) say whose trail every record is in."""

from __future__ import annotations

from datetime import datetime

from chalicelib.platform.web.schemas import ResponseBody


class AuditEventOut(ResponseBody):
    event_id: str
    occurred_at: datetime
    username: str
    role: str
    acting_for_provider_id: str | None = None
    member_id: str | None = None
    subject_kind: str
    subject: str
    action: str
    detail: str | None = None
    correlation_id: str | None = None
    impersonated_by: str | None = None
    """Set when the record was made while someone viewed the portal as ``username`` (Impersonate User)."""


class AuditPageOut(ResponseBody):
    items: list[AuditEventOut]
    next_token: str | None = None
