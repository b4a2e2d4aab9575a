from datetime import date

import pytest

from chalicelib.documents.consent import ClaimForConsent, ConsentForm, ConsentType, consent_applies
from chalicelib.documents.files import detect_type, looks_like_csv, safe_file_name
from chalicelib.members.batch import TEMPLATE_HEADER, canonical_header, header_problem, parse_row
from chalicelib.members.eligibility import (
    CoverageSpan,
    OtherCoverage,
    eligibility_on,
    months_before,
    nearest_spans,
    service_date_problem,
)
from chalicelib.members.names import name_search_key, normalize_name
from chalicelib.platform.dynamo.paging import decode_page_token, encode_page_token
from chalicelib.platform.errors import ValidationFailed
from chalicelib.platform.spreadsheet import safe_cell, safe_row

SPANS = (
    CoverageSpan(date(2023, 7, 1), date(2025, 6, 30), "HHW", "Medicaid"),
    CoverageSpan(date(2025, 9, 1), None, "HHW", "Medicaid"),
)


@pytest.mark.parametrize(
    ("day", "eligible"),
    [
        (date(2023, 6, 30), False),
        (date(2023, 7, 1), True),
        (date(2025, 6, 30), True),
        (date(2025, 7, 1), False),
        (date(2025, 8, 31), False),
        (date(2025, 9, 1), True),
        (date(2030, 1, 1), True),
    ],
)
def test_eligible_only_inside_a_span(day, eligible):
    result = eligibility_on(SPANS, (), day)
    assert result.eligible is eligible
    assert result.program == "HHW"


def test_other_insurance_counts_only_while_active():
    other = OtherCoverage("Aetna", "A-1", "Commercial", "primary", date(2024, 1, 1), date(2024, 12, 31))
    assert eligibility_on(SPANS, (other,), date(2024, 6, 1)).other_insurance == (other,)
    assert eligibility_on(SPANS, (other,), date(2025, 1, 1)).other_insurance == ()


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2026, 11, 23), date(2024, 11, 23)), (date(2026, 2, 28), date(2024, 2, 28)),
     (date(2028, 2, 29), date(2026, 2, 28)), (date(2026, 3, 31), date(2024, 3, 31))],
)
def test_months_before_keeps_the_day_or_the_month_end(today, expected):
    assert months_before(today, 24) == expected


def test_service_date_window():
    today = date(2026, 11, 23)
    assert service_date_problem(today, today, 24) is None
    assert service_date_problem(date(2024, 11, 23), today, 24) is None
    assert service_date_problem(date(2024, 11, 22), today, 24).startswith("must be within the last 24 months")
    assert service_date_problem(date(2026, 11, 24), today, 24) == "must not be in the future"


def test_names_normalise_case_accents_and_spacing_only():
    assert normalize_name("  Zoë   PEÑA ") == "zoe pena"
    assert normalize_name("O'Brien") == "o'brien"
    assert name_search_key("Peña", "Zoë", "2001-03-04") == name_search_key("PENA", "zoe", "2001-03-04")
    assert name_search_key("Pen", "Zoe", "2001-03-04") != name_search_key("Pena", "Zoe", "2001-03-04")


FORM_DAY = date(2020, 1, 6)


@pytest.mark.parametrize(
    ("claim_received", "applies"),
    [(date(2020, 1, 5), False), (date(2020, 1, 6), True), (date(2020, 1, 7), True)],
)
def test_a_form_without_claim_number_applies_from_its_receipt_date(claim_received, applies):
    form = ConsentForm("M1", ConsentType.HYSTERECTOMY, FORM_DAY)
    assert consent_applies(form, ClaimForConsent("C1", "M1", ConsentType.HYSTERECTOMY, claim_received)) is applies


def test_a_form_with_a_claim_number_applies_to_that_claim_whenever_it_was_received():
    form = ConsentForm("M1", ConsentType.ABORTION, FORM_DAY, claim_number="C1")
    assert consent_applies(form, ClaimForConsent("C1", "M1", ConsentType.ABORTION, date(2019, 12, 1)))
    assert not consent_applies(form, ClaimForConsent("C2", "M1", ConsentType.ABORTION, date(2020, 2, 1)))


def test_a_form_never_applies_to_another_member_or_consent_type():
    form = ConsentForm("M1", ConsentType.STERILIZATION, FORM_DAY)
    assert not consent_applies(form, ClaimForConsent("C1", "M2", ConsentType.STERILIZATION, date(2020, 2, 1)))
    assert not consent_applies(form, ClaimForConsent("C1", "M1", ConsentType.ABORTION, date(2020, 2, 1)))


