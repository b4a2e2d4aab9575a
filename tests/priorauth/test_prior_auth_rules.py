from datetime import date

from chalicelib.platform.codesets.icd10cm import diagnosis_problem, is_billable, release
from chalicelib.priorauth.autoauth import AutoRule, CodeRule, LineFacts, RequestFacts, decide
from chalicelib.priorauth.codes import classify
from chalicelib.priorauth.deadlines import extension_problem
from chalicelib.priorauth.enums import AuthStatus, CodeKind, PendReasonCode, Urgency
from chalicelib.priorauth.metrics import DecisionRow, figures

CPAP = CodeRule("E0601", "CPAP", True, ("OUTPATIENT",), (
    AutoRule("CPAP-1", "AHI 15", ("STUDY", "AHI15"), ("G4733",), (), 3, 92),
    AutoRule("CPAP-2", "AHI 5 + symptoms", ("STUDY", "AHI5S"), ("G4733",), (), 3, 92),
), questions={"STUDY": "A sleep study was done", "AHI15": "AHI of 15 or more", "AHI5S": "AHI 5-14 and symptoms"})
REVIEWED = CodeRule("0191", "Skilled nursing", True, ("INPATIENT",))
VISIT = CodeRule("99213", "Office visit", False, ("OUTPATIENT",))


def facts(criteria=("STUDY", "AHI15"), code="E0601", units=3, days=90, diagnoses=("G47.33",), urgency="STANDARD",
          not_met=(), kind=CodeKind.HCPCS):
    return RequestFacts(urgency, diagnoses, frozenset(criteria), days, (LineFacts(1, code, units, kind),),
                        frozenset(not_met))


def test_any_rule_whose_criteria_are_all_met_approves():
    assert decide(facts(), {"E0601": CPAP}).lines[0].auto_rule_id == "CPAP-1"
    assert decide(facts(criteria=("STUDY", "AHI5S")), {"E0601": CPAP}).lines[0].auto_rule_id == "CPAP-2"


def test_each_shortfall_pends_with_its_reason():
    rules = {"E0601": CPAP}
    cases = {
        "not answered: AHI of 15 or more [AHI15]": facts(criteria=("STUDY",)),
        "not met: AHI of 15 or more [AHI15]": facts(criteria=("STUDY",), not_met=("AHI15",)),
        "no diagnosis code under G4733": facts(diagnoses=("R06.83",)),
        "4 units requested; AutoAuth approves up to 3": facts(units=4),
        "93 days requested; AutoAuth approves up to 92": facts(days=93),
    }
    for reason, request in cases.items():
        decision = decide(request, rules)
        assert not decision.approved
        assert reason in decision.pend_reasons[0]


def test_one_reason_per_rule_not_answered_apart_from_not_met_with_codes():
    decision = decide(facts(criteria=(), not_met=("AHI15",)), {"E0601": CPAP})
    first, second = decision.reasons
    assert (first.rule_id, first.reason_code, first.criteria_not_met, first.criteria_not_answered) == (
        "CPAP-1", PendReasonCode.CRITERIA_NOT_MET, ("AHI15",), ("STUDY",))
    assert (second.rule_id, second.reason_code, second.criteria_not_answered) == (
        "CPAP-2", PendReasonCode.CRITERIA_NOT_ANSWERED, ("STUDY", "AHI5S"))
    assert first.text == ('Line 1 (E0601), rule CPAP-1 "AHI 15": not met: AHI of 15 or more [AHI15]; '
                          "not answered: A sleep study was done [STUDY].")
    assert len(set(decision.pend_reasons)) == len(decision.pend_reasons) == 2


def test_codes_no_rule_lists_need_no_authorization_others_pend():
    assert decide(facts(code="99213", criteria=()), {"99213": VISIT}).status == AuthStatus.NO_AUTH_REQUIRED
    unlisted = decide(facts(code="00000", criteria=(), kind=CodeKind.CPT), {})
    assert (unlisted.status, unlisted.lines[0].listed, unlisted.reasons) == (AuthStatus.NO_AUTH_REQUIRED, False, ())
    stc = decide(facts(code="3", criteria=(), kind=CodeKind.SERVICE_TYPE), {})
    assert stc.status == AuthStatus.NO_AUTH_REQUIRED
    reviewed = decide(facts(code="0191", criteria=(), kind=CodeKind.REVENUE), {"0191": REVIEWED})
    assert reviewed.reasons[0].reason_code == PendReasonCode.NO_AUTOMATIC_RULE
    other = decide(facts(code="0SR9019", criteria=(), kind=CodeKind.OTHER), {})
    assert (other.status, other.reasons[0].reason_code) == (AuthStatus.PENDED, PendReasonCode.CODE_SYSTEM_NOT_LISTED)
    mixed = decide(RequestFacts("STANDARD", ("G47.33",), frozenset({"STUDY", "AHI15"}), 90, (
        LineFacts(1, "E0601", 3, CodeKind.HCPCS), LineFacts(2, "99999", 1, CodeKind.CPT))), {"E0601": CPAP})
    assert mixed.status == AuthStatus.APPROVED
    assert [line.requires_authorization for line in mixed.lines] == [True, False]


def test_codes_are_checked_for_their_shape_never_against_a_list():
    assert classify("99999").kind == CodeKind.CPT  # unknown, not invalid
    assert classify("E0601").kind == CodeKind.HCPCS
    assert classify("0120").kind == CodeKind.REVENUE
    assert classify("3").kind == CodeKind.SERVICE_TYPE
    assert classify("BG", CodeKind.SERVICE_TYPE).kind == CodeKind.SERVICE_TYPE
    assert classify("123456").kind is None
    assert "X12 service-type" in classify("ABC", CodeKind.SERVICE_TYPE).problem
    assert classify("E0601", CodeKind.CPT).kind == CodeKind.HCPCS
    assert classify("anything", CodeKind.OTHER).kind == CodeKind.OTHER


def test_extension_rules():
    assert extension_problem(Urgency.STANDARD, 14) == {}
    assert "days" in extension_problem(Urgency.STANDARD, 15)
    assert "days" in extension_problem(Urgency.STANDARD, 0)
    assert "urgency" in extension_problem(Urgency.EXPEDITED, 3)


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


def test_metrics_share_approved_after_an_extension():
    rows = [
        DecisionRow("2026-11", "STANDARD", "APPROVED", 0, False, False, extended=True),
        DecisionRow("2026-11", "STANDARD", "DENIED", 36000, False, False, extended=True),
        DecisionRow("2026-11", "STANDARD", "APPROVED", 7200, False, False),
        DecisionRow("2026-11", "STANDARD", "APPROVED", 7200, False, False),
    ]
    standard, _ = figures(rows, ["2026-11"])
    assert (standard.extended, standard.approved_after_extension) == (2, 1)
    assert standard.approved_after_extension_percent == 25.0
