"""Bodies and query strings of the member report routes (Provider Membership List, exports)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from chalicelib.members.schemas import AlertOut
from chalicelib.platform.web.schemas import PROVIDER_ID, QueryParameters, RequestBody, ResponseBody


class RosterQuery(QueryParameters):
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID,
                                    description="A provider you act for; a group's own ID lists the whole group")
    program: str | None = Field(default=None, max_length=120, description="One of the roster's 'programs'")
    limit: int = Field(default=50, ge=1, le=500)
    next_token: str | None = Field(default=None, max_length=2048)


class RosterRowOut(ResponseBody):
    alerts: list[AlertOut]
    first_name: str
    last_name: str
    member_id: str
    medicaid_id: str
    gender: str
    birth_date: date
    language: str | None = None
    phone: str | None = None
    program: str | None = None
    pcp_provider_id: str
    pcp_name: str | None = None


class LegendEntry(ResponseBody):
    alert_type: str
    label: str


class RosterOut(ResponseBody):
    provider: str = Field(description="The roster shown, e.g. 'Default Provider - 999999999999'")
    whole_group: bool
    items: list[RosterRowOut]
    count: int = Field(description="Record count of the whole roster (with the program filter, if any)")
    next_token: str | None = None
    programs: list[str] = Field(description="Programs on this roster, for the filter")
    alert_legend: list[LegendEntry]


class ExportRequest(RequestBody):
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID,
                                    description="Whose roster; a group's own ID (the default for a group) is all of it")


class ExportOut(ResponseBody):
    export_id: str
    status: str = Field(description="QUEUED, RUNNING, COMPLETED or FAILED")
    reason: str | None = None
    provider_id: str
    scope_label: str
    subscription_id: str | None = None
    rows: int
    size_bytes: int
    created_at: datetime
    completed_at: datetime | None = None
    available_until: datetime | None = None
    download_path: str | None = Field(default=None, description="GET it (logged in) for the file")


class ExportList(ResponseBody):
    """A page without a total (DECISIONS: lists and counts): nextToken says more exist."""

    items: list[ExportOut]
    next_token: str | None = None


class SubscriptionRequest(RequestBody):
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID)
    frequency: Literal["WEEKLY", "MONTHLY"]


class SubscriptionOut(ResponseBody):
    subscription_id: str
    frequency: str
    provider_id: str
    scope_label: str
    active: bool
    next_run_at: datetime | None = None
    last_export_id: str | None = None
    created_at: datetime


class SubscriptionList(ResponseBody):
    """A page without a total (DECISIONS: lists and counts): nextToken says more exist."""

    items: list[SubscriptionOut]
    next_token: str | None = None


class RegistryQuery(QueryParameters):
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID)
    measure: str | None = Field(default=None, pattern=r"^[A-Z0-9]{2,8}$", description="A code of /reports/registry/"
                                "measures; all measures when absent")
    criteria: Literal["RED", "YELLOW", "GREEN"] | None = Field(default=None, description="All when absent")
    state: str | None = Field(default=None, max_length=200, description="State names, comma-separated")
    plans: str | None = Field(default=None, max_length=2000, description="Program names, comma-separated")
    patient_status: Literal["ESTABLISHED", "NEW"] | None = None
    enrollment_status: Literal["CONTINUOUS", "RECENT"] | None = None
    limit: int = Field(default=50, ge=1, le=500)
    next_token: str | None = Field(default=None, max_length=2048)


class ColorLegend(ResponseBody):
    color: str
    label: str


class MeasureOut(ResponseBody):
    code: str
    name: str
    description: str


class RegistryRowOut(ResponseBody):
    member_id: str
    first_name: str
    last_name: str
    birth_date: date
    gender: str
    state: str
    program: str | None = None
    patient_status: str
    enrollment_status: str
    pcp_provider_id: str
    statuses: dict[str, str] = Field(description="Measure code -> GREEN, YELLOW, RED or GRAY")


class RegistryOut(ResponseBody):
    provider: str
    legend: list[ColorLegend]
    measures: list[MeasureOut]
    items: list[RegistryRowOut]
    next_token: str | None = Field(default=None, description="More rows may follow even when a page is short "
                                   "(state, plan and status filters apply after the key)")


class MeasureSummary(ResponseBody):
    code: str
    name: str
    counts: dict[str, int] = Field(description="GREEN, YELLOW, RED and GRAY -> members")


class RegistrySummaryOut(ResponseBody):
    provider: str
    as_of: date | None = None
    legend: list[ColorLegend]
    measures: list[MeasureSummary]


class MeasureList(ResponseBody):
    items: list[MeasureOut]
    count: int
    next_token: str | None = None


class RegistrySummaryQuery(QueryParameters):
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID)
