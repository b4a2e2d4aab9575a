"""When an uploaded consent form applies to a claim (seed page 003, Uploading Consent Forms).

With a claim number, the form applies to that claim only. Without one, it applies to the
member's claims of the same consent type *received on or after* the form's receipt date:
a form received 2020-01-06 applies to a claim received 2020-01-06 and later, never earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ConsentType(StrEnum):
    ABORTION = "ABORTION"
    HYSTERECTOMY = "HYSTERECTOMY"
    STERILIZATION = "STERILIZATION"


@dataclass(frozen=True)
class ConsentForm:
    member_id: str
    consent_type: ConsentType
    received_on: date
    claim_number: str | None = None


@dataclass(frozen=True)
class ClaimForConsent:
    claim_number: str
    member_id: str
    consent_type: ConsentType
    received_on: date


def consent_applies(form: ConsentForm, claim: ClaimForConsent) -> bool:
    if form.member_id != claim.member_id or form.consent_type != claim.consent_type:
        return False
    if form.claim_number:
        return form.claim_number == claim.claim_number
    return claim.received_on >= form.received_on
