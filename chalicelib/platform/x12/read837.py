"""Read an 837 interchange: validate it with pyx12 and lift out its claims in the same pass.

pyx12 4.0's maps are the 837P X222A1 and 837I X223A2 guides. The later errata (837P A2,
837I A3) change code lists and situational notes, not the loop and segment structure the
maps check, so a file naming the later erratum is validated against the earlier map and
acknowledged with the version it named.

Every segment is owned by the header, a billing provider (2000A), a subscriber (2000B),
a patient (2000C) or a claim (2300 and its lines). A pyx12 error rejects what owns the
segment it is on: one claim, every claim under a subscriber or billing provider, or the
whole transaction set when the error is in its header or envelope.
"""

from __future__ import annotations

import bisect
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

ERRATA_MAPS = {"005010X222A2": "005010X222A1", "005010X223A3": "005010X223A2"}
PROFESSIONAL, INSTITUTIONAL = "PROFESSIONAL", "INSTITUTIONAL"  # the claims area's ClaimType values

ACCEPTED_VERSIONS = {
    "005010X222A1": PROFESSIONAL, "005010X222A2": PROFESSIONAL,
    "005010X223A2": INSTITUTIONAL, "005010X223A3": INSTITUTIONAL,
}
HEADER = "header"
ICD10_QUALIFIERS = {"ABK", "ABF", "ABJ", "ABN", "APR"}
ICD9_QUALIFIERS = {"BK", "BF", "BJ", "BN", "BR"}


class NotAnInterchange(ValueError):
    """The bytes are not an X12 interchange pyx12 can read, or not one this portal takes."""


@dataclass
class LineFields:
    procedure_code: str | None = None
    revenue_code: str | None = None
    modifiers: tuple[str, ...] = ()
    charge_cents: int = 0
    units: int = 1
    place_of_service: str | None = None
    diagnosis_pointers: tuple[int, ...] = ()
    service_date: date | None = None
    service_date_to: date | None = None


@dataclass
class ClaimFields:
    claim_type: str
    transaction_control: str
    first_segment: int
    billing_npi: str | None
    billing_tax_id: str | None
    member_id: str | None
    patient_control_number: str = ""
    total_charge_cents: int = 0
    place_of_service: str | None = None
    facility_type_code: str | None = None
    frequency: str = "1"
    original_claim_number: str | None = None
    prior_authorization_number: str | None = None
    diagnosis_codes: list[str] = field(default_factory=list)
    icd9_codes: list[str] = field(default_factory=list)
    statement_from: date | None = None
    statement_to: date | None = None
    admission_date: date | None = None
    discharge_status: str | None = None
    other_payer_paid_cents: int | None = None
    lines: list[LineFields] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    owners: tuple[str, ...] = ()


@dataclass
class TransactionSet:
    control_number: str
    version: str
    claims: list[ClaimFields] = field(default_factory=list)
    segment_owners: list[tuple[int, str]] = field(default_factory=list)
    segment_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    set_problems: list[str] = field(default_factory=list)

    def owners_by_segment(self) -> Callable[[int], str]:
        """Segment number -> its owner (``segment_owners`` is in segment order)."""
        starts = [start for start, _ in self.segment_owners]

        def owner_of(segment: int) -> str:
            index = bisect.bisect_right(starts, segment) - 1
            return self.segment_owners[index][1] if index >= 0 else HEADER

        return owner_of


@dataclass
class FunctionalGroup:
    control_number: str
    functional_id: str
    version: str
    sender_code: str = ""
    receiver_code: str = ""
    transactions: list[TransactionSet] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Interchange:
    sender_qualifier: str = ""
    sender_id: str = ""
    receiver_qualifier: str = ""
    receiver_id: str = ""
    control_number: str = ""
    usage: str = "P"
    date: str = ""
    time: str = ""
    acknowledgment_requested: bool = False
    groups: list[FunctionalGroup] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    valid: bool = False

    def claims(self) -> list[tuple[TransactionSet, ClaimFields]]:
        return [(transaction, claim) for group in self.groups for transaction in group.transactions
                for claim in transaction.claims]


def cents(raw: str | None) -> int:
    try:
        return int((Decimal(raw or "0") * 100).to_integral_value())
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not an amount") from None


