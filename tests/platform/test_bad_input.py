"""Malformed, missing, oversized and hostile input answers a 4xx naming the field, never a 5xx.

Most of it is refused before any AWS call: those tests use ``offline_api``, which fails a request
that calls AWS at all, so they also prove nothing was looked up or written.
"""

import json

import pytest

from tests.support.moto import login, registration

JSON_ROUTES = [
    "/auth/register", "/auth/activate", "/auth/resend-activation", "/auth/login", "/auth/login/mfa",
    "/auth/forgot-password", "/auth/reset-password",
]


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("{not json", "body"),
        ("", "body"),
        ("[1, 2]", "body"),
        ('"a string"', "body"),
        ("null", "body"),
    ],
)
def test_bodies_that_are_not_a_json_object(offline_api, path, raw, field):
    response = offline_api.post(path, raw)
    assert response.status_code == 400
    assert response.data["code"] == "VALIDATION_ERROR"
    assert field in response.data["fields"]


@pytest.mark.parametrize("path", JSON_ROUTES)
def test_unknown_fields_are_named(offline_api, path):
    response = offline_api.post(path, {"username": "x", "token": "t", "password": "p", "isAdmin": True})
    assert response.status_code == 400
    assert response.data["fields"]["isAdmin"] == "is not a known field"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"acceptAgreement": "true"}, "acceptAgreement", "must be true or false"),
        ({"taxId": 310000001}, "taxId", "must be a string"),
        ({"taxId": "31000000X"}, "taxId", "has the wrong format"),
        ({"zipCode": "4620"}, "zipCode", "has the wrong format"),
        ({"providerType": "Hospital"}, "providerType", "must be one of 'Practitioner' or 'Group'"),
        ({"username": "a" * 65}, "username", "must be at most 64 characters"),
        ({"username": "robert'); DROP TABLE accounts;--"}, "username", "has the wrong format"),
        ({"email": "not-an-email"}, "email", "has the wrong format"),
        ({"firstName": "J" * 10_000}, "firstName", "must be at most 60 characters"),
        ({"username": None}, "username", "is required"),
        ({"password": ["Lantern-Orchid-42!"]}, "password", "must be a string"),
    ],
)
def test_wrong_types_and_values_name_the_field(offline_api, changes, field, message):
    response = offline_api.post("/auth/register", registration(**changes))
    assert response.status_code == 400
    assert response.data["fields"][field] == message


def test_practitioner_without_names_is_told_which_fields(offline_api):
    response = offline_api.post("/auth/register", registration(firstName=None, lastName=None))
    assert response.status_code == 400
    assert set(response.data["fields"]) == {"firstName", "lastName"}


def test_group_without_group_name_is_told(offline_api):
    response = offline_api.post("/auth/register", registration(providerType="Group", firstName=None, lastName=None,
                                                               providerId="999999999999"))
    assert response.status_code == 400
    assert response.data["fields"] == {"groupName": "is required for a Group"}


def test_a_huge_body_is_refused_before_parsing(offline_api):
    response = offline_api.post("/auth/login", json.dumps({"username": "x", "password": "y" * 100_000}))
    assert response.status_code == 413
    assert response.data["code"] == "PAYLOAD_TOO_LARGE"
    assert "body" in response.data["fields"]


def test_a_body_that_is_not_json_content_is_refused(offline_api):
    response = offline_api.post("/auth/login", "username=x&password=y",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert response.data["fields"] == {"Content-Type": "must be application/json"}


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202e", "\u2066"])
def test_control_and_bidi_characters_in_free_text_are_refused_naming_the_field(offline_api, character):
    response = offline_api.post("/auth/register", registration(firstName=f"Ava{character}"))
    assert response.status_code == 400, response.body
    assert response.data == {"code": "VALIDATION_ERROR", "message": "Some fields are missing or not valid.",
                             "fields": {"firstName": "must not contain control characters or text-direction "
                                                     "overrides"}}


def test_a_deeply_nested_body_answers_400_not_500(offline_api):
    raw = '{"username": "x", "password": ' + "[" * 5000 + "]" * 5000 + "}"
    response = offline_api.post("/auth/login", raw)
    assert response.status_code == 400
    assert response.data["fields"] == {"body": "must not nest arrays and objects more than 64 levels deep"}


def test_an_oversized_bearer_token_is_refused_without_a_lookup(offline_api):
    assert offline_api.get("/me", token="x" * 5000).status_code == 401


def test_errors_carry_a_correlation_id(api):
    response = api.post("/auth/login", {"username": "nobody", "password": "x"},
                        headers={"X-Correlation-Id": "trace-123"})
    assert response.headers["X-Correlation-Id"] == "trace-123"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("member_id", ["x" * 101, "a%20b", "%27%20OR%201%3D1", "..%2F..%2Fetc"])
def test_path_ids_of_the_wrong_shape_are_refused_before_any_lookup(api, member_id, demo_users):
    token = login(api, "demo.group", "Demo-Portal-2026!")
    response = api.get(f"/members/{member_id}", token=token)
    assert response.status_code == 400
    assert response.data["fields"] == {"memberId": "has the wrong format"}
