"""A 999 implementation acknowledgment (and the TA1 before it) read back into plain words.

Pure: the text of a 999 in, what it says out: accepted, accepted with errors or rejected; per transaction
set, each segment in error (IK3: its ID, its position in the set, its loop) with each element in error
(IK4: position, reference number, the value sent) and what is wrong, in the words of the X12 code lists
below (005010X231A1: IK304, IK403, IK501, IK502, AK901, AK905; TA104, TA105 of the interchange).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    ACCEPTED = "ACCEPTED"
    ACCEPTED_WITH_ERRORS = "ACCEPTED_WITH_ERRORS"
    REJECTED = "REJECTED"


OUTCOME_WORDS = {
    Outcome.ACCEPTED: "Accepted",
    Outcome.ACCEPTED_WITH_ERRORS: "Accepted with errors",
    Outcome.REJECTED: "Rejected",
}
RECORDED = {"A": Outcome.ACCEPTED, "E": Outcome.ACCEPTED_WITH_ERRORS, "R": Outcome.REJECTED}
"""The file's 999 outcome as its record keeps it (``acknowledgment``: A, E or R)."""

SEGMENT_PROBLEMS = {  # IK304, element 620
    "1": "unrecognized segment ID",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs over maximum times",
    "5": "segment exceeds maximum use",
    "6": "segment not in the defined transaction set",
    "7": "segment not in proper sequence",
    "8": "segment has data element errors",
    "I4": "implementation \"not used\" segment present",
    "I6": "implementation dependent segment missing",
    "I7": "implementation loop occurs under minimum times",
    "I8": "implementation segment below minimum use",
    "I9": "implementation dependent \"not used\" segment present",
}

ELEMENT_PROBLEMS = {  # IK403, element 621
    "1": "required data element missing",
    "2": "conditional required data element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character in data element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I6": "code value not used in this implementation",
    "I9": "implementation dependent data element missing",
    "I10": "implementation \"not used\" data element present",
    "I11": "implementation too few repetitions",
    "I12": "implementation pattern match failure",
    "I13": "implementation dependent \"not used\" data element present",
}

SET_CODES = {  # IK501, element 717
    "A": "accepted",
    "E": "accepted, but errors were noted",
    "M": "rejected: the message authentication code failed",
    "R": "rejected",
    "W": "rejected: it failed the assurance validity tests",
    "X": "rejected: its content could not be analyzed after decryption",
}

SET_PROBLEMS = {  # IK502-IK506, element 618
    "1": "transaction set not supported",
    "2": "transaction set trailer missing: the file ends before the SE segment (was it cut short?)",
    "3": "the transaction set control numbers in the header (ST02) and trailer (SE02) do not match",
    "4": "the number of included segments (SE01) does not match the actual count",
    "5": "one or more segments in error",
    "6": "missing or invalid transaction set identifier",
    "7": "missing or invalid transaction set control number",
    "18": "transaction set not in a functional group",
    "19": "invalid transaction set implementation convention reference",
    "23": "transaction set control number not unique within the functional group",
    "I5": "implementation: one or more segments in error",
    "I6": "implementation convention not supported",
}

GROUP_CODES = {  # AK901, element 715
    "A": "accepted",
    "E": "accepted, but errors were noted",
    "M": "rejected: the message authentication code failed",
    "P": "partially accepted: at least one transaction set was rejected",
    "R": "rejected",
    "W": "rejected: it failed the assurance validity tests",
    "X": "rejected: its content could not be analyzed after decryption",
}

GROUP_PROBLEMS = {  # AK905-AK909, element 716
    "1": "functional group not supported",
    "2": "functional group version not supported",
    "3": "functional group trailer missing",
    "4": "the group control numbers in the header (GS06) and trailer (GE02) do not agree",
    "5": "the number of included transaction sets (GE01) does not match the actual count",
    "6": "group control number violates syntax",
    "19": "functional group control number not unique within the interchange",
}

INTERCHANGE_CODES = {  # TA104, element I17
    "A": "received without errors",
    "E": "received and acceptable, but errors were noted",
    "R": "rejected because of errors: send it again",
}

INTERCHANGE_NOTES = {  # TA105, element I18
    "000": "no error",
    "001": "the interchange control numbers in the header (ISA13) and trailer (IEA02) do not match",
    "002": "this standard, as named in the control standards identifier, is not supported",
    "003": "this version of the controls is not supported",
    "004": "the segment terminator is invalid",
    "005": "invalid interchange ID qualifier for the sender",
    "006": "invalid interchange sender ID",
    "007": "invalid interchange ID qualifier for the receiver",
    "008": "invalid interchange receiver ID",
    "009": "unknown interchange receiver ID",
    "010": "invalid authorization information qualifier value",
    "011": "invalid authorization information value",
    "012": "invalid security information qualifier value",
    "013": "invalid security information value",
    "014": "invalid interchange date value",
    "015": "invalid interchange time value",
    "016": "invalid interchange standards identifier value",
    "017": "invalid interchange version ID value",
    "018": "invalid interchange control number value",
    "019": "invalid acknowledgment requested value",
    "020": "invalid test indicator value",
    "021": "invalid number of included groups value",
    "022": "invalid control structure",
    "023": "improper (premature) end of file",
    "024": "invalid interchange content (e.g. an invalid GS segment)",
    "025": "duplicate interchange control number",
    "026": "invalid data element separator",
    "027": "invalid component element separator",
    "028": "invalid delivery date in a deferred delivery request",
    "029": "invalid delivery time in a deferred delivery request",
    "030": "invalid delivery time code in a deferred delivery request",
    "031": "invalid grade of service code",
}

