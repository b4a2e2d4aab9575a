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
