"""Bodies and query strings of the member routes (API.md, Members)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from chalicelib.documents.schemas import PresignedPost
from chalicelib.platform.web.schemas import MEMBER_ID, PROVIDER_ID, QueryParameters, RequestBody, ResponseBody

NAME = r"^[^\x00-\x1f<>{}]{1,60}$"


class EligibilityQuery(QueryParameters):
    date_of_service: date = Field(description="Required; today back to 24 months ago")
    member_id: str | None = Field(default=None, pattern=MEMBER_ID, description="Plan member ID")
    medicaid_id: str | None = Field(default=None, pattern=MEMBER_ID)
    last_name: str | None = Field(default=None, pattern=NAME, description="Not in a URL: a name search is "
                                  "POST /members/eligibility (here it answers 400)")
    first_name: str | None = Field(default=None, pattern=NAME, description="As lastName")
    birth_date: date | None = Field(default=None, description="As lastName")
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID,
                                    description="The provider you act for; yours by default")


class EligibilitySearch(RequestBody):
    """The eligibility search in a JSON body (``POST /members/eligibility``): names and birth dates stay out of
    URLs, access logs and browser history. The same methods as the GET, one at a time."""

    date_of_service: date = Field(description="Required; today back to 24 months ago")
    member_id: str | None = Field(default=None, pattern=MEMBER_ID, description="Plan member ID")
    medicaid_id: str | None = Field(default=None, pattern=MEMBER_ID)
    last_name: str | None = Field(default=None, pattern=NAME)
    first_name: str | None = Field(default=None, pattern=NAME)
    birth_date: date | None = None
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID,
                                    description="The provider you act for; yours by default")


class ProviderRef(ResponseBody):
    provider_id: str
    name: str | None = None


class OtherInsuranceOut(ResponseBody):
    payer: str
    policy_number: str
    coverage_type: str
    order: str = Field(description="primary or secondary, relative to this plan")
    start: date
    end: date | None = None


class CoverageSpanOut(ResponseBody):
    start: date
    end: date | None = None
    program: str
    plan_type: str


class MemberIdentity(ResponseBody):
    member_id: str
    medicaid_id: str
    first_name: str
    last_name: str
    birth_date: date
    gender: str
    state: str


class EligibilityResponse(MemberIdentity):
    eligible: bool
    date_of_service: date
    program: str | None = None
    plan_type: str | None = None
    coverage_start: date | None = Field(description="Start of the span holding the date of service")
    coverage_end: date | None = Field(description="End of that span; null when open-ended or not eligible")
    pcp: ProviderRef | None = None
    other_insurance: list[OtherInsuranceOut] = Field(description="Coordination of benefits on that date")
    coverage_spans: list[CoverageSpanOut]
    acting_for_provider_id: str | None = None




class EligibilityFileRequest(RequestBody):
    file_name: str = Field(min_length=1, max_length=200)
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID)


class EligibilityFileOut(ResponseBody):
    document_id: str
    status: str = Field(description="AWAITING_UPLOAD, PROCESSING, COMPLETED, REJECTED or FAILED")
    reason: str | None = None
    file_name: str
    provider_id: str
    created_at: datetime
    received_at: datetime | None = None
    completed_at: datetime | None = None
    rows_total: int
    rows_eligible: int
    rows_not_eligible: int
    rows_not_found: int
    rows_rejected: int
    result_url: str | None = Field(description="Presigned download of the results CSV; expires")


class EligibilityFileTicket(ResponseBody):
    file: EligibilityFileOut
    upload: PresignedPost


class EligibilityFileList(ResponseBody):
    items: list[EligibilityFileOut]
    count: int
    next_token: str | None = None


class AlertOut(ResponseBody):
    alert_type: str
    label: str
    appeared_on: date


class MemberDetailOut(MemberIdentity):
    language: str | None = None
    phone: str | None = None
    program: str | None = None
    pcp: ProviderRef | None = None
    alerts: list[AlertOut]
    coverage_spans: list[CoverageSpanOut]
    other_insurance: list[OtherInsuranceOut]
