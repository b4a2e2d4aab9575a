"""The pure claim rules: form checks, the delivery rule, adjudication and its balancing."""

from datetime import date

import pytest

from chalicelib.claims.adjudicator import ClaimFacts, FeeRow, LineFacts, adjudicate
from chalicelib.claims.enums import ClaimStatus, ClaimType, Frequency
from chalicelib.claims.form import ClaimInput, ClaimLineInput, claim_problems
from chalicelib.claims.obstetrics import is_delivery, missing_delivery_diagnoses
from chalicelib.platform.money import money

TODAY = date(2026, 11, 23)
FEES = {"99213": FeeRow("99213", 7500), "99284": FeeRow("99284", 15500, copay_cents=800),
        "58600": FeeRow("58600", 70000, consent_type="STERILIZATION")}


def claim(**changes):
    values = {
        "claim_type": ClaimType.PROFESSIONAL, "billing_provider_id": "100000000001", "member_id": "10000000001",
        "diagnosis_codes": ("E11.9",), "place_of_service": "11", "total_charge_cents": 12500,
        "lines": (ClaimLineInput(12500, 1, date(2026, 11, 2), procedure_code="99213", diagnosis_pointers=(1,)),),
    }
    values.update(changes)
    return ClaimInput(**values)


def facts(*lines, **changes):
    return ClaimFacts(received_on=TODAY, lines=tuple(lines), **changes)


def test_a_clean_claim_has_no_problems_and_money_prints_cents():
    assert claim_problems(claim(), TODAY) == {}
    assert (money(12345), money(-7800), money(5)) == ("123.45", "-78.00", "0.05")


def test_void_needs_the_original_and_an_original_claim_must_not_name_one():
    assert "void (8)" in claim_problems(claim(frequency=Frequency.VOID), TODAY)["originalClaimNumber"]
    assert "only a corrected" in claim_problems(claim(original_claim_number="2630000000001"),
                                                TODAY)["originalClaimNumber"]


def test_the_delivery_rule_reads_procedures_revenue_codes_and_outcome_codes():
    assert is_delivery({"59510"}, set(), ())
    assert is_delivery(set(), {"0721"}, ())
    assert is_delivery(set(), set(), ("Z37.0",))
    assert not is_delivery({"99213"}, {"0450"}, ("O80",))
    assert missing_delivery_diagnoses(("O80", "Z3A.39")) is None
    assert "Z3A" in missing_delivery_diagnoses(("O80",))


def test_institutional_inpatient_bills_need_an_admission_date_and_revenue_codes():
    problems = claim_problems(claim(claim_type=ClaimType.INSTITUTIONAL, facility_type_code="11", lines=(
        ClaimLineInput(12500, 1, date(2026, 11, 2), procedure_code="99213"),)), TODAY)
    assert set(problems) == {"admissionDate", "serviceLines.0.revenueCode"}


@pytest.mark.parametrize(("line", "reason"), [
    (LineFacts(1, "99213", 1, 12500, date(2025, 11, 1)), "29"),
    (LineFacts(1, "99213", 1, 12500, date(2026, 11, 2), duplicate=True), "18"),
    (LineFacts(1, "99499", 1, 12500, date(2026, 11, 2)), "96"),
])
def test_denied_lines_carry_their_reason_and_the_whole_charge(line, reason):
    outcome = adjudicate(facts(line), FEES)
    assert outcome.status == ClaimStatus.DENIED
    (adjustment,) = outcome.lines[0].adjustments
    assert (adjustment.group_code, adjustment.reason_code, adjustment.amount_cents) == ("CO", reason, 12500)


def test_every_priced_line_balances_charge_against_adjustments_and_payment():
    lines = (LineFacts(1, "99284", 1, 42000, date(2026, 11, 2), emergency=True),
             LineFacts(2, "99213", 2, 9000, date(2026, 11, 2)))
    outcome = adjudicate(facts(*lines, other_payer_paid_cents=5000), FEES)
    assert outcome.status == ClaimStatus.APPROVED
    for line, result in zip(lines, outcome.lines, strict=True):
        assert line.charge_cents == result.paid_cents + sum(a.amount_cents for a in result.adjustments)
    emergency, office = outcome.lines
    assert (emergency.allowed_cents, emergency.patient_responsibility_cents) == (15500, 800)
    assert office.allowed_cents == 9000  # the charge caps the allowed amount (2 x 75.00 > 90.00)
    assert outcome.paid_cents == 15500 - 800 + 9000 - 5000


def test_a_consent_service_pends_until_the_form_is_on_file():
    line = LineFacts(1, "58600", 1, 150000, date(2026, 11, 2))
    pended = adjudicate(facts(line), FEES)
    assert (pended.status, pended.pend_reason, pended.consent_type) == (
        ClaimStatus.PENDED, "CONSENT_FORM_REQUIRED", "STERILIZATION")
    paid = adjudicate(facts(line, consent_on_file=True), FEES)
    assert (paid.status, paid.paid_cents) == (ClaimStatus.APPROVED, 70000)
