"""The area's enums: shared by its rules, its store and its handlers; no persistence here."""

from enum import StrEnum


class RequestType(StrEnum):
    OUTPATIENT = "OUTPATIENT"
    INPATIENT = "INPATIENT"
    NEWBORN_NOTIFICATION = "NEWBORN_NOTIFICATION"


class Urgency(StrEnum):
    STANDARD = "STANDARD"
    EXPEDITED = "EXPEDITED"


class AuthStatus(StrEnum):
    APPROVED = "APPROVED"
    PENDED = "PENDED"
    MORE_INFO_REQUESTED = "MORE_INFO_REQUESTED"
    DENIED = "DENIED"
    APPEALED = "APPEALED"
    NO_AUTH_REQUIRED = "NO_AUTH_REQUIRED"
    """No rule of ours lists the codes as needing authorization: not a prior authorization, no number, no metric."""


class CodeKind(StrEnum):
    """What a service line's code is: the kinds our requirement rules list, or another code system."""

    CPT = "CPT"
    HCPCS = "HCPCS"
    REVENUE = "REVENUE"
    SERVICE_TYPE = "SERVICE_TYPE"
    """X12 005010 element 1365 (service type: ``3`` consultation, ``48`` hospital inpatient)."""
    OTHER = "OTHER"
    """A code system our rules do not list (ICD-10-PCS, CDT, NDC, ...): pended for a clinical reviewer."""


class PendReasonCode(StrEnum):
    """Why AutoAuth left a line to a clinical reviewer: one per rule that fell short, for machines."""

    CRITERIA_NOT_MET = "CRITERIA_NOT_MET"
    """The office answered a criterion the rule needs as not met (it may also have left others unanswered)."""
    CRITERIA_NOT_ANSWERED = "CRITERIA_NOT_ANSWERED"
    DIAGNOSIS_NOT_COVERED = "DIAGNOSIS_NOT_COVERED"
    URGENCY_REVIEWED = "URGENCY_REVIEWED"
    UNITS_OVER_LIMIT = "UNITS_OVER_LIMIT"
    DAYS_OVER_LIMIT = "DAYS_OVER_LIMIT"
    NO_AUTOMATIC_RULE = "NO_AUTOMATIC_RULE"
    CODE_SYSTEM_NOT_LISTED = "CODE_SYSTEM_NOT_LISTED"
