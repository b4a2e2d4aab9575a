"""AutoAuth: decide at once from rules kept as data. It approves or pends; it never denies.

A request is approved when every service line that needs authorization is met by one of its
code's rules: every criterion the rule lists answered as met, a diagnosis under one of the
rule's prefixes (if it names any), the urgency allowed, the units and the requested days
within the rule's limits. Anything short of that pends the whole request for a clinical
reviewer, with the reasons, so the office sees what the reviewer will look at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chalicelib.priorauth.enums import RequestType


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


@dataclass(frozen=True)
class LineFacts:
    line: int
    code: str
    units: int


@dataclass(frozen=True)
class RequestFacts:
    request_type: RequestType
    urgency: str
    diagnosis_codes: tuple[str, ...]
    criteria_met: frozenset[str]
    days: int
    lines: tuple[LineFacts, ...]


@dataclass(frozen=True)
class LineOutcome:
    line: int
    requires_authorization: bool
    auto_rule_id: str | None


@dataclass(frozen=True)
class AutoAuthDecision:
    approved: bool
    lines: tuple[LineOutcome, ...]
    pend_reasons: tuple[str, ...] = field(default=())


def _rule_shortfall(rule: AutoRule, facts: RequestFacts, line: LineFacts) -> str | None:
    missing = [criterion for criterion in rule.criteria_all if criterion not in facts.criteria_met]
    if missing:
        return f"criteria not met: {', '.join(missing)}"
    if rule.diagnosis_prefixes and not any(
        code.replace(".", "").startswith(prefix) for code in facts.diagnosis_codes for prefix in rule.diagnosis_prefixes
    ):
        return f"no diagnosis under {', '.join(rule.diagnosis_prefixes)}"
    if rule.urgencies and facts.urgency not in rule.urgencies:
        return f"{facts.urgency.lower()} requests are reviewed by a clinician"
    if line.units > rule.max_units:
        return f"{line.units} units requested; AutoAuth approves up to {rule.max_units}"
    if facts.days > rule.max_days:
        return f"{facts.days} days requested; AutoAuth approves up to {rule.max_days}"
    return None


def _decide_line(line: LineFacts, rule: CodeRule | None, facts: RequestFacts) -> tuple[LineOutcome, str | None]:
    if rule is None:
        if facts.request_type == RequestType.OUTPATIENT:
            return LineOutcome(line.line, False, None), None
        return LineOutcome(line.line, True, None), f"line {line.line} ({line.code}): no AutoAuth rule; clinical review"
    if not rule.requires_authorization:
        return LineOutcome(line.line, False, None), None
    shortfalls = []
    for auto_rule in rule.auto_rules:
        shortfall = _rule_shortfall(auto_rule, facts, line)
        if shortfall is None:
            return LineOutcome(line.line, True, auto_rule.rule_id), None
        shortfalls.append(shortfall)
    reason = "; ".join(shortfalls) if shortfalls else "no AutoAuth rule; clinical review"
    return LineOutcome(line.line, True, None), f"line {line.line} ({line.code}): {reason}"


def decide(facts: RequestFacts, rules: Mapping[str, CodeRule]) -> AutoAuthDecision:
    outcomes: list[LineOutcome] = []
    reasons: list[str] = []
    for line in facts.lines:
        outcome, reason = _decide_line(line, rules.get(line.code), facts)
        outcomes.append(outcome)
        if reason:
            reasons.append(reason)
    return AutoAuthDecision(approved=not reasons, lines=tuple(outcomes), pend_reasons=tuple(reasons))
