from datetime import date

from chalicelib.platform.codesets.icd10cm import diagnosis_problem, is_billable, release
from chalicelib.priorauth.autoauth import AutoRule, CodeRule, LineFacts, RequestFacts, decide
from chalicelib.priorauth.enums import RequestType
from chalicelib.priorauth.metrics import DecisionRow, figures

CPAP = CodeRule("E0601", "CPAP", True, ("OUTPATIENT",), (
    AutoRule("CPAP-1", "AHI 15", ("STUDY", "AHI15"), ("G4733",), (), 3, 92),
    AutoRule("CPAP-2", "AHI 5 + symptoms", ("STUDY", "AHI5S"), ("G4733",), (), 3, 92),
))
VISIT = CodeRule("99213", "Office visit", False, ("OUTPATIENT",))


def facts(criteria=("STUDY", "AHI15"), code="E0601", units=3, days=90, diagnoses=("G47.33",),
          request_type=RequestType.OUTPATIENT, urgency="STANDARD"):
    return RequestFacts(request_type, urgency, diagnoses, frozenset(criteria), days, (LineFacts(1, code, units),))


def test_any_rule_whose_criteria_are_all_met_approves():
    assert decide(facts(), {"E0601": CPAP}).lines[0].auto_rule_id == "CPAP-1"
    assert decide(facts(criteria=("STUDY", "AHI5S")), {"E0601": CPAP}).lines[0].auto_rule_id == "CPAP-2"


def test_each_shortfall_pends_with_its_reason():
    rules = {"E0601": CPAP}
    cases = {
        "criteria not met: AHI15": facts(criteria=("STUDY",)),
        "no diagnosis under G4733": facts(diagnoses=("R06.83",)),
        "4 units requested; AutoAuth approves up to 3": facts(units=4),
        "93 days requested; AutoAuth approves up to 92": facts(days=93),
    }
    for reason, request in cases.items():
        decision = decide(request, rules)
        assert not decision.approved
        assert reason in decision.pend_reasons[0]


def test_codes_without_authorization_pass_and_unknown_inpatient_codes_pend():
    assert decide(facts(code="99213", criteria=()), {"99213": VISIT}).approved
    assert decide(facts(code="97110", criteria=()), {}).approved  # not on the outpatient list
    inpatient = decide(facts(code="0200", criteria=(), request_type=RequestType.INPATIENT), {})
    assert not inpatient.approved
    assert "no AutoAuth rule" in inpatient.pend_reasons[0]


def test_icd10_codes_billable_categories_and_icd9():
    assert "April-2026" in release()
    assert is_billable("E11.9")
    assert is_billable("s72001a")
    assert diagnosis_problem("E11.9", date(2026, 1, 5)) is None
    assert "category" in diagnosis_problem("E11", date(2026, 1, 5))
    assert "ICD-9" in diagnosis_problem("401.9", date(2026, 1, 5))
    assert "not an ICD-10-CM code" in diagnosis_problem("ZZZ.99", date(2026, 1, 5))
    assert "from 2015-10-01" in diagnosis_problem("E11.9", date(2015, 9, 30))


def test_metrics_split_by_urgency_with_mean_and_median():
    rows = [
        DecisionRow("2026-11", "STANDARD", "APPROVED", 0, False, True),
        DecisionRow("2026-11", "STANDARD", "DENIED", 36000, True, False),
        DecisionRow("2026-11", "STANDARD", "APPROVED", 7200, False, False),
        DecisionRow("2026-11", "EXPEDITED", "DENIED", 3600, False, False),
    ]
    standard, expedited = figures(rows, ["2026-11"])
    assert (standard.decided, standard.approved, standard.denied, standard.approved_after_appeal) == (3, 2, 1, 1)
    assert standard.approved_percent == 66.7
    assert standard.auto_approved == 1
    assert (standard.average_hours_to_decision, standard.median_hours_to_decision) == (4.0, 2.0)
    assert (expedited.decided, expedited.denied_percent) == (1, 100.0)
