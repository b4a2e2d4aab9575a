"""The area's enums: shared by its rules, its store and its handlers; no persistence here."""

from enum import StrEnum

X12_CONTENT_TYPE = "application/edi-x12"
"""What X12 files (837 uploads, 999 acknowledgments, 835 remittances) are sent and served as."""


class ClaimType(StrEnum):
    PROFESSIONAL = "PROFESSIONAL"
    INSTITUTIONAL = "INSTITUTIONAL"
    DENTAL = "DENTAL"


class ClaimStatus(StrEnum):
    RECEIVED = "RECEIVED"
    PENDED = "PENDED"
    APPROVED = "APPROVED"
    """Adjudicated to pay, with its amount; no payment cycle has included it yet (then it is PAID)."""
    DENIED = "DENIED"
    PAID = "PAID"
    REPLACED = "REPLACED"
    VOIDED = "VOIDED"
    VOID = "VOID"


class Frequency(StrEnum):
    """CLM05-3: 1 original, 7 replacement (corrected claim), 8 void."""

    ORIGINAL = "1"
    CORRECTED = "7"
    VOID = "8"


FINAL_STATUSES = frozenset({ClaimStatus.DENIED, ClaimStatus.APPROVED, ClaimStatus.PAID})
"""A claim's outcome: it may be corrected (frequency 7) or voided (8)."""

STATUS_LABELS: dict[ClaimStatus, str] = {
    ClaimStatus.RECEIVED: "Received",
    ClaimStatus.PENDED: "Pended",
    ClaimStatus.APPROVED: "Approved, to be paid",
    ClaimStatus.DENIED: "Denied",
    ClaimStatus.PAID: "Paid",
    ClaimStatus.REPLACED: "Replaced by a corrected claim",
    ClaimStatus.VOIDED: "Voided",
    ClaimStatus.VOID: "Void request accepted",
}


CLAIM_BATCHES_QUEUE = "claim-batches"
"""The queue an 837 file's claims fan out over, in batches, to the batch workers (infrastructure/resources.yaml)."""
