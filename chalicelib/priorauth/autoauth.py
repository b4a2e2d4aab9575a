"""AutoAuth: decide at once from rules kept as data. It approves, pends, or finds nothing to authorize.

A line whose code no rule lists, or whose rule needs no authorization, needs none ("no
authorization required by our rules"). A line that needs authorization is met by one of its
code's rules: every criterion the rule lists answered as met, a diagnosis under one of the rule's
prefixes (if it names any), the urgency allowed, the units and the requested days within the
rule's limits. Anything short of that pends the whole request for a clinical reviewer with one
reason per rule that fell short, in words an office reads (the criteria's questions, "not met"
apart from "not answered") and a code for machines. A code of a system the rules do not cover
(not CPT, HCPCS, revenue or X12 service type) is pended too: a reviewer reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chalicelib.priorauth.enums import AuthStatus, CodeKind, PendReasonCode


@dataclass(frozen=True)
class AutoRule:
    rule_id: str
    description: str
    criteria_all: tuple[str, ...]
    diagnosis_prefixes: tuple[str, ...]
    urgencies: tuple[str, ...]
    max_units: int
    max_days: int


@dataclass(frozen=True)
class CodeRule:
    code: str
    description: str
    requires_authorization: bool
    request_types: tuple[str, ...]
    auto_rules: tuple[AutoRule, ...] = ()
    questions: Mapping[str, str] = field(default_factory=dict)
    """Each criterion's question, by criterion ID (what the office answered)."""


@dataclass(frozen=True)
class LineFacts:
    line: int
    code: str
    units: int
    kind: CodeKind = CodeKind.CPT


@dataclass(frozen=True)
class RequestFacts:
    urgency: str
    diagnosis_codes: tuple[str, ...]
    criteria_met: frozenset[str]
    days: int
    lines: tuple[LineFacts, ...]
    criteria_not_met: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PendReason:
    line: int
    code: str
    reason_code: PendReasonCode
    text: str
    rule_id: str | None = None
    criteria_not_met: tuple[str, ...] = ()
    criteria_not_answered: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineOutcome:
    line: int
    requires_authorization: bool
    auto_rule_id: str | None
    listed: bool = True


@dataclass(frozen=True)
class AutoAuthDecision:
    status: AuthStatus
    lines: tuple[LineOutcome, ...]
    reasons: tuple[PendReason, ...] = ()

    @property
    def approved(self) -> bool:
        return self.status == AuthStatus.APPROVED

    @property
    def pend_reasons(self) -> tuple[str, ...]:
        return tuple(reason.text for reason in self.reasons)


def _criteria_words(ids: list[str], questions: Mapping[str, str]) -> str:
    return "; ".join(f"{questions.get(criterion, criterion)} [{criterion}]" for criterion in ids)


def _rule_shortfall(rule: AutoRule, code_rule: CodeRule, facts: RequestFacts, line: LineFacts) -> PendReason | None:
    """One reason for the whole rule (every way it fell short), or None when it approves the line."""
    not_met = [criterion for criterion in rule.criteria_all if criterion in facts.criteria_not_met]
    not_answered = [criterion for criterion in rule.criteria_all
                    if criterion not in facts.criteria_met and criterion not in facts.criteria_not_met]
    parts: list[tuple[PendReasonCode, str]] = []
    if not_met:
        parts.append((PendReasonCode.CRITERIA_NOT_MET, "not met: " + _criteria_words(not_met, code_rule.questions)))
    if not_answered:
        parts.append((PendReasonCode.CRITERIA_NOT_ANSWERED,
                      "not answered: " + _criteria_words(not_answered, code_rule.questions)))
    if rule.diagnosis_prefixes and not any(
        code.replace(".", "").startswith(prefix) for code in facts.diagnosis_codes for prefix in rule.diagnosis_prefixes
    ):
        parts.append((PendReasonCode.DIAGNOSIS_NOT_COVERED,
                      f"no diagnosis code under {', '.join(rule.diagnosis_prefixes)}"))
    if rule.urgencies and facts.urgency not in rule.urgencies:
        parts.append((PendReasonCode.URGENCY_REVIEWED, f"{facts.urgency.lower()} requests are reviewed by a clinician"))
    if line.units > rule.max_units:
        parts.append((PendReasonCode.UNITS_OVER_LIMIT,
                      f"{line.units} units requested; AutoAuth approves up to {rule.max_units}"))
    if facts.days > rule.max_days:
        parts.append((PendReasonCode.DAYS_OVER_LIMIT,
                      f"{facts.days} days requested; AutoAuth approves up to {rule.max_days}"))
    if not parts:
        return None
    text = f"Line {line.line} ({line.code}), rule {rule.rule_id} \"{rule.description}\": " + "; ".join(
        words for _, words in parts) + "."
    return PendReason(line.line, line.code, parts[0][0], text, rule.rule_id, tuple(not_met), tuple(not_answered))


def _decide_line(line: LineFacts, rule: CodeRule | None,
                 facts: RequestFacts) -> tuple[LineOutcome, tuple[PendReason, ...]]:
    if line.kind == CodeKind.OTHER:
        return LineOutcome(line.line, True, None, listed=False), (PendReason(
            line.line, line.code, PendReasonCode.CODE_SYSTEM_NOT_LISTED,
            f"Line {line.line} ({line.code}): our rules do not list codes of this code system; a clinical reviewer "
            "reads the request."),)
    if rule is None:
        return LineOutcome(line.line, False, None, listed=False), ()
    if not rule.requires_authorization:
        return LineOutcome(line.line, False, None), ()
    if not rule.auto_rules:
        return LineOutcome(line.line, True, None), (PendReason(
            line.line, line.code, PendReasonCode.NO_AUTOMATIC_RULE,
            f"Line {line.line} ({line.code}): {rule.description} is always decided by a clinical reviewer."),)
    shortfalls = []
    for auto_rule in rule.auto_rules:
        shortfall = _rule_shortfall(auto_rule, rule, facts, line)
        if shortfall is None:
            return LineOutcome(line.line, True, auto_rule.rule_id), ()
        shortfalls.append(shortfall)
    return LineOutcome(line.line, True, None), tuple(shortfalls)


def decide(facts: RequestFacts, rules: Mapping[str, CodeRule]) -> AutoAuthDecision:
    outcomes: list[LineOutcome] = []
    reasons: list[PendReason] = []
    for line in facts.lines:
        outcome, line_reasons = _decide_line(line, rules.get(line.code), facts)
        outcomes.append(outcome)
        reasons.extend(line_reasons)
    if reasons:
        status = AuthStatus.PENDED
    elif any(outcome.requires_authorization for outcome in outcomes):
        status = AuthStatus.APPROVED
    else:
        status = AuthStatus.NO_AUTH_REQUIRED
    return AutoAuthDecision(status, tuple(outcomes), tuple(reasons))
