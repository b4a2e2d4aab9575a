"""Bodies of the audit routes: who saw a member's data, when, acting for whom."""

from __future__ import annotations

from datetime import datetime

from chalicelib.platform.web.schemas import ResponseBody


class AuditEventOut(ResponseBody):
    event_id: str
    occurred_at: datetime
    username: str
    role: str
    acting_for_provider_id: str | None = None
    member_id: str
    action: str
    detail: str | None = None
    correlation_id: str | None = None


class AuditPageOut(ResponseBody):
    items: list[AuditEventOut]
    next_token: str | None = None