SEGMENT_NAMES = {  # the 837's segments, as the implementation guides name them
    "AMT": "amount", "BHT": "beginning of hierarchical transaction", "CAS": "claim adjustment",
    "CL1": "institutional claim code", "CLM": "claim information", "CN1": "contract information",
    "CR1": "ambulance transport information", "CRC": "conditions indicator", "CTP": "drug quantity",
    "DMG": "demographic information", "DN1": "orthodontic information", "DN2": "tooth status",
    "DTP": "date or time period", "HCP": "pricing information", "HI": "health care diagnosis or information codes",
    "HL": "hierarchical level", "K3": "file information", "LIN": "drug identification", "LX": "service line number",
    "MEA": "measurements", "MIA": "inpatient adjudication information", "MOA": "outpatient adjudication information",
    "N3": "address", "N4": "city, state and ZIP code", "NM1": "name of a person or organization", "NTE": "note",
    "OI": "other insurance coverage information", "PAT": "patient information", "PER": "contact information",
    "PRV": "provider information", "PS1": "purchased service information", "PWK": "claim supplemental information",
    "QTY": "quantity", "REF": "reference identification", "SBR": "subscriber information",
    "SE": "transaction set trailer", "ST": "transaction set header", "SV1": "professional service",
    "SV2": "institutional service line", "SV3": "dental service", "SV5": "durable medical equipment service",
    "SVD": "line adjudication information", "TOO": "tooth information",
}

REJECTING_CODES = frozenset({"R", "M", "W", "X"})


@dataclass(frozen=True)
class ElementNote:
    """IK4: an element in error."""

    element: str
    """The element as people name it: segment ID and position, a component after a dash ("CLM05-1")."""
    reference: str
    code: str
    problem: str
    value: str | None


@dataclass(frozen=True)
class SegmentNote:
    """IK3: a segment in error, with its elements in error."""

    segment_id: str
    name: str
    position: str
    """The segment's position in the transaction set (ST is 1)."""
    loop: str
    code: str
    problem: str
    elements: tuple[ElementNote, ...]


@dataclass(frozen=True)
class SetAcknowledgment:
    """AK2 ... IK5: what the 999 says of one transaction set."""

    transaction: str
    control_number: str
    version: str
    code: str
    words: str
    problems: tuple[str, ...]
    segments: tuple[SegmentNote, ...]

    @property
    def outcome(self) -> Outcome:
        if self.code == "A":
            return Outcome.ACCEPTED
        return Outcome.REJECTED if self.code in REJECTING_CODES else Outcome.ACCEPTED_WITH_ERRORS


@dataclass(frozen=True)
class GroupAcknowledgment:
    """AK1 ... AK9: what the 999 says of one functional group."""

    functional_id: str
    control_number: str
    version: str
    code: str
    words: str
    included: int
    received: int
    accepted: int
    problems: tuple[str, ...]


@dataclass(frozen=True)
class InterchangeAcknowledgment:
    """The TA1: the interchange's envelope (ISA/IEA) received, or not."""

    control_number: str
    sent: str
    """When the interchange says it was sent (ISA09 and ISA10), as MM/DD/YYYY HH:MM."""
    code: str
    words: str
    note_code: str
    note: str


@dataclass(frozen=True)
class Acknowledgment:
    outcome: Outcome
    interchange: InterchangeAcknowledgment | None
    groups: tuple[GroupAcknowledgment, ...]
    sets: tuple[SetAcknowledgment, ...]

    @property
    def words(self) -> str:
        return OUTCOME_WORDS[self.outcome]

    @property
    def segments_in_error(self) -> int:
        return sum(len(item.segments) for item in self.sets)


class NotAnAcknowledgment(ValueError):
    """The text is not an X12 interchange (no ISA segment to read its separators from)."""


def _words(table: dict[str, str], code: str) -> str:
    return table.get(code, f"code {code} (not one this portal knows)")


