"""What a prior authorization request must hold, checked before anything is written.

Field names in the problems are the ones the client sent (camelCase, with list positions),
so a form can put each message beside its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.platform.codesets.icd10cm import diagnosis_problem, with_dot
from chalicelib.priorauth.codes import classify
from chalicelib.priorauth.enums import CodeKind, RequestType, Urgency

RETRO_DAYS = 30
AHEAD_DAYS = 365
MAX_SPAN_DAYS = 365
NEWBORN_NOTICE_DAYS = 30

NEWBORN_TERM = "NB_TERM"
NEWBORN_WEIGHT = "NB_WEIGHT_2500"
NEWBORN_NO_NICU = "NB_NO_NICU"


@dataclass(frozen=True)
class ServiceLineInput:
    code: str
    units: int
    modifiers: tuple[str, ...] = ()
    description: str | None = None
    kind: CodeKind | None = None
    """The kind its code system names (FHIR); None: read from the code's shape (the portal's form)."""


@dataclass(frozen=True)
class NewbornInput:
    birth_date: date
    gender: str
    birth_weight_grams: int
    gestational_age_weeks: int
    delivery_method: str
    nicu_admission: bool


@dataclass(frozen=True)
class DocumentInput:
    file_name: str
    content_type: str


@dataclass(frozen=True)
class Submission:
    request_type: RequestType
    urgency: Urgency
    member_id: str
    servicing_provider_id: str
    start_date: date
    end_date: date
    lines: tuple[ServiceLineInput, ...]
    diagnosis_codes: tuple[str, ...]
    requesting_provider_id: str | None = None
    medical_history: str | None = None
    criteria_met: tuple[str, ...] = ()
    criteria_not_met: tuple[str, ...] = ()
    newborn: NewbornInput | None = None
    documents: tuple[DocumentInput, ...] = ()
    claim_identifiers: tuple[str, ...] = ()
    """A FHIR Claim's identifiers as ``system|value``, kept so that $inquire finds the request by them."""

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


def line_kind(line: ServiceLineInput) -> CodeKind | None:
    """The kind of the line's code, None when it is not well-formed (``code_problem`` says why)."""
    return classify(line.code, line.kind).kind


def code_problem(line: ServiceLineInput, request_type: RequestType) -> str | None:
    classified = classify(line.code, line.kind)
    if classified.kind is None:
        return classified.problem
    if classified.kind == CodeKind.REVENUE and request_type == RequestType.OUTPATIENT:
        return "revenue codes are for inpatient requests"
    return None


def submission_problems(submission: Submission, today: date) -> dict[str, str]:
    problems: dict[str, str] = {}
    if submission.start_date < today - timedelta(days=RETRO_DAYS):
        problems["startDate"] = f"must be at most {RETRO_DAYS} days ago"
    elif submission.start_date > today + timedelta(days=AHEAD_DAYS):
        problems["startDate"] = f"must be at most {AHEAD_DAYS} days ahead"
    if submission.end_date < submission.start_date:
        problems["endDate"] = "must be on or after startDate"
    elif submission.days > MAX_SPAN_DAYS:
        problems["endDate"] = f"the request may span at most {MAX_SPAN_DAYS} days"
    for index, line in enumerate(submission.lines):
        problem = code_problem(line, submission.request_type)
        if problem:
            problems[f"serviceLines.{index}.code"] = problem
    seen: set[str] = set()
    for index, code in enumerate(submission.diagnosis_codes):
        problem = diagnosis_problem(code, submission.start_date)
        if problem is None and with_dot(code) in seen:
            problem = "is listed twice"
        if problem:
            problems[f"diagnosisCodes.{index}"] = problem
        seen.add(with_dot(code))
    both = set(submission.criteria_met) & set(submission.criteria_not_met)
    if both:
        problems["clinicalCriteria"] = f"answered both met and not met: {', '.join(sorted(both))}"
    problems.update(_newborn_problems(submission, today))
    return problems


def _newborn_problems(submission: Submission, today: date) -> dict[str, str]:
    newborn = submission.newborn
    if submission.request_type != RequestType.NEWBORN_NOTIFICATION:
        return {"newborn": "is only for newborn notifications"} if newborn else {}
    if newborn is None:
        return {"newborn": "is required for a newborn notification"}
    problems = {}
    if newborn.birth_date > today:
        problems["newborn.birthDate"] = "must not be in the future"
    elif newborn.birth_date < today - timedelta(days=NEWBORN_NOTICE_DAYS):
        problems["newborn.birthDate"] = f"newborn notifications are due within {NEWBORN_NOTICE_DAYS} days of birth"
    if submission.start_date != newborn.birth_date:
        problems["startDate"] = "must be the newborn's birth date"
    return problems


def derived_criteria(submission: Submission) -> frozenset[str]:
    """Criteria the plan reads off the facts instead of asking (a newborn's term, weight, NICU stay)."""
    newborn = submission.newborn
    if newborn is None:
        return frozenset()
    derived = set()
    if newborn.gestational_age_weeks >= 37:
        derived.add(NEWBORN_TERM)
    if newborn.birth_weight_grams >= 2500:
        derived.add(NEWBORN_WEIGHT)
    if not newborn.nicu_admission:
        derived.add(NEWBORN_NO_NICU)
    return frozenset(derived)
