"""Demo claims data: a fee schedule per state and program, and two years of claims with payments.

The claims go through the real ``ClaimService`` and ``PaymentService`` on a clock that walks
from two years ago to today, so statuses, CARC/RARC, corrected and voided claims, weekly
payments and their 835s are what the code makes, not hand-written rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from chalicelib.claims.store import FeeScheduleModel, fee_schedule_key

STATES = ("Indiana", "Ohio", "Kentucky", "West Virginia", "Georgia")
PLAN_FACTORS = {"Medicaid": 1.0, "Marketplace": 1.25, "MyCare": 1.05}
EMERGENCY_COPAY_CENTS = {"Medicaid": 800, "Marketplace": 15000, "MyCare": 0}

# code, description, Medicaid allowed (cents), emergency?, consent type
FEES: tuple[tuple[str, str, int, bool, str | None], ...] = (
    ("99203", "Office visit, new patient, low complexity", 9500, False, None),
    ("99204", "Office visit, new patient, moderate complexity", 14000, False, None),
    ("99213", "Office visit, established patient, low complexity", 7500, False, None),
    ("99214", "Office visit, established patient, moderate complexity", 11000, False, None),
    ("99283", "Emergency department visit, moderate severity", 9000, True, None),
    ("99284", "Emergency department visit, high severity", 15500, True, None),
    ("36415", "Routine venipuncture", 300, False, None),
    ("81002", "Urinalysis, non-automated", 400, False, None),
    ("87070", "Culture, bacterial", 1200, False, None),
    ("86663", "Epstein-Barr antibody", 1500, False, None),
    ("90471", "Immunization administration", 2000, False, None),
    ("90686", "Influenza vaccine, quadrivalent", 1800, False, None),
    ("71046", "Chest X-ray, 2 views", 3500, False, None),
    ("97110", "Therapeutic exercise, 15 minutes", 2800, False, None),
    ("E0601", "CPAP device", 9500, False, None),
    ("59400", "Routine obstetric care incl. vaginal delivery", 180000, False, None),
    ("59510", "Routine obstetric care incl. cesarean delivery", 210000, False, None),
    ("58150", "Total abdominal hysterectomy", 120000, False, "HYSTERECTOMY"),
    ("58671", "Laparoscopic tubal occlusion", 65000, False, "STERILIZATION"),
    ("55250", "Vasectomy", 45000, False, "STERILIZATION"),
    ("58600", "Tubal ligation", 70000, False, "STERILIZATION"),
    ("59840", "Induced abortion by dilation and curettage", 50000, False, "ABORTION"),
    ("0120", "Room and board, semi-private (per day)", 115000, False, None),
    ("0250", "Pharmacy", 3000, False, None),
    ("0300", "Laboratory", 4500, False, None),
    ("0305", "Laboratory, hematology", 4000, False, None),
    ("0320", "Diagnostic radiology", 12000, False, None),
    ("0360", "Operating room services", 150000, False, None),
    ("0450", "Emergency room", 35000, True, None),
    ("0720", "Labor room / delivery", 90000, False, None),
    ("0730", "EKG / ECG", 6000, False, None),
    ("D0120", "Periodic oral evaluation", 3000, False, None),
    ("D0150", "Comprehensive oral evaluation", 4500, False, None),
    ("D0274", "Bitewings, four radiographic images", 4000, False, None),
    ("D1110", "Prophylaxis, adult", 5000, False, None),
    ("D1120", "Prophylaxis, child", 3800, False, None),
    ("D2391", "Resin-based composite, one surface, posterior", 8500, False, None),
    ("D7140", "Extraction, erupted tooth", 9500, False, None),
)


def fee_rows() -> list[FeeScheduleModel]:
    rows = []
    for state in STATES:
        for plan_type, factor in PLAN_FACTORS.items():
            for code, description, cents, emergency, consent in FEES:
                rows.append(FeeScheduleModel(
                    schedule=fee_schedule_key(state, plan_type), code=code, description=description,
                    allowed_cents=round(cents * factor),
                    copay_cents=EMERGENCY_COPAY_CENTS[plan_type] if emergency else 0, consent_type=consent,
                ))
    return rows


def load_fee_schedules() -> int:
    rows = fee_rows()
    with FeeScheduleModel.batch_write() as batch:
        for row in rows:
            batch.save(row)
    return len(rows)


@dataclass(frozen=True)
class Visit:
    claim_type: str
    lines: tuple[tuple[str, int, int], ...]  # code, units, charge cents
    diagnoses: tuple[str, ...]
    place_of_service: str | None = "11"
    facility_type_code: str | None = None


VISITS: tuple[Visit, ...] = (
    Visit("PROFESSIONAL", (("99213", 1, 12500), ("36415", 1, 2500)), ("E11.9", "I10")),
    Visit("PROFESSIONAL", (("99214", 1, 17500), ("81002", 1, 1500)), ("J45.909",)),
    Visit("PROFESSIONAL", (("99203", 1, 15000),), ("M54.50",)),
    Visit("PROFESSIONAL", (("99213", 1, 12500), ("90471", 1, 3500), ("90686", 1, 3000)), ("Z23",)),
    Visit("PROFESSIONAL", (("99284", 1, 42000), ("71046", 1, 9500)), ("J18.9",), "23"),
    Visit("PROFESSIONAL", (("99213", 1, 12500), ("99499", 1, 8000)), ("R51.9",)),
    Visit("PROFESSIONAL", (("97110", 4, 6000),), ("M25.561",)),
    Visit("INSTITUTIONAL", (("0450", 1, 95000), ("0300", 1, 18000), ("0320", 1, 42000)), ("R07.9", "I10"), None,
          "13"),
    Visit("INSTITUTIONAL", (("0120", 3, 480000), ("0250", 6, 24000), ("0305", 2, 12000)), ("J18.9",), None, "11"),
    Visit("DENTAL", (("D0120", 1, 6500), ("D1110", 1, 9500), ("D0274", 1, 7000)), (), "11"),
    Visit("DENTAL", (("D2391", 1, 19000),), (), "11"),
    Visit("PROFESSIONAL", (("58600", 1, 150000),), ("Z30.2",), "22"),
)


def load_claims(today: date, count: int = 240) -> dict[str, int]:
    """Submit ``count`` claims over the past two years (fixed seed); run a payment cycle each week."""
    from chalicelib.claims.enums import ClaimStatus, ClaimType, Frequency
    from chalicelib.claims.form import ClaimInput, ClaimLineInput
    from chalicelib.claims.store import ClaimModel
    from chalicelib.platform.access import Principal, Role
    from chalicelib.platform.config import get_settings
    from chalicelib.platform.errors import PortalError
    from chalicelib.wiring import Wiring

    settings = get_settings()
    start = datetime.combine(today - timedelta(days=728), datetime.min.time(), UTC) + timedelta(hours=14)
    moment = [start]

    def clock() -> datetime:
        return moment[0]

    services = Wiring(settings, clock)
    claims, payments = services.claims(), services.payments()
    offices = {
        "Indiana": (Principal("demo.group", Role.PROVIDER_USER, "Group", ("999999999999",), ("310000001",),
                              ("Indiana",), "999999999999", "demo", start, start),
                    ("100000000001", "100000000002", "999999999999"), ("10000000001", "10000000002")),
        "Ohio": (Principal("demo.buckeye", Role.PROVIDER_USER, "Group", ("200000000001",), ("310000002",),
                           ("Ohio",), "200000000001", "demo", start, start),
                 ("200000000001", "200000000002"), ("20000000001",)),
    }
    randomness = random.Random(20261123)
    counts = {"claims": 0, "corrected": 0, "voided": 0, "payments": 0}
    paid_recently: list[str] = []
    next_cycle = start + timedelta(days=7)
    for number in range(count):
        moment[0] = start + timedelta(days=number * 726 / count, hours=randomness.randint(0, 8))
        while moment[0] >= next_cycle:
            saved = moment[0]
            moment[0] = next_cycle
            counts["payments"] += len(payments.run_cycle().payments)
            moment[0], next_cycle = saved, next_cycle + timedelta(days=7)
        state = "Indiana" if number % 4 else "Ohio"
        office, providers, member_ids = offices[state]
        visit = VISITS[number % len(VISITS)]
        service_date = claims.today() - timedelta(days=randomness.randint(2, 25))
        if number % 53 == 7:
            service_date = claims.today() - timedelta(days=400)
        lines = tuple(ClaimLineInput(charge, units, service_date, procedure_code=None if visit.facility_type_code
                                     else code, revenue_code=code if visit.facility_type_code else None,
                                     diagnosis_pointers=(1,) if visit.diagnoses and not visit.facility_type_code
                                     else (), tooth="14" if code == "D2391" else None,
                                     surfaces="O" if code == "D2391" else None)
                      for code, units, charge in visit.lines)
        member_id = member_ids[0] if visit.lines[0][0] == "58600" or number % 4 != 1 else member_ids[-1]
        claim = ClaimInput(
            claim_type=ClaimType(visit.claim_type), billing_provider_id=providers[number % len(providers)],
            member_id=member_id, diagnosis_codes=visit.diagnoses, lines=lines,
            total_charge_cents=sum(line.charge_cents for line in lines), place_of_service=visit.place_of_service,
            facility_type_code=visit.facility_type_code,
            admission_date=service_date if visit.facility_type_code == "11" else None,
            patient_control_number=f"ACCT{number:05d}",
        )
        try:
            made = claims.submit(office, claim)
        except PortalError:  # a member not covered that day is skipped, as an office would
            continue
        counts["claims"] += 1
        if made.status == ClaimStatus.APPROVED.value:
            paid_recently.append(made.claim_number)
        if number % 29 == 11 and paid_recently:
            original = paid_recently.pop(0)
            moment[0] = moment[0] + timedelta(hours=2)
            frequency = Frequency.VOID if number % 58 == 11 else Frequency.CORRECTED
            previous = ClaimModel.get(original)
            try:
                claims.submit(office, ClaimInput(
                    claim_type=ClaimType(previous.claim_type), billing_provider_id=previous.billing_provider_id,
                    member_id=previous.member_id, diagnosis_codes=tuple(previous.diagnosis_codes),
                    lines=tuple(ClaimLineInput(int(line.charge_cents) + (0 if frequency == Frequency.VOID else 1000),
                                               int(line.units), date.fromisoformat(line.service_date),
                                               procedure_code=line.procedure_code, revenue_code=line.revenue_code,
                                               diagnosis_pointers=tuple(int(p) for p in line.diagnosis_pointers),
                                               tooth=line.tooth, surfaces=line.surfaces)
                                for line in previous.lines),
                    total_charge_cents=sum(int(line.charge_cents) + (0 if frequency == Frequency.VOID else 1000)
                                           for line in previous.lines),
                    frequency=frequency, original_claim_number=original, place_of_service=previous.place_of_service,
                    facility_type_code=previous.facility_type_code,
                    admission_date=date.fromisoformat(previous.admission_date) if previous.admission_date else None,
                    patient_control_number=previous.patient_control_number,
                ))
            except PortalError:
                continue
            counts["voided" if frequency == Frequency.VOID else "corrected"] += 1
    return counts