def _number(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _sent(day: str, time: str) -> str:
    """ISA09/TA102 (YYMMDD) and ISA10/TA103 (HHMM) as an office reads them."""
    if len(day) != 6 or len(time) != 4 or not (day + time).isdigit():
        return f"{day} {time}".strip()
    return f"{day[2:4]}/{day[4:6]}/20{day[0:2]} {time[0:2]}:{time[2:4]}"


def element_name(segment_id: str, position: str, component: str) -> str:
    """IK401's position as people write it: ``CLM`` and ``5``, ``1`` -> ``CLM05-1``."""
    name = f"{segment_id}{_number(position):02d}" if position.isdigit() else f"{segment_id}{position}"
    return f"{name}-{_number(component)}" if component else name


def _segments(text: str) -> tuple[list[list[str]], str]:
    """The interchange's segments, each a list of elements, and its component separator (ISA16)."""
    body = text.lstrip()
    if not body.startswith("ISA") or len(body) < 106:
        raise NotAnAcknowledgment("the text does not start with an ISA segment")
    element, component, terminator = body[3], body[104], body[105]
    segments = [part.strip().split(element) for part in body.split(terminator)]
    return [segment for segment in segments if segment and segment[0]], component


def _at(elements: list[str], index: int) -> str:
    return elements[index].strip() if len(elements) > index else ""


class _Reader:
    """Walks the segments once: each AK2 opens a set, IK3 a segment note, IK4 an element note of it."""

    def __init__(self, component: str) -> None:
        self.component = component
        self.interchange: InterchangeAcknowledgment | None = None
        self.groups: list[GroupAcknowledgment] = []
        self.sets: list[SetAcknowledgment] = []
        self.group: list[str] = []
        self.current: list[str] | None = None
        self.notes: list[SegmentNote] = []
        self.elements: list[ElementNote] = []
        self.note: list[str] | None = None

    def read(self, segment: list[str]) -> None:
        handler = getattr(self, f"_{segment[0].lower()}", None)
        if handler is not None:
            handler(segment)

    def _ta1(self, s: list[str]) -> None:
        code, note = _at(s, 4), _at(s, 5)
        self.interchange = InterchangeAcknowledgment(_at(s, 1), _sent(_at(s, 2), _at(s, 3)), code,
                                                     _words(INTERCHANGE_CODES, code), note,
                                                     _words(INTERCHANGE_NOTES, note))

    def _ak1(self, s: list[str]) -> None:
        self.group = s

    def _ak2(self, s: list[str]) -> None:
        self._close_note()
        self.current, self.notes = s, []

    def _ik3(self, s: list[str]) -> None:
        self._close_note()
        self.note, self.elements = s, []

    def _ik4(self, s: list[str]) -> None:
        if self.note is None:
            return
        position, _, component = _at(s, 1).partition(self.component)
        code = _at(s, 3)
        self.elements.append(ElementNote(element_name(_at(self.note, 1), position, component), _at(s, 2), code,
                                         _words(ELEMENT_PROBLEMS, code), _at(s, 4) or None))

    def finish(self) -> None:
        self._close_note()

    def _close_note(self) -> None:
        if self.note is not None:
            segment_id, code = _at(self.note, 1), _at(self.note, 4)
            self.notes.append(SegmentNote(segment_id, SEGMENT_NAMES.get(segment_id, "segment"), _at(self.note, 2),
                                          _at(self.note, 3), code, _words(SEGMENT_PROBLEMS, code),
                                          tuple(self.elements)))
        self.note, self.elements = None, []

    def _ik5(self, s: list[str]) -> None:
        self._close_note()
        code = _at(s, 1)
        opened = self.current or []
        self.sets.append(SetAcknowledgment(_at(opened, 1), _at(opened, 2), _at(opened, 3), code,
                                           _words(SET_CODES, code),
                                           tuple(_words(SET_PROBLEMS, value) for value in s[2:7] if value.strip()),
                                           tuple(self.notes)))
        self.current, self.notes = None, []

    def _ak9(self, s: list[str]) -> None:
        code = _at(s, 1)
        self.groups.append(GroupAcknowledgment(
            _at(self.group, 1), _at(self.group, 2), _at(self.group, 3), code, _words(GROUP_CODES, code),
            _number(_at(s, 2)), _number(_at(s, 3)), _number(_at(s, 4)),
            tuple(_words(GROUP_PROBLEMS, value) for value in s[5:10] if value.strip())))


def overall(sets: tuple[SetAcknowledgment, ...], groups: tuple[GroupAcknowledgment, ...]) -> Outcome:
    """Accepted when every set is; rejected when every set is (or there is none, or a group was rejected whole);
    else accepted with errors. (``claims.batch`` records the same as the file's A, E or R.)"""
    if not sets:
        return Outcome.REJECTED
    outcomes = {item.outcome for item in sets}
    if outcomes == {Outcome.ACCEPTED} and all(group.code == "A" for group in groups):
        return Outcome.ACCEPTED
    if outcomes == {Outcome.REJECTED}:
        return Outcome.REJECTED
    return Outcome.ACCEPTED_WITH_ERRORS


def read_999(text: str) -> Acknowledgment:
    """What a 999 (with the TA1 its interchange may carry) says, in words."""
    segments, component = _segments(text)
    reader = _Reader(component)
    for segment in segments:
        reader.read(segment)
    reader.finish()
    sets, groups = tuple(reader.sets), tuple(reader.groups)
    return Acknowledgment(overall(sets, groups), reader.interchange, groups, sets)