def units(raw: str | None, element: str) -> int:
    """A service line's unit count (SV104 / SV205): a whole number of at least 1."""
    try:
        count = Decimal(raw or "1")
    except InvalidOperation:
        raise ValueError(f"{element} units {raw!r} is not a number") from None
    if count != count.to_integral_value() or count < 1:
        raise ValueError(f"{element} units {raw!r} must be a whole number of at least 1")
    return int(count)


def pointer(raw: str, element: str) -> int:
    """A diagnosis code pointer (SV107): the position 1-12 of a code in the claim's HI segment."""
    if not raw.isdigit() or not 1 <= int(raw) <= 12:
        raise ValueError(f"{element} diagnosis code pointer {raw!r} must be a number from 1 to 12")
    return int(raw)


def x12_date(raw: str) -> date:
    if len(raw) != 8 or not raw.isdigit():
        raise ValueError(f"{raw!r} is not a CCYYMMDD date")
    return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))


def date_span(qualifier: str, raw: str) -> tuple[date, date]:
    if qualifier == "RD8" and "-" in raw:
        first, last = raw.split("-", 1)
        return x12_date(first), x12_date(last)
    day = x12_date(raw)
    return day, day


class _Collector:
    """pyx12's per-segment callback: builds the envelope and the claims as the validator walks."""

    def __init__(self, interchange: Interchange) -> None:
        self.interchange = interchange
        self.transaction: TransactionSet | None = None
        self.claim: ClaimFields | None = None
        self.line: LineFields | None = None
        self.billing: dict[str, str | None] = {}
        self.member_id: str | None = None
        self.owners: dict[str, str] = {}
        self.counter = 0

    def __call__(self, segment: Any, source: Any, node: Any, valid: bool) -> None:
        seg_id = segment.get_seg_id()
        loop = node.get_parent().id if node is not None and node.get_parent() is not None else ""
        number = source.get_seg_count()
        try:
            self._segment(seg_id, loop, segment, number)
        except ValueError as error:
            if self.claim is not None:
                self.claim.problems.append(f"{seg_id} (segment {number}): {error}")
        except IndexError:
            if self.claim is not None:
                self.claim.problems.append(f"{seg_id} (segment {number}): the segment is incomplete")

    def _own(self, kind: str, segment_number: int) -> str:
        self.counter += 1
        owner = f"{kind}#{self.counter}"
        self.owners[kind] = owner
        if self.transaction is not None:
            self.transaction.segment_owners.append((segment_number, owner))
        return owner

    def _segment(self, seg_id: str, loop: str, seg: Any, number: int) -> None:
        value = seg.get_value
        if seg_id == "ISA":
            self.interchange.sender_qualifier, self.interchange.sender_id = value("ISA05"), (value("ISA06") or "")
            self.interchange.receiver_qualifier = value("ISA07") or ""
            self.interchange.receiver_id = value("ISA08") or ""
            self.interchange.control_number, self.interchange.usage = value("ISA13") or "", value("ISA15") or "P"
            self.interchange.date, self.interchange.time = value("ISA09") or "", value("ISA10") or ""
            self.interchange.acknowledgment_requested = value("ISA14") == "1"
        elif seg_id == "GS":
            self.interchange.groups.append(FunctionalGroup(
                value("GS06") or "", value("GS01") or "", value("GS08") or "",
                sender_code=value("GS02") or "", receiver_code=value("GS03") or ""))
        elif seg_id == "ST":
            group = self.interchange.groups[-1]
            self.transaction = TransactionSet(value("ST02") or "", group.version)
            group.transactions.append(self.transaction)
            self.transaction.segment_owners.append((1, HEADER))
            self.claim = self.line = None
        elif seg_id == "SE" and self.transaction is not None:
            self.transaction.segment_count = number
            self.transaction.segment_owners.append((number, HEADER))
            self.transaction = None
        elif seg_id == "HL":
            self._hierarchy(value("HL03"), number)
        elif self.transaction is not None:
            self._claim_segment(seg_id, loop, seg, number)

    def _hierarchy(self, level: str | None, number: int) -> None:
        self.claim = self.line = None
        if level == "20":
            self.billing = {}
            self._own("billing", number)
            self.owners.pop("subscriber", None)
            self.owners.pop("patient", None)
        elif level == "22":
            self.member_id = None
            self._own("subscriber", number)
            self.owners.pop("patient", None)
        elif level == "23":
            self._own("patient", number)

    def _claim_segment(self, seg_id: str, loop: str, seg: Any, number: int) -> None:
        value = seg.get_value
        if loop == "2010AA":
            if seg_id == "NM1":
                self.billing["npi"] = value("NM109")
            elif seg_id == "REF" and value("REF01") == "EI":
                self.billing["tax_id"] = value("REF02")
        elif loop == "2010BA" and seg_id == "NM1":
            self.member_id = value("NM109")
        elif seg_id == "CLM":
            self._start_claim(seg, number)
        elif self.claim is None:
            return
        elif loop == "2300":
            self._claim_header(seg_id, seg)
        elif loop == "2320" and seg_id == "AMT" and value("AMT01") == "D":
            self.claim.other_payer_paid_cents = (self.claim.other_payer_paid_cents or 0) + cents(value("AMT02"))
        elif loop == "2400":
            self._line(seg_id, seg)

    def _start_claim(self, seg: Any, number: int) -> None:
        assert self.transaction is not None
        value = seg.get_value
        claim_type = ACCEPTED_VERSIONS[self.transaction.version]
        self._own("claim", number)
        self.claim = ClaimFields(
            claim_type=claim_type, transaction_control=self.transaction.control_number, first_segment=number,
            billing_npi=self.billing.get("npi"), billing_tax_id=self.billing.get("tax_id"),
            member_id=self.member_id, patient_control_number=value("CLM01") or "",
            owners=tuple(self.owners[kind] for kind in ("billing", "subscriber", "patient", "claim")
                         if kind in self.owners),
        )
        self.line = None
        self.transaction.claims.append(self.claim)
        self.claim.total_charge_cents = cents(value("CLM02"))
        place = value("CLM05-1")
        if claim_type == INSTITUTIONAL:
            self.claim.facility_type_code = place
        else:
            self.claim.place_of_service = place
        self.claim.frequency = value("CLM05-3") or "1"

    def _claim_header(self, seg_id: str, seg: Any) -> None:
        claim = self.claim
        assert claim is not None
        value = seg.get_value
        if seg_id == "REF" and value("REF01") == "F8":
            claim.original_claim_number = value("REF02")
        elif seg_id == "REF" and value("REF01") == "G1":
            claim.prior_authorization_number = value("REF02")
        elif seg_id == "HI":
            for position in range(1, 13):
                qualifier, code = value(f"HI{position:02d}-1"), value(f"HI{position:02d}-2")
                if not qualifier or not code:
                    continue
                if qualifier in ICD10_QUALIFIERS:
                    claim.diagnosis_codes.append(code)
                elif qualifier in ICD9_QUALIFIERS:
                    claim.icd9_codes.append(code)
        elif seg_id == "DTP" and value("DTP01") == "434":
            claim.statement_from, claim.statement_to = date_span(value("DTP02") or "", value("DTP03") or "")
        elif seg_id == "DTP" and value("DTP01") == "435":
            claim.admission_date = x12_date((value("DTP03") or "")[:8])
        elif seg_id == "CL1":
            claim.discharge_status = value("CL103")

    def _line(self, seg_id: str, seg: Any) -> None:
        claim = self.claim
        assert claim is not None
        value = seg.get_value
        if seg_id == "LX":
            self.line = LineFields()
            claim.lines.append(self.line)
            return
        line = self.line
        if line is None:
            return
        if seg_id == "SV1":
            line.procedure_code = value("SV101-2")
            line.modifiers = tuple(m for m in (value(f"SV101-{n}") for n in range(3, 7)) if m)
            line.charge_cents = cents(value("SV102"))
            line.units = units(value("SV104"), "SV104")
            line.place_of_service = value("SV105") or None
            line.diagnosis_pointers = tuple(pointer(p, f"SV107-{n}") for n, p in
                                            ((n, value(f"SV107-{n}")) for n in range(1, 5)) if p)
        elif seg_id == "SV2":
            line.revenue_code = value("SV201")
            line.procedure_code = value("SV202-2") or None
            line.modifiers = tuple(m for m in (value(f"SV202-{n}") for n in range(3, 7)) if m)
            line.charge_cents = cents(value("SV203"))
            line.units = units(value("SV205"), "SV205")
        elif seg_id == "DTP" and value("DTP01") == "472":
            line.service_date, line.service_date_to = date_span(value("DTP02") or "", value("DTP03") or "")


