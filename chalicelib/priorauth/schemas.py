"""Bodies and query strings of the prior authorization routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from chalicelib.documents.schemas import DocumentOut, UploadContentType, UploadTicket
from chalicelib.platform.web.schemas import MEMBER_ID, PROVIDER_ID, QueryParameters, RequestBody, ResponseBody

SERVICE_CODE = r"^[A-Za-z0-9]{1,5}$"
CRITERION_ID = r"^[A-Z0-9_]{1,40}$"
AUTH_NUMBER = r"^(PA|NR)[0-9A-Z]{6,20}$"
RequestTypeName = Literal["OUTPATIENT", "INPATIENT", "NEWBORN_NOTIFICATION"]
StatusName = Literal["APPROVED", "PENDED", "MORE_INFO_REQUESTED", "DENIED", "APPEALED", "NO_AUTH_REQUIRED"]
PROGRAMS = ("Medicaid", "Marketplace", "MyCare", "Medicare")


class RequirementsQuery(QueryParameters):
    state: str = Field(min_length=2, max_length=40, description="e.g. Indiana")
    program: Literal["Medicaid", "Marketplace", "MyCare", "Medicare"]
    codes: str = Field(pattern=r"^[A-Za-z0-9]{1,5}(,[A-Za-z0-9]{1,5}){0,19}$",
                       description="Up to 20 CPT/HCPCS, revenue or X12 service-type codes, comma-separated")


class CriterionOut(ResponseBody):
    criterion_id: str
    question: str


class RequirementOut(ResponseBody):
    code: str
    state: str
    program: str
    listed: bool = Field(description="False: the code is not on the prior authorization list")
    requires_authorization: bool
    description: str | None = None
    request_types: list[str]
    documentation: list[str] = Field(description="What to send with the request")
    criteria: list[CriterionOut] = Field(description="Clinical criteria to answer; AutoAuth decides on them")
    auto_approval: list[str] = Field(description="What AutoAuth approves at once")


class RequirementList(ResponseBody):
    items: list[RequirementOut]


class ServiceLineIn(RequestBody):
    code: str = Field(pattern=SERVICE_CODE, description="CPT/HCPCS; a 4-digit revenue code for inpatient stays; "
                      "an X12 service-type code (1-2 characters, e.g. 3 = consultation)")
    units: int = Field(ge=1, le=999)
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    description: str | None = Field(default=None, max_length=200)


class CriterionAnswer(RequestBody):
    criterion_id: str = Field(pattern=CRITERION_ID)
    met: bool


class NewbornIn(RequestBody):
    birth_date: date
    gender: Literal["F", "M", "U"]
    birth_weight_grams: int = Field(ge=200, le=7000)
    gestational_age_weeks: int = Field(ge=20, le=45)
    delivery_method: Literal["VAGINAL", "CESAREAN"]
    nicu_admission: bool


class AttachmentIn(RequestBody):
    file_name: str = Field(min_length=1, max_length=200)
    content_type: UploadContentType


class PriorAuthRequestIn(RequestBody):
    request_type: RequestTypeName
    urgency: Literal["STANDARD", "EXPEDITED"] = "STANDARD"
    member_id: str = Field(pattern=MEMBER_ID)
    requesting_provider_id: str | None = Field(default=None, pattern=PROVIDER_ID,
                                               description="The provider you act for; yours by default")
    servicing_provider_id: str = Field(pattern=PROVIDER_ID)
    start_date: date
    end_date: date
    service_lines: list[ServiceLineIn] = Field(min_length=1, max_length=20)
    diagnosis_codes: list[str] = Field(min_length=1, max_length=12, description="ICD-10-CM, billable")
    medical_history: str | None = Field(default=None, max_length=4000)
    clinical_criteria: list[CriterionAnswer] = Field(default_factory=list, max_length=50)
    newborn: NewbornIn | None = None
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=10,
                                            description="Clinical documents to upload; each gets a presigned POST")


class AttachmentsIn(RequestBody):
    attachments: list[AttachmentIn] = Field(min_length=1, max_length=10)


class InformationIn(RequestBody):
    information: str = Field(min_length=1, max_length=4000)


class AppealIn(RequestBody):
    reason: str = Field(min_length=10, max_length=4000)


class DecisionLineIn(RequestBody):
    line: int = Field(ge=1, le=20)
    approved_units: int = Field(ge=1, le=999)


class DecisionIn(RequestBody):
    action: Literal["APPROVE", "DENY", "REQUEST_INFO"]
    lines: list[DecisionLineIn] = Field(default_factory=list, max_length=20,
                                        description="APPROVE: fewer units than requested, per line")
    approved_start_date: date | None = None
    approved_end_date: date | None = None
    denial_reason_code: Literal["NOT_MEDICALLY_NECESSARY", "INSUFFICIENT_INFORMATION", "NOT_A_COVERED_BENEFIT",
                                "OUT_OF_NETWORK", "EXPERIMENTAL", "DUPLICATE_REQUEST"] | None = None
    reason: str | None = Field(default=None, max_length=4000,
                               description="Required to deny (the specific reason) and to ask for information")


class ExtensionIn(RequestBody):
    days: int = Field(ge=1, le=14, description="Calendar days added to the due time (at most 14, once)")
    reason: str = Field(min_length=10, max_length=2000,
                        description="Why more time is needed (e.g. information the plan asked for is on its way)")


class SearchQuery(QueryParameters):
    authorization_number: str | None = Field(default=None, pattern=AUTH_NUMBER)
    member_id: str | None = Field(default=None, pattern=MEMBER_ID)
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID)
    servicing: bool = Field(default=False, description="true: the requests your providers are to perform "
                            "(named as servicing provider), instead of the ones you sent")
    status: StatusName | None = None
    received_from: date | None = None
    received_to: date | None = None
    limit: int = Field(default=50, ge=1, le=500)
    next_token: str | None = Field(default=None, max_length=2048)


class ReviewQueueQuery(QueryParameters):
    limit: int = Field(default=50, ge=1, le=500)
    next_token: str | None = Field(default=None, max_length=2048)


class MetricsQuery(QueryParameters):
    from_month: str = Field(alias="from", pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    to_month: str = Field(alias="to", pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    group_by: Literal["month", "quarter", "year"] = "month"
    format: Literal["json", "csv"] = "json"


class ServiceLineOut(ResponseBody):
    line: int
    code: str
    description: str | None = None
    modifiers: list[str]
    units: int
    approved_units: int | None = None
    requires_authorization: bool
    auto_rule_id: str | None = None
    kind: str | None = Field(default=None, description="CPT, HCPCS, REVENUE, SERVICE_TYPE (X12) or OTHER")
    listed: bool = Field(default=True, description="False: no requirement rule lists the code")


class PendReasonOut(ResponseBody):
    line: int
    code: str
    reason_code: str = Field(description="CRITERIA_NOT_MET, CRITERIA_NOT_ANSWERED, DIAGNOSIS_NOT_COVERED, "
                             "URGENCY_REVIEWED, UNITS_OVER_LIMIT, DAYS_OVER_LIMIT, NO_AUTOMATIC_RULE, "
                             "CODE_SYSTEM_NOT_LISTED")
    text: str
    rule_id: str | None = None
    criteria_not_met: list[str]
    criteria_not_answered: list[str]


class NewbornOut(ResponseBody):
    birth_date: date
    gender: str
    birth_weight_grams: int
    gestational_age_weeks: int
    delivery_method: str
    nicu_admission: bool


class HistoryEntryOut(ResponseBody):
    at: datetime
    status: str
    actor: str
    actor_role: str
    note: str | None = None


class PriorAuthSummary(ResponseBody):
    authorization_number: str | None = Field(description="None for a NO_AUTH_REQUIRED answer: nothing is "
                                             "authorized")
    reference_number: str = Field(description="The record's number (PA... a prior authorization, NR... a "
                                  "'no authorization required' answer)")
    request_type: str
    status: str
    status_label: str
    urgency: str
    member_id: str
    member_name: str
    requesting_provider_id: str
    servicing_provider_id: str
    received_at: datetime
    due_at: datetime
    overdue: bool = Field(description="Waiting on the plan past its decision deadline")
    start_date: date
    end_date: date
    codes: list[str]
    decided_at: datetime | None = None


class PriorAuthOut(PriorAuthSummary):
    source: str
    member_birth_date: date
    state: str
    program: str
    plan_type: str
    submitted_by: str
    service_lines: list[ServiceLineOut]
    diagnosis_codes: list[str]
    medical_history: str | None = None
    criteria_met: list[str]
    criteria_not_met: list[str]
    newborn: NewbornOut | None = None
    approved_start_date: date | None = None
    approved_end_date: date | None = None
    pend_reasons: list[str] = Field(description="One per AutoAuth rule that fell short, in words")
    pend_details: list[PendReasonOut] = Field(description="The same reasons with their codes")
    extended: bool = Field(description="The review timeframe was extended (once, up to 14 days)")
    extended_at: datetime | None = None
    extension_days: int | None = None
    extension_reason: str | None = None
    auto_approved: bool
    denial_reason_code: str | None = None
    denial_reason: str | None = None
    information_requested: str | None = None
    appealed_at: datetime | None = None
    appeal_reason: str | None = None
    approved_on_appeal: bool
    history: list[HistoryEntryOut]
    documents: list[DocumentOut]


class SubmittedOut(ResponseBody):
    prior_auth: PriorAuthOut
    uploads: list[UploadTicket] = Field(description="One presigned POST per attachment still to upload")


class AttachmentsOut(ResponseBody):
    uploads: list[UploadTicket]


class PriorAuthList(ResponseBody):
    """A search page: no total (counting would read the whole partition); nextToken says more results exist."""

    items: list[PriorAuthSummary]
    next_token: str | None = Field(default=None, description="Present when more results exist: the next page")


class ReviewQueueOut(PriorAuthList):
    count: int
    overdue_count: int


class MetricsLineOut(ResponseBody):
    period: str
    urgency: str
    decided: int
    approved: int
    denied: int
    approved_after_appeal: int
    auto_approved: int
    approved_percent: float
    denied_percent: float
    approved_after_appeal_percent: float
    average_hours_to_decision: float | None = None
    median_hours_to_decision: float | None = None
    extended: int = Field(description="Decided requests whose review timeframe was extended")
    approved_after_extension: int
    approved_after_extension_percent: float = Field(description="Share of the decided requests approved after "
                                                    "the review timeframe was extended (CMS-0057-F)")


class MetricsOut(ResponseBody):
    items: list[MetricsLineOut]
