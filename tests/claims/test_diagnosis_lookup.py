"""The ICD-10-CM lookup the diagnosis fields' combo box asks: by code prefix or words, with billable flags."""

import pytest

from chalicelib.platform.codesets import icd10cm


def test_a_code_prefix_answers_the_codes_under_it_in_order_with_their_billable_flags(api, token_for):
    answer = api.get("/codesets/icd10cm?q=e11.6&limit=5", token=token_for("demo.jdoe"))
    assert answer.status_code == 200, answer.data
    assert answer.data["release"].startswith("ICD-10-CM")
    assert [(item["code"], item["billable"]) for item in answer.data["items"]] == [
        ("E11.6", False), ("E11.61", False), ("E11.610", True), ("E11.618", True), ("E11.62", False)]
    assert answer.data["items"][2]["description"] == "Type 2 diabetes mellitus with diabetic neuropathic arthropathy"


def test_words_match_the_starts_of_words_of_the_description(api, token_for):
    answer = api.get("/codesets/icd10cm?q=type 2 diab without compl", token=token_for("demo.jdoe")).data
    assert [(item["code"], item["description"], item["billable"]) for item in answer["items"]] == [
        ("E11.9", "Type 2 diabetes mellitus without complications", True),
        ("E11.A", "Type 2 diabetes mellitus without complications in remission", True)]
    assert api.get("/codesets/icd10cm?q=abetes", token=token_for("demo.jdoe")).data["items"] == []  # word starts


def test_billable_is_for_the_date_asked(api, token_for):
    before = api.get("/codesets/icd10cm?q=E11.9&date=2015-09-30", token=token_for("demo.jdoe")).data
    assert before["items"] == [{"code": "E11.9", "description": "Type 2 diabetes mellitus without complications",
                                "billable": False}]  # ICD-10-CM applies from 2015-10-01


@pytest.mark.parametrize("query", ["", "%20%20", "x" * 61])
def test_an_empty_or_too_long_query_is_a_400_naming_q(api, token_for, query):
    answer = api.get(f"/codesets/icd10cm?q={query}", token=token_for("demo.jdoe"))
    assert answer.status_code == 400
    assert list(answer.data["fields"]) == ["q"]


def test_the_lookup_is_in_the_api_description(api):
    lookup = api.get("/openapi.json").data["paths"]["/codesets/icd10cm"]["get"]
    assert {parameter["name"] for parameter in lookup["parameters"]} == {"q", "date", "limit", "providerId"}
    # providerId: the provider a logged-in request acts for, on every route (Account Linker)


def test_only_logged_in_users_and_pages_get_the_same_answer_with_the_session(api, logged_in):
    assert api.get("/codesets/icd10cm?q=E11").status_code == 401
    browser = logged_in("demo.jdoe")
    answer = browser.get("/portal/codesets/icd10cm?q=G47.33")
    assert answer.status == 200
    assert answer.header("Content-Type") == "application/json"
    assert '"code": "G47.33"' in answer.text
    assert '"billable": true' in answer.text
    refused = browser.get("/portal/codesets/icd10cm?q=")
    assert (refused.status, '"q"' in refused.text) == (400, True)


def test_a_check_finds_codes_at_both_ends_of_the_table_without_loading_it():
    assert icd10cm.is_billable("A00.0")
    assert icd10cm.is_billable("Z99.89")
    assert not icd10cm.is_billable("A00")
    assert not icd10cm.is_billable("ZZZ.9")
    assert not icd10cm.is_billable("A")