@pytest.mark.parametrize(
    ("head", "expected"),
    [(b"%PDF-1.4", "application/pdf"), (b"II*\x00xx", "image/tiff"), (b"MM\x00*xx", "image/tiff"),
     (b"\xff\xd8\xff\xe0", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF89a", None), (b"", None)],
)
def test_file_types_are_told_by_their_bytes(head, expected):
    assert detect_type(head) == expected


def test_file_names_lose_paths_and_odd_characters():
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\Users\\me\\consent form (1).pdf") == "consent_form_1_.pdf"
    assert safe_file_name("<script>.pdf") == "script_.pdf"
    assert safe_file_name("...") == "upload"


def test_csv_detection():
    assert looks_like_csv(b"memberId,dateOfService\n")
    assert not looks_like_csv(b"\x00\x01\x02")


def test_headers_are_matched_loosely_and_checked():
    assert [canonical_header(h) for h in ("Member ID", "DOB", "date_of_service", "Phone")] == [
        "member_id", "birth_date", "date_of_service", None]
    assert header_problem(["member_id", "date_of_service"]) is None
    assert header_problem(["last_name", "first_name", "birth_date", "date_of_service"]) is None
    assert header_problem(["member_id"]) == "the header row must have a dateOfService column"


def test_rows_are_parsed_with_a_reason_for_each_problem():
    today = date(2026, 11, 23)
    ok = parse_row(1, {"member_id": "10000000001", "date_of_service": "2026-11-01"}, today, 24)
    assert ok.error is None
    assert ok.lookup.member_id == "10000000001"
    by_name = parse_row(2, {"last_name": "Doe", "first_name": "J", "birth_date": "1990-01-01",
                            "date_of_service": "2026-11-01"}, today, 24)
    assert by_name.lookup.birth_date == date(1990, 1, 1)
    assert parse_row(3, {"member_id": "1' OR 1=1", "date_of_service": "2026-11-01"}, today, 24).error == \
        "memberId and medicaidId are letters and digits, at most 20"
    assert parse_row(4, {"last_name": "Doe", "first_name": "J", "birth_date": "01/01/1990",
                         "date_of_service": "2026-11-01"}, today, 24).error == "birthDate must be a date as YYYY-MM-DD"


@pytest.mark.parametrize("value", ["=1+1", "+A1", "-2", "@SUM(A1)", "\tcmd", "\r=1"])
def test_cells_that_a_spreadsheet_would_run_are_defused(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("Smith") == "Smith"
    assert safe_row([value, None, 7]) == ["'" + value, "", "7"]


def test_page_tokens_round_trip_and_refuse_other_partitions_and_garbage():
    key = {"member_id": {"S": "M1"}, "occurred_key": {"S": "2026#x"}}
    token = encode_page_token(key)
    assert decode_page_token(token, {"member_id": "M1"}) == key
    for bad in (token, "!!!", "e30", "W10"):
        with pytest.raises(ValidationFailed):
            decode_page_token(bad, {"member_id": "M2"})
    assert encode_page_token(None) is None


def test_scheduled_exports_run_weekly_or_on_the_same_day_next_month():
    from datetime import UTC, datetime

    from chalicelib.reports.enums import Frequency
    from chalicelib.reports.exports import next_run

    start = datetime(2026, 1, 31, 6, 0, tzinfo=UTC)
    assert next_run(start, Frequency.WEEKLY) == datetime(2026, 2, 7, 6, 0, tzinfo=UTC)
    assert next_run(start, Frequency.MONTHLY) == datetime(2026, 2, 28, 6, 0, tzinfo=UTC)
    assert next_run(datetime(2026, 12, 15, tzinfo=UTC), Frequency.MONTHLY) == datetime(2027, 1, 15, tzinfo=UTC)


def test_measures_apply_by_age_gender_and_condition():
    from chalicelib.reports.registry import MEASURES, age_on

    by_code = {measure.code: measure for measure in MEASURES}
    assert age_on(date(1976, 11, 2), date(2026, 11, 1)) == 49
    assert age_on(date(1976, 11, 1), date(2026, 11, 1)) == 50
    assert by_code["BCS"].applies(50, "F", frozenset())
    assert not by_code["BCS"].applies(50, "M", frozenset())
    assert not by_code["BCS"].applies(49, "F", frozenset())
    assert by_code["HBD"].applies(40, "M", frozenset({"diabetes"}))
    assert not by_code["HBD"].applies(40, "M", frozenset())
    assert by_code["W30"].applies(2, "F", frozenset())
    assert not by_code["W30"].applies(3, "F", frozenset())


@pytest.mark.parametrize(
    ("day", "before", "after"),
    [
        (date(2025, 8, 15), SPANS[0], SPANS[1]),
        (date(2023, 6, 1), None, SPANS[0]),
        (date(2026, 1, 1), SPANS[0], None),
    ],
)
def test_the_nearest_coverage_before_and_after_a_day(day, before, after):
    assert nearest_spans(SPANS, day) == (before, after)


def test_the_template_files_header_row_is_one_the_parser_reads_whole():
    columns = [canonical_header(name) for name in TEMPLATE_HEADER]
    assert None not in columns
    assert len(set(columns)) == len(TEMPLATE_HEADER)
    assert header_problem(columns) is None
