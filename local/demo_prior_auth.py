"""Demo prior authorization rules (every state and program) and a history of requests.

Rules: an office visit does not need authorization; CPAP, pain-management injections, a lumbar
MRI, inpatient stays and newborn stays do, each with the criteria AutoAuth decides on.
Requests: submitted by the demo offices over the past year through the same service the API
uses, then reviewed by ``planadmin``, so search, the review queue and the metrics show real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.priorauth.enums import RequestType, Urgency
from chalicelib.priorauth.store import AutoRuleAttribute, CriterionAttribute, PriorAuthRuleModel, rule_set_key

STATES = ("Indiana", "Ohio", "Kentucky", "West Virginia", "Georgia")
PROGRAMS = ("Medicaid", "Marketplace", "MyCare")
OUTPATIENT = (RequestType.OUTPATIENT.value,)
INPATIENT = (RequestType.INPATIENT.value,)
NEWBORN = (RequestType.NEWBORN_NOTIFICATION.value,)


@dataclass(frozen=True)
class DemoRule:
    code: str
    description: str
    requires: bool
    types: tuple[str, ...]
    documentation: tuple[str, ...] = ()
    criteria: tuple[tuple[str, str], ...] = ()
    auto: tuple[dict[str, Any], ...] = ()


PAIN_CRITERIA = (
    ("PM_RADICULAR_PAIN", "Radicular pain in a dermatomal distribution for at least 4 weeks"),
    ("PM_CONSERVATIVE_4WK", "At least 4 weeks of failed conservative care (PT, NSAIDs, activity change)"),
    ("PM_IMAGING", "MRI or CT findings consistent with the symptoms"),
)
PAIN_AUTO = {"rule_id": "PM-ESI-1", "description": "Radicular pain, 4 weeks of conservative care, imaging: up to "
             "2 injections in 30 days", "criteria_all": ["PM_RADICULAR_PAIN", "PM_CONSERVATIVE_4WK", "PM_IMAGING"],
             "diagnosis_prefixes": ["M541", "M511", "M4716", "M4726"], "urgencies": ["STANDARD"], "max_units": 2,
             "max_days": 30}

DEMO_RULES: tuple[DemoRule, ...] = (
    DemoRule("99213", "Office visit, established patient, low complexity", False, OUTPATIENT),
    DemoRule("99214", "Office visit, established patient, moderate complexity", False, OUTPATIENT),
    DemoRule(
        "E0601", "Continuous positive airway pressure (CPAP) device", True, OUTPATIENT,
        ("Sleep study report with AHI", "Face-to-face evaluation note before the sleep study"),
        (("CPAP_SLEEP_STUDY", "A polysomnogram or home sleep test was done"),
         ("CPAP_AHI_15", "Apnea-hypopnea index (AHI) of 15 or more"),
         ("CPAP_AHI_5_SYMPTOMS", "AHI of 5 to 14 with excessive sleepiness, hypertension or heart disease")),
        ({"rule_id": "CPAP-1", "description": "Sleep study with AHI >= 15: 3 months' rental",
          "criteria_all": ["CPAP_SLEEP_STUDY", "CPAP_AHI_15"], "diagnosis_prefixes": ["G4733"], "urgencies": [],
          "max_units": 3, "max_days": 92},
         {"rule_id": "CPAP-2", "description": "Sleep study with AHI 5-14 and symptoms: 3 months' rental",
          "criteria_all": ["CPAP_SLEEP_STUDY", "CPAP_AHI_5_SYMPTOMS"], "diagnosis_prefixes": ["G4733"],
          "urgencies": [], "max_units": 3, "max_days": 92}),
    ),
    DemoRule("64483", "Transforaminal epidural steroid injection, lumbar or sacral", True, OUTPATIENT,
             ("Office notes of the conservative care tried", "Imaging report"), PAIN_CRITERIA, (PAIN_AUTO,)),
    DemoRule("62323", "Interlaminar epidural steroid injection, lumbar or sacral, with imaging", True, OUTPATIENT,
             ("Office notes of the conservative care tried", "Imaging report"), PAIN_CRITERIA, (PAIN_AUTO,)),
    DemoRule("64635", "Radiofrequency ablation, lumbar or sacral facet joint", True, OUTPATIENT,
             ("Results of two diagnostic medial branch blocks",),
             (("PM_TWO_BLOCKS_80", "Two medial branch blocks each gave at least 80% relief"),)),
    DemoRule(
        "72148", "MRI lumbar spine without contrast", True, OUTPATIENT, ("Office notes",),
        (("MRI_6WK_CONSERVATIVE", "Six weeks of conservative care without improvement"),
         ("MRI_RED_FLAG", "Red flag: suspected cancer, infection, cauda equina or progressive deficit")),
        ({"rule_id": "MRI-1", "description": "Six weeks of conservative care: one study",
          "criteria_all": ["MRI_6WK_CONSERVATIVE"], "diagnosis_prefixes": [], "urgencies": [], "max_units": 1,
          "max_days": 60},
         {"rule_id": "MRI-2", "description": "A red flag: one study", "criteria_all": ["MRI_RED_FLAG"],
          "diagnosis_prefixes": [], "urgencies": [], "max_units": 1, "max_days": 60}),
    ),
    DemoRule(
        "0120", "Inpatient room and board, semi-private, medical/surgical", True, INPATIENT,
        ("Admission history and physical", "Orders and the plan of care"),
        (("IP_ACUTE_CRITERIA", "Meets acute inpatient admission criteria"),),
        ({"rule_id": "IP-1", "description": "Acute admission criteria met: up to 3 days, then concurrent review",
          "criteria_all": ["IP_ACUTE_CRITERIA"], "diagnosis_prefixes": [], "urgencies": [], "max_units": 3,
          "max_days": 3},),
    ),
    DemoRule("0191", "Skilled nursing, subacute care", True, INPATIENT, ("Therapy evaluations", "Plan of care")),
    DemoRule(
        "0171", "Newborn nursery, level I (well baby)", True, NEWBORN, ("Delivery record",),
        (),
        ({"rule_id": "NB-1", "description": "Term, 2,500 g or more, no NICU: up to 5 days",
          "criteria_all": ["NB_TERM", "NB_WEIGHT_2500", "NB_NO_NICU"], "diagnosis_prefixes": [], "urgencies": [],
          "max_units": 5, "max_days": 5},),
    ),
    DemoRule("0174", "Newborn intensive care, level IV (NICU)", True, NEWBORN, ("Delivery record", "NICU notes")),
)


def rule_rows() -> list[PriorAuthRuleModel]:
    rows = []
    for state in STATES:
        for program in PROGRAMS:
            for rule in DEMO_RULES:
                rows.append(PriorAuthRuleModel(
                    rule_set=rule_set_key(state, program), code=rule.code, description=rule.description,
                    requires_authorization=rule.requires, request_types=list(rule.types),
                    documentation=list(rule.documentation),
                    criteria=[CriterionAttribute(criterion_id=cid, question=q) for cid, q in rule.criteria],
                    auto_rules=[AutoRuleAttribute(**auto) for auto in rule.auto],
                ))
    return rows


def load_rules() -> int:
    rows = rule_rows()
    with PriorAuthRuleModel.batch_write() as batch:
        for row in rows:
            batch.save(row)
    return len(rows)


# A year of requests

@dataclass(frozen=True)
class Scenario:
    request_type: RequestType
    codes: tuple[tuple[str, int], ...]
    diagnoses: tuple[str, ...]
    criteria: tuple[str, ...]
    days: int
    review: str | None  # APPROVE, DENY, REQUEST_INFO, APPEAL_APPROVE or None (left for the queue)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(RequestType.OUTPATIENT, (("E0601", 3),), ("G47.33",), ("CPAP_SLEEP_STUDY", "CPAP_AHI_15"), 90, None),
    Scenario(RequestType.OUTPATIENT, (("64483", 1),), ("M54.16",),
             ("PM_RADICULAR_PAIN", "PM_CONSERVATIVE_4WK", "PM_IMAGING"), 30, None),
    Scenario(RequestType.OUTPATIENT, (("72148", 1),), ("M54.50",), ("MRI_6WK_CONSERVATIVE",), 30, None),
    Scenario(RequestType.OUTPATIENT, (("64483", 1),), ("M54.16",), ("PM_RADICULAR_PAIN",), 30, "APPROVE"),
    Scenario(RequestType.OUTPATIENT, (("64635", 2),), ("M47.816",), (), 30, "DENY"),
    Scenario(RequestType.OUTPATIENT, (("E0601", 3),), ("G47.33",), ("CPAP_SLEEP_STUDY",), 90, "APPEAL_APPROVE"),
    Scenario(RequestType.INPATIENT, (("0120", 3),), ("J18.9",), ("IP_ACUTE_CRITERIA",), 3, None),
    Scenario(RequestType.INPATIENT, (("0191", 14),), ("I63.9",), (), 14, "APPROVE"),
    Scenario(RequestType.OUTPATIENT, (("72148", 1),), ("M54.50",), (), 30, "REQUEST_INFO"),
    Scenario(RequestType.OUTPATIENT, (("62323", 1),), ("M51.16",), (), 30, None),
)


def load_requests(today: date, count: int = 60) -> int:
    """Submit ``count`` requests over the past year (fixed seed) and review most of them."""
    from chalicelib.platform.access import Principal, Role
    from chalicelib.platform.config import get_settings
    from chalicelib.platform.errors import NotEligible
    from chalicelib.priorauth.service import ReviewDecision
    from chalicelib.priorauth.submission import NewbornInput, ServiceLineInput, Submission
    from chalicelib.wiring import Wiring

    settings = get_settings()
    first = datetime.combine(today - timedelta(days=360), datetime.min.time(), UTC)
    moment = [first]

    def clock() -> datetime:
        return moment[0]

    service = Wiring(settings, clock).prior_auths()
    office = Principal("demo.group", Role.PROVIDER_USER, "Group", ("999999999999",), ("310000001",), ("Indiana",),
                       "999999999999", "demo", moment[0], moment[0])
    reviewer = Principal("planadmin", Role.PLAN_STAFF, None, (), (), (), None, "demo", moment[0], moment[0])
    randomness = random.Random(20261123)
    made = 0
    for number in range(count):
        moment[0] = first + timedelta(days=number * 340 / count, hours=randomness.randint(8, 18))
        scenario = SCENARIOS[number % len(SCENARIOS)]
        urgency = Urgency.EXPEDITED if number % 4 == 0 else Urgency.STANDARD
        start = service.today() + timedelta(days=3 if scenario.request_type == RequestType.OUTPATIENT else 0)
        submission = Submission(
            request_type=scenario.request_type, urgency=urgency,
            member_id="10000000001" if number % 3 else "10000000002",
            servicing_provider_id="100000000001" if number % 2 else "100000000002",
            requesting_provider_id="100000000001" if number % 2 else "100000000002",
            start_date=start, end_date=start + timedelta(days=scenario.days - 1),
            lines=tuple(ServiceLineInput(code, units) for code, units in scenario.codes),
            diagnosis_codes=scenario.diagnoses, criteria_met=scenario.criteria,
            medical_history="Demo history: symptoms, treatments tried, current medications.",
        )
        if number % 10 == 9:
            submission = Submission(
                request_type=RequestType.NEWBORN_NOTIFICATION, urgency=Urgency.EXPEDITED, member_id="10000000001",
                servicing_provider_id="100000000001", start_date=service.today(),
                end_date=service.today() + timedelta(days=1), lines=(ServiceLineInput("0171", 2),),
                diagnosis_codes=("Z38.00",),
                newborn=NewbornInput(service.today(), "F", 3300, 39, "VAGINAL", False),
            )
        try:
            outcome = service.submit(office, submission)
        except NotEligible:  # a member not covered that day is skipped, as an office would
            continue
        made += 1
        request = outcome.request
        if request.status != "PENDED" or scenario.review is None or number >= count - 6:
            continue
        moment[0] = moment[0] + timedelta(hours=randomness.choice((4, 20, 30, 60, 100, 150)))
        if scenario.review in ("DENY", "APPEAL_APPROVE"):
            service.decide(reviewer, request.request_id, ReviewDecision(
                "DENY", denial_reason_code="NOT_MEDICALLY_NECESSARY",
                reason="The records do not show the criteria for this service were met."))
            if scenario.review == "APPEAL_APPROVE":
                moment[0] = moment[0] + timedelta(days=2)
                service.appeal(office, request.request_id, "Attached the sleep study showing AHI 22.")
                moment[0] = moment[0] + timedelta(days=3)
                service.decide(reviewer, request.request_id, ReviewDecision("APPROVE", reason="Sleep study reviewed."))
        elif scenario.review == "REQUEST_INFO":
            service.decide(reviewer, request.request_id, ReviewDecision(
                "REQUEST_INFO", reason="Send the office notes of the last two visits."))
        else:
            service.decide(reviewer, request.request_id, ReviewDecision("APPROVE", reason="Criteria met on review."))
    return made