def read_837(text: str) -> Interchange:
    """Validate and read; raises NotAnInterchange when there is nothing to acknowledge."""
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    stripped = text.lstrip()
    if not stripped.startswith("ISA"):
        raise NotAnInterchange("the file does not start with an ISA segment")
    mapped = stripped
    for later, earlier in ERRATA_MAPS.items():
        mapped = mapped.replace(later, earlier)
    interchange = Interchange()
    collector = _Collector(interchange)
    errors = io.StringIO()
    params = pyx12.params.params()
    pyx12_log = logging.getLogger("pyx12")
    pyx12_log.setLevel(logging.CRITICAL)
    try:
        interchange.valid = pyx12.x12n_document.x12n_document(params, io.StringIO(mapped), None, None, None, errors,
                                                              callback=collector)
    except pyx12.errors.EngineError as error:
        raise NotAnInterchange(f"no 837P (X222) or 837I (X223) map for this file: {error}") from None
    except pyx12.errors.X12Error as error:
        raise NotAnInterchange(f"the interchange cannot be read: {error}") from None
    if not interchange.groups:
        raise NotAnInterchange("the file holds no functional group (GS)")
    received_as = {earlier: later for later, earlier in ERRATA_MAPS.items() if later in stripped}
    for group in interchange.groups:
        group.version = received_as.get(group.version, group.version)
        for transaction in group.transactions:
            transaction.version = received_as.get(transaction.version, transaction.version)
        if group.functional_id != "HC" or group.version not in ACCEPTED_VERSIONS:
            raise NotAnInterchange(f"GS08 {group.version or '(none)'} is not an 837P (005010X222A1/A2) or 837I "
                                   f"(005010X223A2/A3)")
    _attach_errors(interchange, errors.getvalue())
    for group in interchange.groups:
        for transaction in group.transactions:
            _assign_errors(transaction)
    return interchange


