"""A claim as the office (or an 837 file) states it, and what is wrong with it.

The checks here need nothing but the claim and today's date: shapes, totals, diagnosis
pointers, ICD-10-CM on the date of service, the delivery rule, frequency and original
claim number. Checks that read tables (provider, member, eligibility, the original
claim) are the service's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from chalicelib.claims import obstetrics
from chalicelib.claims.enums import ClaimType, Frequency
from chalicelib.platform.codesets.icd10cm import diagnosis_problem
from chalicelib.platform.money import money

MAX_LINES = 50
MAX_DIAGNOSES = 12
MAX_POINTERS = 4
_PROCEDURE = re.compile(r"^[A-Z0-9]\d{3}[A-Z0-9]$")
_DENTAL_PROCEDURE = re.compile(r"^D\d{4}$")
_REVENUE = re.compile(r"^\d{4}$")
_PLACE_OF_SERVICE = re.compile(r"^\d{2}$")
_FACILITY_TYPE = re.compile(r"^\d{2}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_TOOTH = re.compile(r"^([1-9]|[12]\d|3[0-2]|[A-T])$")
_SURFACES = re.compile(r"^[MODBLFI]{1,5}$")
INPATIENT_FACILITY_TYPES = frozenset({"11", "12", "18", "21", "41", "65", "66", "86"})


@dataclass(frozen=True)
class ClaimLineInput:
    charge_cents: int
    units: int
    service_date: date
    procedure_code: str | None = None
    revenue_code: str | None = None
    modifiers: tuple[str, ...] = ()
    service_date_to: date | None = None
    place_of_service: str | None = None
    diagnosis_pointers: tuple[int, ...] = ()
    tooth: str | None = None
    surfaces: str | None = None

    @property
    def last_date(self) -> date:
        return self.service_date_to or self.service_date


@dataclass(frozen=True)
class ClaimInput:
    claim_type: ClaimType
    billing_provider_id: str
    member_id: str
    diagnosis_codes: tuple[str, ...]
    lines: tuple[ClaimLineInput, ...]
    total_charge_cents: int
    frequency: Frequency = Frequency.ORIGINAL
    original_claim_number: str | None = None
    rendering_provider_id: str | None = None
    patient_control_number: str | None = None
    place_of_service: str | None = None
    facility_type_code: str | None = None
    admission_date: date | None = None
    discharge_status: str | None = None
    prior_authorization_number: str | None = None
    other_payer_paid_cents: int | None = None
    billing_provider_npi: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def service_from(self) -> date:
        return min(line.service_date for line in self.lines)

    @property
    def service_to(self) -> date:
        return max(line.last_date for line in self.lines)

    def line_place_of_service(self, line: ClaimLineInput) -> str | None:
        return line.place_of_service or self.place_of_service


def claim_problems(claim: ClaimInput, today: date) -> dict[str, str]:
    """Every field that is wrong, named as the API names it (``serviceLines.0.procedureCode``)."""
    problems: dict[str, str] = {}
    if not claim.lines:
        return {"serviceLines": "at least one service line is required"}
    if len(claim.lines) > MAX_LINES:
        return {"serviceLines": f"at most {MAX_LINES} service lines per claim"}
    problems.update(_frequency_problems(claim))
    problems.update(_header_problems(claim))
    for index, line in enumerate(claim.lines):
        problems.update(_line_problems(claim, index, line, today))
    problems.update(_diagnosis_problems(claim))
    line_total = sum(line.charge_cents for line in claim.lines)
    if line_total != claim.total_charge_cents:
        problems["totalCharge"] = (f"is {money(claim.total_charge_cents)} but the service lines add up to "
                                   f"{money(line_total)}")
    return problems


def _frequency_problems(claim: ClaimInput) -> dict[str, str]:
    if claim.frequency in (Frequency.CORRECTED, Frequency.VOID) and not claim.original_claim_number:
        kind = "corrected (7)" if claim.frequency == Frequency.CORRECTED else "void (8)"
        return {"originalClaimNumber": f"is required for a {kind} claim: give the number of the claim it replaces"}
    if claim.frequency == Frequency.ORIGINAL and claim.original_claim_number:
        return {"originalClaimNumber": "only a corrected (7) or void (8) claim names an original claim"}
    return {}


def _header_problems(claim: ClaimInput) -> dict[str, str]:
    problems: dict[str, str] = {}
    if claim.place_of_service is not None and not _PLACE_OF_SERVICE.match(claim.place_of_service):
        problems["placeOfService"] = "must be a 2-digit CMS place of service code"
    if claim.claim_type == ClaimType.INSTITUTIONAL:
        if not claim.facility_type_code or not _FACILITY_TYPE.match(claim.facility_type_code):
            problems["facilityTypeCode"] = "is required: the first two digits of the type of bill (e.g. 13)"
        elif claim.facility_type_code in INPATIENT_FACILITY_TYPES and claim.admission_date is None:
            problems["admissionDate"] = "is required for an inpatient type of bill"
    if claim.admission_date and claim.admission_date > claim.service_from:
        problems["admissionDate"] = "must not be after the first date of service"
    if claim.other_payer_paid_cents is not None and claim.other_payer_paid_cents > claim.total_charge_cents:
        problems["otherPayerPaid"] = "cannot be more than the total charge"
    return problems


def _line_problems(claim: ClaimInput, index: int, line: ClaimLineInput, today: date) -> dict[str, str]:
    prefix = f"serviceLines.{index}"
    problems: dict[str, str] = {}
    if line.service_date > today:
        problems[f"{prefix}.serviceDate"] = "is in the future: bill services once they are rendered"
    if line.service_date_to is not None and line.service_date_to < line.service_date:
        problems[f"{prefix}.serviceDateTo"] = "is before serviceDate"
    if line.service_date_to is not None and line.service_date_to > today:
        problems[f"{prefix}.serviceDateTo"] = "is in the future"
    if line.charge_cents <= 0 and claim.frequency != Frequency.VOID:
        problems[f"{prefix}.charge"] = "must be more than 0.00"
    if not 1 <= line.units <= 9999:
        problems[f"{prefix}.units"] = "must be 1 to 9999"
    for position, modifier in enumerate(line.modifiers):
        if not _MODIFIER.match(modifier):
            problems[f"{prefix}.modifiers.{position}"] = "must be 2 letters or digits"
    if len(line.modifiers) > 4:
        problems[f"{prefix}.modifiers"] = "at most 4 modifiers"
    problems.update(_code_problems(claim, prefix, line))
    if claim.claim_type != ClaimType.INSTITUTIONAL:
        problems.update(_pointer_problems(claim, prefix, line))
    return problems


def _code_problems(claim: ClaimInput, prefix: str, line: ClaimLineInput) -> dict[str, str]:
    problems: dict[str, str] = {}
    if claim.claim_type == ClaimType.PROFESSIONAL:
        if not line.procedure_code or not _PROCEDURE.match(line.procedure_code):
            problems[f"{prefix}.procedureCode"] = "is required: a 5-character CPT or HCPCS code"
        place = claim.line_place_of_service(line)
        if place is None:
            problems[f"{prefix}.placeOfService"] = "is required on the line or the claim"
        elif not _PLACE_OF_SERVICE.match(place):
            problems[f"{prefix}.placeOfService"] = "must be a 2-digit CMS place of service code"
    elif claim.claim_type == ClaimType.DENTAL:
        if not line.procedure_code or not _DENTAL_PROCEDURE.match(line.procedure_code):
            problems[f"{prefix}.procedureCode"] = "is required: a CDT code (D and 4 digits)"
        if line.tooth is not None and not _TOOTH.match(line.tooth):
            problems[f"{prefix}.tooth"] = "must be a tooth number 1-32 or letter A-T"
        if line.surfaces is not None and not _SURFACES.match(line.surfaces):
            problems[f"{prefix}.surfaces"] = "must be letters of M, O, D, B, L, F, I"
        if line.surfaces is not None and line.tooth is None:
            problems[f"{prefix}.tooth"] = "is required when surfaces are given"
    else:
        if not line.revenue_code or not _REVENUE.match(line.revenue_code):
            problems[f"{prefix}.revenueCode"] = "is required: a 4-digit revenue code"
        if line.procedure_code is not None and not _PROCEDURE.match(line.procedure_code):
            problems[f"{prefix}.procedureCode"] = "must be a 5-character CPT or HCPCS code"
    return problems


def _pointer_problems(claim: ClaimInput, prefix: str, line: ClaimLineInput) -> dict[str, str]:
    if not line.diagnosis_pointers:
        if claim.claim_type == ClaimType.DENTAL:
            return {}
        return {f"{prefix}.diagnosisPointers": "at least one pointer to the claim's diagnosis codes is required"}
    if len(line.diagnosis_pointers) > MAX_POINTERS:
        return {f"{prefix}.diagnosisPointers": f"at most {MAX_POINTERS} pointers"}
    wrong = [pointer for pointer in line.diagnosis_pointers if not 1 <= pointer <= len(claim.diagnosis_codes)]
    if wrong:
        return {f"{prefix}.diagnosisPointers": f"{wrong[0]} does not point at one of the "
                                               f"{len(claim.diagnosis_codes)} diagnosis codes"}
    if len(set(line.diagnosis_pointers)) != len(line.diagnosis_pointers):
        return {f"{prefix}.diagnosisPointers": "a diagnosis is pointed at twice"}
    return {}


def _diagnosis_problems(claim: ClaimInput) -> dict[str, str]:
    if not claim.diagnosis_codes:
        if claim.claim_type == ClaimType.DENTAL:
            return {}
        return {"diagnosisCodes": "at least one ICD-10-CM diagnosis code is required"}
    if len(claim.diagnosis_codes) > MAX_DIAGNOSES:
        return {"diagnosisCodes": f"at most {MAX_DIAGNOSES} diagnosis codes"}
    problems: dict[str, str] = {}
    first_date = claim.service_from
    for index, code in enumerate(claim.diagnosis_codes):
        problem = diagnosis_problem(code, first_date)
        if problem:
            problems[f"diagnosisCodes.{index}"] = problem
    if len(set(claim.diagnosis_codes)) != len(claim.diagnosis_codes):
        problems["diagnosisCodes"] = "a diagnosis code is listed twice"
    if not problems:
        problems.update(_delivery_problems(claim))
    return problems


def _delivery_problems(claim: ClaimInput) -> dict[str, str]:
    procedures = {line.procedure_code for line in claim.lines if line.procedure_code}
    revenues = {line.revenue_code for line in claim.lines if line.revenue_code}
    if not obstetrics.is_delivery(procedures, revenues, claim.diagnosis_codes):
        return {}
    missing = obstetrics.missing_delivery_diagnoses(claim.diagnosis_codes)
    return {"diagnosisCodes": f"a delivery claim needs {missing}"} if missing else {}
