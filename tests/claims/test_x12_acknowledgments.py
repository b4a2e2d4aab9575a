"""The 999 (and TA1) an 837 gets back: addressed to its sender's application, and saying what went wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.platform.x12.ack999 import build_999
from chalicelib.platform.x12.read837 import read_837
from local.x12_generate import GeneratedClaim, generate_837p

AVA = GeneratedClaim("10000000001", "THOMPSON", "AVA", date(1990, 4, 12), "F", date(2031, 11, 2))
AT = datetime(2031, 11, 23, 17, 0, tzinfo=UTC)


def segments(text: str, name: str) -> list[list[str]]:
    return [line.rstrip("~").split("*") for line in text.splitlines() if line.startswith(name + "*")]


def test_the_999_names_the_files_application_codes_back_in_gs02_and_gs03() -> None:
    text = generate_837p([AVA], "1912301953", "310000001").replace("GS*HC*CLEAR01*HHP01*", "GS*HC*SUBMITAPP*HHPCLAIMS*")
    ack = build_999(read_837(text), 7, AT)
    gs = segments(ack, "GS")[0]
    assert (gs[2], gs[3]) == ("HHPCLAIMS", "SUBMITAPP")
    isa = segments(ack, "ISA")[0]
    assert (isa[6].strip(), isa[8].strip()) == ("HHP01", "CLEAR01")  # the interchange answers the ISA IDs


def test_a_file_cut_short_is_rejected_as_missing_its_trailer() -> None:
    text = generate_837p([AVA, AVA], "1912301953", "310000001")
    cut = text[: text.index("SV1*HC:") + 12]
    ack = build_999(read_837(cut), 8, AT)
    assert segments(ack, "IK5") == [["IK5", "R", "2"]]


def test_a_whole_file_is_accepted_without_a_reason_code() -> None:
    ack = build_999(read_837(generate_837p([AVA], "1912301953", "310000001")), 9, AT)
    assert segments(ack, "IK5") == [["IK5", "A"]]
    assert segments(ack, "TA1") == []  # ISA14 = 0 asks for no interchange acknowledgment


def test_isa14_asks_for_a_ta1_that_names_the_interchange() -> None:
    text = generate_837p([AVA], "1912301953", "310000001", control_number=42)
    text = text.replace("*00501*000000042*0*", "*00501*000000042*1*")
    ack = build_999(read_837(text), 10, AT)
    assert segments(ack, "TA1") == [["TA1", "000000042", "261120", "1200", "A", "000"]]
    lines = ack.splitlines()
    assert lines[1].startswith("TA1*")  # between ISA and GS
    assert lines[2].startswith("GS*")


def test_a_bad_value_is_explained_in_x12_terms_not_python_text() -> None:
    text = generate_837p([AVA], "1912301953", "310000001").replace("SV1*HC:99213*125.00*UN*1***1~",
                                                                  "SV1*HC:99213*125.00*UN*1.5***1~")
    claim = read_837(text).claims()[0][1]
    assert any("SV104 units '1.5' must be a whole number of at least 1" in problem for problem in claim.problems), \
        claim.problems
    assert not any("invalid literal" in problem or "Decimal" in problem for problem in claim.problems)
