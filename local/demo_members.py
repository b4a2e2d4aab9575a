"""Deterministic synthetic members across the five states (the README lists the fixed ones).

Same seed, same members, every run: realistic programs, coverage spans with gaps, PCPs and
other insurance. 2,079 members are attributed to the Default Provider group's practitioners,
the record count the seed page's Provider Membership List shows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.members.names import name_search_key
from chalicelib.members.store import AlertAttribute, CoverageSpanAttribute, MemberModel, OtherInsuranceAttribute
from chalicelib.reports import roster
from local.demo_calendar import DemoCalendar

SEED = 20261123
PCP_TAX_IDS = {
    "100000000001": "310000001", "100000000002": "310000001", "200000000002": "310000002",
    "300000000001": "310000003", "400000000001": "310000004", "500000000001": "310000005",
}
ALERT_TYPES = ("NEW_ASSESSMENT", "NEW_CARE_TREATMENT_PLAN", "UPDATED_CARE_TREATMENT_PLAN", "BH_CLINICAL_INFO")
DEFAULT_GROUP_ATTRIBUTED = 2079
FIXED_DEFAULT_GROUP_MEMBERS = 2  # Ava Thompson and Liam Carter, below


@dataclass(frozen=True)
class StatePlan:
    state: str
    member_prefix: str
    medicaid_prefix: str
    count: int
    programs: tuple[tuple[str, str, float], ...]  # program, plan type, weight
    pcps: tuple[tuple[str, str], ...]


STATE_PLANS: tuple[StatePlan, ...] = (
    StatePlan("Indiana", "1", "7", 3200,
              (("Indiana - State Health Plans - Healthy Indiana Plan (HIP)", "Medicaid", 0.5),
               ("Indiana - State Health Plans - Hoosier Healthwise (HHW)", "Medicaid", 0.3),
               ("Indiana - State Health Plans - Hoosier Care Connect", "Medicaid", 0.1),
               ("Indiana - Marketplace", "Marketplace", 0.1)),
              (("100000000001", "Jane Doe"), ("100000000002", "Robert Smith"))),
    StatePlan("Ohio", "2", "8", 1000,
              (("Ohio - Medicaid", "Medicaid", 0.7), ("Ohio - MyCare Ohio", "MyCare", 0.15),
               ("Ohio - Marketplace", "Marketplace", 0.15)),
              (("200000000002", "Maria Garcia"),)),
    StatePlan("Kentucky", "3", "6", 600,
              (("Kentucky - Medicaid", "Medicaid", 0.8), ("Kentucky - Marketplace", "Marketplace", 0.2)),
              (("300000000001", "Bluegrass Pediatrics"),)),
    StatePlan("West Virginia", "4", "5", 400,
              (("West Virginia - Mountain Health Trust", "Medicaid", 0.8),
               ("West Virginia - Marketplace", "Marketplace", 0.2)),
              (("400000000001", "Mountain State Clinic"),)),
    StatePlan("Georgia", "5", "4", 600,
              (("Georgia - Georgia Families", "Medicaid", 0.8), ("Georgia - Marketplace", "Marketplace", 0.2)),
              (("500000000001", "Peachtree Health Partners"),)),
)

FIRST_NAMES = (
    "Ava", "Liam", "Olivia", "Noah", "Emma", "Elijah", "Sophia", "James", "Isabella", "Lucas", "Mia", "Mason",
    "Amelia", "Ethan", "Harper", "Logan", "Evelyn", "Aiden", "Abigail", "Jackson", "Chloé", "José", "Zoë",
    "Renée", "André", "Mary Ann", "Jean-Luc", "Nguyễn", "Aaliyah", "DeShawn", "Imani", "Mateo", "Camila",
    "Santiago", "Valentina", "Wei", "Priya", "Omar", "Fatima", "Hannah",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernández", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "O'Brien", "McDonald", "St. John", "Van der Berg", "Nuñez", "Peña", "Müller", "Washington", "Nguyen", "Patel",
    "Kim", "Baker", "Carter", "Mitchell", "Perez", "Roberts", "Turner", "Phillips", "Campbell", "Parker",
)
LANGUAGES = (("English", 0.82), ("Spanish", 0.13), ("Vietnamese", 0.02), ("Arabic", 0.02), ("Somali", 0.01))
OTHER_PAYERS = (
    ("Anthem Blue Cross", "Commercial"), ("UnitedHealthcare", "Commercial"), ("Aetna", "Commercial"),
    ("Cigna", "Commercial"), ("Medicare Part B", "Medicare"), ("TRICARE", "Military"),
)
FIRST_SPAN_EARLIEST = date(2021, 1, 1)
LATEST_START = date(2026, 6, 1)


def fixed_members(today: date) -> list[MemberModel]:
    """The members the README names (dates as of the authoring day, moved to ``today``)."""
    return [_moved(DemoCalendar(today), fixed) for fixed in _authored_fixed_members()]


def _moved(calendar: DemoCalendar, item: MemberModel) -> MemberModel:
    for span in item.coverage:
        span.start, span.end = calendar.iso(span.start), calendar.iso(span.end)
    for other in item.other_insurance:
        other.start, other.end = calendar.iso(other.start), calendar.iso(other.end)
    for alert in item.alerts:
        alert.appeared_on = calendar.iso(alert.appeared_on)
    return item


def _authored_fixed_members() -> list[MemberModel]:
    return [
        member(
            "10000000001", "700000000001", "Ava", "Thompson", "1990-04-12", "F", "Indiana", "English",
            "317-555-0101", ("100000000001", "Jane Doe"),
            [("2024-01-01", None, "Indiana - State Health Plans - Healthy Indiana Plan (HIP)", "Medicaid")], [],
            [("NEW_ASSESSMENT", "2026-10-14"), ("BH_CLINICAL_INFO", "2026-11-02")],
        ),
        member(
            "10000000002", "700000000002", "Liam", "Carter", "2016-09-30", "M", "Indiana", "English",
            "317-555-0102", ("100000000002", "Robert Smith"),
            [("2023-07-01", "2025-06-30", "Indiana - State Health Plans - Hoosier Healthwise (HHW)", "Medicaid"),
             ("2025-09-01", None, "Indiana - State Health Plans - Hoosier Healthwise (HHW)", "Medicaid")],
            [("Anthem Blue Cross", "ANT-55821934", "Commercial", "primary", "2023-07-01", None)],
        ),
        member(
            "20000000001", "800000000001", "Olivia", "Brooks", "1985-02-20", "F", "Ohio", "English",
            "614-555-0103", ("200000000002", "Maria Garcia"),
            [("2022-01-01", None, "Ohio - Medicaid", "Medicaid")], [],
        ),
    ]


def member(
    member_id: str, medicaid_id: str, first: str, last: str, birth: str, gender: str, state: str, language: str,
    phone: str, pcp: tuple[str, str] | None, spans: list[tuple[str, str | None, str, str]],
    others: list[tuple[str, str, str, str, str, str | None]], alerts: list[tuple[str, str]] | None = None,
) -> MemberModel:
    return MemberModel(
        member_id=member_id, medicaid_id=medicaid_id, first_name=first, last_name=last, birth_date=birth,
        gender=gender, state=state, language=language, phone=phone,
        pcp_provider_id=pcp[0] if pcp else None, pcp_name=pcp[1] if pcp else None,
        pcp_tax_id=PCP_TAX_IDS.get(pcp[0]) if pcp else None,
        alerts=[AlertAttribute(alert_type=kind, appeared_on=day) for kind, day in alerts or []],
        name_key=name_search_key(last, first, birth),
        coverage=[CoverageSpanAttribute(start=s, end=e, program=p, plan_type=t) for s, e, p, t in spans],
        other_insurance=[OtherInsuranceAttribute(payer=p, policy_number=n, coverage_type=t, order=o, start=s, end=e)
                         for p, n, t, o, s, e in others],
    )


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...] | tuple[tuple[str, str, float], ...]
              ) -> tuple[str, ...]:
    weights = [choice[-1] for choice in choices]
    return rng.choices(choices, weights=weights)[0][:-1]  # type: ignore[return-value]


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _spans(rng: random.Random, program: str, plan_type: str) -> list[tuple[str, str | None, str, str]]:
    """Open coverage (most), coverage that ended, or two spans with a gap between."""
    first_start = _day_between(rng, FIRST_SPAN_EARLIEST, LATEST_START).replace(day=1)
    shape = rng.random()
    if shape < 0.70 or first_start > date(2025, 6, 1):
        return [(first_start.isoformat(), None, program, plan_type)]
    first_end = _day_between(rng, first_start + timedelta(days=90), date(2025, 12, 31))
    first_end = (first_end.replace(day=1) - timedelta(days=1)) if first_end.day != 1 else first_end
    if shape < 0.85:
        return [(first_start.isoformat(), first_end.isoformat(), program, plan_type)]
    second_start = (first_end + timedelta(days=rng.choice((32, 62, 93)))).replace(day=1)
    return [(first_start.isoformat(), first_end.isoformat(), program, plan_type),
            (second_start.isoformat(), None, program, plan_type)]


def generated_members(today: date) -> Iterator[MemberModel]:
    calendar = DemoCalendar(today)
    rng = random.Random(SEED)
    for plan in STATE_PLANS:
        for index in range(plan.count):
            member_id = f"{plan.member_prefix}{index + 1000:010d}"
            medicaid_id = f"{plan.medicaid_prefix}{index + 1000:011d}"
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            birth = _day_between(rng, date(1940, 1, 1), date(2024, 12, 31)).isoformat()
            gender = rng.choice(("F", "M"))
            program, plan_type = _weighted(rng, plan.programs)
            if plan.state == "Indiana":
                pcp = plan.pcps[index % 2] if index < DEFAULT_GROUP_ATTRIBUTED - FIXED_DEFAULT_GROUP_MEMBERS else None
            else:
                pcp = plan.pcps[0] if rng.random() < 0.6 else None
            others = []
            spans = _spans(rng, program, plan_type)
            if rng.random() < 0.12:
                payer, kind = rng.choice(OTHER_PAYERS)
                order = "primary" if kind != "Military" or rng.random() < 0.5 else "secondary"
                others.append((payer, f"{payer[:3].upper()}-{rng.randrange(10**7, 10**8)}", kind, order, spans[0][0],
                               None))
            language = _weighted(rng, LANGUAGES)[0]
            phone = f"{rng.randrange(200, 999)}-555-{rng.randrange(1000, 9999)}"
            alerts = []
            if pcp and rng.random() < 0.15:
                alerts = [(kind, _day_between(rng, date(2026, 6, 1), date(2026, 11, 20)).isoformat())
                          for kind in rng.sample(ALERT_TYPES, rng.choice((1, 1, 2)))]
            yield _moved(calendar, member(member_id, medicaid_id, first, last, birth, gender, plan.state, language,
                                          phone, pcp, spans, others, alerts))


def load_members(today: date) -> int:
    """Members, their roster rows (with each view's count) and the registry, in one pass."""
    from local.demo_registry import load_registry

    attributed: list[MemberModel] = []
    count = 0
    with MemberModel.batch_write() as batch:

        def save(item: MemberModel) -> None:
            nonlocal count
            batch.save(item)
            count += 1
            if item.pcp_provider_id:
                attributed.append(item)

        roster.bulk_load((*fixed_members(today), *generated_members(today)), on_member=save)
    load_registry(attributed, today)
    return count