def segment_messages(segment: dict[str, Any]) -> list[str]:
    where = f"{segment.get('seg_id')} (segment {segment.get('seg_count')}, line {segment.get('cur_line')})"
    messages = [f"{where}: {error.get('err_str')}" for error in segment.get("errors", [])]
    for element in segment.get("elements", []):
        messages.extend(f"{where}: {error.get('err_str')}" for error in element.get("errors", []))
    return messages


def _assign_errors(transaction: TransactionSet) -> None:
    """Each segment error goes to what owns its segment: a claim, a subscriber, a provider, or the set."""
    by_owner: dict[str, list[str]] = {}
    owner_of = transaction.owners_by_segment()
    for segment in transaction.errors:
        owner = owner_of(int(segment.get("seg_count") or 0))
        messages = segment_messages(segment)
        if owner == HEADER:
            transaction.set_problems.extend(messages)
        else:
            by_owner.setdefault(owner, []).extend(messages)
    for claim in transaction.claims:
        for owner in claim.owners:
            claim.problems.extend(by_owner.get(owner, []))


def _attach_errors(interchange: Interchange, report: str) -> None:
    """Hang pyx12's JSON error report on the interchange, its groups and its transaction sets."""
    if not report.strip():
        return
    tree = json.loads(report)
    for isa in tree.get("interchanges", []):
        interchange.errors.extend(isa.get("errors", []))
        for group_report in isa.get("groups", []):
            group = next((g for g in interchange.groups if g.control_number == group_report.get("gs_control_num")),
                         None)
            if group is None:
                interchange.errors.extend(group_report.get("errors", []))
                continue
            group.errors.extend(group_report.get("errors", []))
            for set_report in group_report.get("transactions", []):
                transaction = next((t for t in group.transactions
                                    if t.control_number == set_report.get("trn_set_control_num")), None)
                if transaction is None:
                    group.errors.extend(set_report.get("errors", []))
                    continue
                transaction.set_problems.extend(error.get("err_str", "") for error in set_report.get("errors", []))
                transaction.errors.extend(set_report.get("segments", []))
