"""The 999 in plain words (claims/acknowledgment.py, pure): outcomes, each segment and element in error, the TA1."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from chalicelib.claims.acknowledgment import (
    ELEMENT_PROBLEMS,
    SEGMENT_PROBLEMS,
    NotAnAcknowledgment,
    Outcome,
    element_name,
    read_999,
)
from chalicelib.platform.x12.ack999 import build_999
from chalicelib.platform.x12.read837 import read_837

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
ISA = "ISA*00*          *00*          *ZZ*PORTAL         *ZZ*SENDER         *311123*0930*^*00501*000000042*0*P*:~\n"


def acknowledgment_of(sample: str):
    """The 999 this portal writes for a sample file, read back."""
    text = build_999(read_837((SAMPLES / sample).read_text()), 42, datetime(2031, 11, 23, 9, 30, tzinfo=UTC))
    return read_999(text)


def wrapped(*segments: str) -> str:
    return ISA + "GS*FA*PORTAL*SENDER*20311123*0930*42*X*005010X231A1~\n" + "".join(
        f"{segment}~\n" for segment in segments) + "GE*1*42~\nIEA*1*000000042~\n"


def test_a_clean_sample_is_accepted_and_its_ta1_says_received_without_errors():
    ack = acknowledgment_of("demo.example1.837")
    assert (ack.outcome, ack.words) == (Outcome.ACCEPTED, "Accepted")
    assert [(s.control_number, s.transaction, s.version, s.words) for s in ack.sets] == [
        ("0021", "837", "005010X222A2", "accepted")]
    assert ack.segments_in_error == 0
    group = ack.groups[0]
    assert (group.functional_id, group.code, group.included, group.received, group.accepted) == ("HC", "A", 1, 1, 1)
    ta1 = ack.interchange
    assert ta1 is not None
    assert (ta1.control_number, ta1.sent, ta1.words, ta1.note) == (
        "000000907", "10/31/2013 11:47", "received without errors", "no error")


def test_a_garbled_sample_is_rejected_naming_each_segment_its_position_and_element():
    ack = acknowledgment_of("demo.example6.837")
    assert ack.outcome == Outcome.REJECTED
    transaction = ack.sets[0]
    assert transaction.problems == ("one or more segments in error",)
    clm = transaction.segments[0]
    assert (clm.segment_id, clm.name, clm.position, clm.problem) == (
        "CLM", "claim information", "19", "segment has data element errors")
    assert [(e.element, e.reference, e.problem, e.value) for e in clm.elements] == [
        ("CLM05-1", "1331", "data element too long", "11>B>1"),
        ("CLM05-2", "1332", "required data element missing", None),
        ("CLM05-3", "1325", "required data element missing", None),
    ]
    assert [(s.segment_id, s.position, s.problem) for s in transaction.segments[1:]] == [
        ("HI", "24", "unrecognized segment ID"), ("HI", "25", "required segment missing"),
        ("SV1", "26", "unrecognized segment ID"), ("SV1", "27", "required segment missing")]
    assert ack.groups[0].words == "rejected"


def test_an_institutional_sample_names_an_invalid_code_and_an_exclusion():
    notes = acknowledgment_of("institutional-claim.837i").sets[0].segments
    assert [(n.segment_id, e.element, e.problem, e.value) for n in notes for e in n.elements] == [
        ("N4", "N403", "invalid code value", "17111"),
        ("CLM", "CLM06", "exclusion condition violated", None),
        ("DTP", "DTP02", "invalid code value", "D8"),
    ]


def test_accepted_with_errors_when_one_set_is_accepted_and_another_rejected():
    ack = read_999(wrapped(
        "ST*999*0001*005010X231A1", "AK1*HC*7*005010X222A1",
        "AK2*837*0001*005010X222A1", "IK5*A",
        "AK2*837*0002*005010X222A1", "IK3*SV1*12*2400*8", "IK4*4*380*6*1.5", "IK5*R*5",
        "AK9*P*2*2*1", "SE*10*0001"))
    assert (ack.outcome, ack.words) == (Outcome.ACCEPTED_WITH_ERRORS, "Accepted with errors")
    assert [s.outcome for s in ack.sets] == [Outcome.ACCEPTED, Outcome.REJECTED]
    note = ack.sets[1].segments[0]
    assert (note.loop, note.elements[0].element, note.elements[0].problem, note.elements[0].value) == (
        "2400", "SV104", "invalid character in data element", "1.5")
    assert ack.groups[0].words == "partially accepted: at least one transaction set was rejected"
    assert ack.interchange is None  # no TA1 asked for


def test_a_file_cut_short_says_its_trailer_is_missing():
    ack = read_999(wrapped("ST*999*0001*005010X231A1", "AK1*HC*1*005010X222A1", "AK2*837*0001*005010X222A1",
                           "IK5*R*2", "AK9*R*1*1*0", "SE*6*0001"))
    assert ack.outcome == Outcome.REJECTED
    assert ack.sets[0].problems == ("transaction set trailer missing: the file ends before the SE segment "
                                    "(was it cut short?)",)


def test_a_rejected_interchange_names_its_note_and_codes_nobody_knows_are_said_as_codes():
    ack = read_999(wrapped("TA1*000000905*311122*1200*R*024", "ST*999*0001*005010X231A1", "AK1*HC*1*005010X222A1",
                           "AK2*837*0001*005010X222A1", "IK3*ZZ9*3**Q7", "IK5*R*5", "AK9*R*1*1*0", "SE*7*0001"))
    assert ack.interchange is not None
    assert (ack.interchange.words, ack.interchange.note) == (
        "rejected because of errors: send it again", "invalid interchange content (e.g. an invalid GS segment)")
    note = ack.sets[0].segments[0]
    assert (note.name, note.problem) == ("segment", "code Q7 (not one this portal knows)")


def test_other_separators_are_read_from_the_isa():
    text = wrapped("ST*999*0001*005010X231A1", "AK1*HC*1*005010X222A1", "AK2*837*0001*005010X222A1",
                   "IK3*CLM*4**8", "IK4*5>3*1325*7*9", "IK5*R*5", "AK9*R*1*1*0", "SE*7*0001")
    text = text.replace("*:~", "*>~", 1).replace("*", "|").replace("~", "\u001c")  # ISA16 ">", other separators
    note = read_999(text).sets[0].segments[0]
    assert (note.segment_id, note.elements[0].element, note.elements[0].problem) == (
        "CLM", "CLM05-3", "invalid code value")


def test_text_that_is_not_x12_is_refused():
    with pytest.raises(NotAnAcknowledgment):
        read_999("member,dateOfService\n")


@pytest.mark.parametrize(("segment", "position", "component", "name"), [
    ("CLM", "5", "1", "CLM05-1"), ("SV1", "4", "", "SV104"), ("HI", "12", "", "HI12")])
def test_element_names_are_written_as_people_write_them(segment, position, component, name):
    assert element_name(segment, position, component) == name


def test_every_code_the_portals_999_writes_has_words():
    """ack999.py writes IK304 from pyx12's segment codes and IK403 from its element codes: each has words here."""
    assert {"1", "2", "3", "4", "5", "6", "7", "8"} <= set(SEGMENT_PROBLEMS)
    assert {str(code) for code in range(1, 11)} | {"12", "13"} <= set(ELEMENT_PROBLEMS)
