import pytest

from chalicelib.audit.store import AuditEventModel

pytestmark = pytest.mark.usefixtures("members")


def check(api, token, **params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return api.get(f"/members/eligibility?{query}", token=token)


def search(api, token, **body):
    """The search in a JSON body: the only way to search by name (names stay out of URLs)."""
    return api.post("/members/eligibility", body, token=token)


def test_eligible_member_by_plan_id_with_span_pcp_and_no_other_insurance(api, token_for):
    response = check(api, token_for("demo.group"), memberId="10000000001", dateOfService="2031-11-01")
    assert response.status_code == 200
    body = response.data
    assert body["eligible"] is True
    assert body["memberId"] == "10000000001"
    assert body["medicaidId"] == "700000000001"
    assert (body["firstName"], body["lastName"], body["birthDate"]) == ("Ava", "Thompson", "1990-04-12")
    assert body["program"] == "Indiana - State Health Plans - Healthy Indiana Plan (HIP)"
    assert body["state"] == "Indiana"
    assert (body["coverageStart"], body["coverageEnd"]) == ("2029-01-01", None)
    assert body["pcp"] == {"providerId": "100000000001", "name": "Jane Doe"}
    assert body["otherInsurance"] == []
    assert body["actingForProviderId"] == "999999999999"


def test_a_date_in_the_gap_between_spans_is_not_eligible(api, token_for):
    token = token_for("demo.group")
    in_gap = check(api, token, memberId="10000000002", dateOfService="2030-08-15")
    assert in_gap.status_code == 200
    assert in_gap.data["eligible"] is False
    assert in_gap.data["coverageStart"] is None
    assert in_gap.data["coverageEnd"] is None
    assert [span["end"] for span in in_gap.data["coverageSpans"]] == ["2030-06-30", None]
    last_day = check(api, token, memberId="10000000002", dateOfService="2030-06-30").data
    assert last_day["eligible"] is True
    assert (last_day["coverageStart"], last_day["coverageEnd"]) == ("2028-07-01", "2030-06-30")
    first_day_back = check(api, token, memberId="10000000002", dateOfService="2030-09-01").data
    assert first_day_back["eligible"] is True
    assert first_day_back["coverageEnd"] is None


def test_coordination_of_benefits_lists_the_other_insurance(api, token_for):
    body = check(api, token_for("demo.group"), memberId="10000000002", dateOfService="2031-01-05").data
    assert body["otherInsurance"] == [{
        "payer": "Anthem Blue Cross", "policyNumber": "ANT-55821934", "coverageType": "Commercial",
        "order": "primary", "start": "2028-07-01", "end": None,
    }]


def test_by_medicaid_id(api, token_for):
    body = check(api, token_for("demo.group"), medicaidId="700000000002", dateOfService="2031-01-05").data
    assert body["memberId"] == "10000000002"


@pytest.mark.parametrize(("last", "first"), [("Thompson", "Ava"), ("THOMPSON", "ava"), ("  thompson ", " Ava  ")])
def test_by_exact_name_ignoring_case_and_spacing(api, token_for, last, first):
    body = search(api, token_for("demo.group"), lastName=last, firstName=first, birthDate="1990-04-12",
                 dateOfService="2031-11-01").data
    assert body["memberId"] == "10000000001"


def test_accents_are_ignored_in_name_search(api, token_for):
    from local.demo_members import member

    member("10000009999", "700000009999", "Zoë", "Peña", "2001-03-04", "F", "Indiana", "Spanish", "317-555-0199",
           None, [("2029-01-01", None, "Indiana - Marketplace", "Marketplace")], []).save()
    body = search(api, token_for("demo.group"), lastName="Pena", firstName="Zoe", birthDate="2001-03-04",
                 dateOfService="2031-11-01").data
    assert body["memberId"] == "10000009999"
    assert body["firstName"] == "Zoë"


@pytest.mark.parametrize("last", ["Thomp", "Thompso", "Thompsons", "%", "Thompson*"])
def test_partial_names_never_match(api, token_for, last):
    """Valid names (the name pattern allows "%" and "*"), so they reach the exact-key lookup and match nobody."""
    response = search(api, token_for("demo.group"), lastName=last, firstName="Ava", birthDate="1990-04-12",
                     dateOfService="2031-11-01")
    assert response.status_code == 404
    assert response.data["code"] == "MEMBER_NOT_FOUND"
    assert response.data["fields"] == {}


def test_a_wrong_birth_date_is_not_found(api, token_for):
    response = search(api, token_for("demo.group"), lastName="Thompson", firstName="Ava", birthDate="1990-04-13",
                     dateOfService="2031-11-01")
    assert response.status_code == 404
    assert response.data["code"] == "MEMBER_NOT_FOUND"


@pytest.mark.parametrize(
    ("date_of_service", "message"),
    [
        ("2031-11-24", "must not be in the future"),
        ("2029-11-22", "must be within the last 24 months (on or after 2029-11-23)"),
        ("2031-02-30", "must be a date as YYYY-MM-DD"),
        ("yesterday", "must be a date as YYYY-MM-DD"),
    ],
)
def test_date_of_service_rules_name_the_field(api, token_for, date_of_service, message):
    response = check(api, token_for("demo.group"), memberId="10000000001", dateOfService=date_of_service)
    assert response.status_code == 400
    assert response.data["fields"] == {"dateOfService": message}


def test_date_of_service_is_required(api, token_for):
    response = check(api, token_for("demo.group"), memberId="10000000001")
    assert response.status_code == 400
    assert response.data["fields"] == {"dateOfService": "is required"}


def test_today_and_exactly_24_months_back_are_allowed(api, token_for):
    token = token_for("demo.group")
    assert check(api, token, memberId="10000000001", dateOfService="2031-11-23").status_code == 200
    assert check(api, token, memberId="10000000002", dateOfService="2029-11-23").status_code == 200


def test_one_search_method_at_a_time_and_complete(api, token_for):
    token = token_for("demo.group")
    both = check(api, token, memberId="10000000001", medicaidId="700000000001", dateOfService="2031-11-01")
    assert both.status_code == 400
    assert "memberId" in both.data["fields"]
    half_name = search(api, token, lastName="Thompson", dateOfService="2031-11-01")
    assert half_name.data["fields"] == {"firstName": "is required for a name search",
                                        "birthDate": "is required for a name search"}
    nothing = check(api, token, dateOfService="2031-11-01")
    assert nothing.status_code == 400
    assert "memberId" in nothing.data["fields"]


def test_hostile_query_values_are_refused_by_field(api, token_for):
    token = token_for("demo.group")
    response = check(api, token, memberId="1%27%20OR%201=1", dateOfService="2031-11-01")
    assert response.status_code == 400
    assert response.data["fields"] == {"memberId": "has the wrong format"}
    unknown = check(api, token, memberId="10000000001", dateOfService="2031-11-01", isAdmin="true")
    assert unknown.data["fields"] == {"isAdmin": "is not a known field"}


def test_members_of_another_state_answer_not_found(api, token_for):
    indiana_only = token_for("demo.jdoe")
    response = check(api, indiana_only, memberId="20000000001", dateOfService="2031-11-01")
    assert response.status_code == 404
    assert response.data["code"] == "MEMBER_NOT_FOUND"
    ohio = check(api, token_for("demo.buckeye"), memberId="20000000001", dateOfService="2031-11-01")
    assert ohio.status_code == 200
    assert ohio.data["state"] == "Ohio"


def test_acting_for_a_provider_the_user_does_not_act_for_is_not_found(api, token_for):
    token = token_for("demo.jdoe")
    response = check(api, token, memberId="10000000001", dateOfService="2031-11-01", providerId="100000000002")
    assert response.status_code == 404
    group = check(api, token_for("demo.group"), memberId="10000000001", dateOfService="2031-11-01",
                  providerId="100000000002")
    assert group.data["actingForProviderId"] == "100000000002"


def test_every_answer_is_audited_and_plan_staff_can_query_by_member_and_user(api, token_for):
    token = token_for("demo.group")
    check(api, token, memberId="10000000001", dateOfService="2031-11-01", providerId="100000000001")
    check(api, token, memberId="10000000002", dateOfService="2030-08-15")
    [event] = list(AuditEventModel.query("10000000001"))
    assert event.username == "demo.group"
    assert event.acting_for_provider_id == "100000000001"
    assert event.action == "ELIGIBILITY_CHECK"
    assert "eligible=True" in event.detail

    staff = token_for("planadmin")
    by_member = api.get("/audit/members/10000000002", token=staff)
    assert by_member.status_code == 200
    assert len(by_member.data["items"]) == 1
    assert by_member.data["nextToken"] is None
    assert "eligible=False" in by_member.data["items"][0]["detail"]
    by_user = api.get("/audit/users/demo.group", token=staff)
    members_read = {item["memberId"] for item in by_user.data["items"] if item["subjectKind"] == "MEMBER"}
    assert members_read == {"10000000001", "10000000002"}
    [sign_in] = [item for item in by_user.data["items"] if item["subjectKind"] == "SIGN_IN"]
    assert (sign_in["subject"], sign_in["memberId"], sign_in["action"]) == ("demo.group", None, "SIGNED_IN")
    assert "count" not in by_user.data  # a page without a total (DECISIONS: Lists and counts)
    assert api.get("/audit/users/demo.group", token=token).status_code == 403


def test_audit_pages_with_tokens_that_cannot_be_forged(api, token_for):
    token = token_for("demo.group")
    for day in ("2031-11-01", "2031-11-02", "2031-11-03"):
        check(api, token, memberId="10000000001", dateOfService=day)
    staff = token_for("planadmin")
    first = api.get("/audit/members/10000000001?limit=2", token=staff).data
    assert len(first["items"]) == 2
    assert "count" not in first
    second = api.get(f"/audit/members/10000000001?limit=2&nextToken={first['nextToken']}", token=staff).data
    assert len(second["items"]) == 1
    assert second["nextToken"] is None
    replayed = api.get(f"/audit/members/10000000002?limit=2&nextToken={first['nextToken']}", token=staff)
    assert replayed.status_code == 400
    assert replayed.data["fields"] == {"nextToken": "is not valid"}
    garbage = api.get("/audit/members/10000000001?nextToken=%25%25%25", token=staff)
    assert garbage.status_code == 400


def test_each_lookup_is_a_bounded_number_of_calls_and_never_a_scan(api, token_for, aws_calls):
    token = token_for("demo.group")
    for params in ({"memberId": "10000000001"}, {"medicaidId": "700000000001"},
                   {"lastName": "Thompson", "firstName": "Ava", "birthDate": "1990-04-12"}):
        aws_calls.clear()
        ask = search if "lastName" in params else check
        assert ask(api, token, dateOfService="2031-11-01", **params).status_code == 200
        assert "Scan" not in aws_calls
        assert len(aws_calls) <= 4, aws_calls  # session, its account, member (GetItem or one Query), audit PutItem


@pytest.mark.parametrize("params", [
    {"lastName": "Thompson", "firstName": "Ava", "birthDate": "1990-04-12"},
    {"lastName": "Thompson"},
    {"birthDate": "1990-04-12", "memberId": "10000000001"},
])
def test_a_name_search_in_the_url_answers_400_naming_the_post(api, token_for, aws_calls, params):
    token = token_for("demo.group")
    aws_calls.clear()
    response = check(api, token, dateOfService="2031-11-01", **params)
    assert response.status_code == 400
    assert response.data["code"] == "VALIDATION_ERROR"
    assert "POST /members/eligibility" in response.data["message"]
    name_fields = {"lastName", "firstName", "birthDate"}
    assert set(response.data["fields"]) == name_fields & set(params)
    assert all("POST /members/eligibility" in words for words in response.data["fields"].values())
    assert aws_calls == ["GetItem", "GetItem"]  # the session and its account only: no member read, no audit record


def test_the_post_searches_by_id_too_with_the_same_answer_as_the_get(api, token_for):
    token = token_for("demo.group")
    by_get = check(api, token, memberId="10000000002", dateOfService="2031-01-05")
    by_post = search(api, token, memberId="10000000002", dateOfService="2031-01-05")
    assert by_post.status_code == 200
    assert by_post.data == by_get.data
    assert search(api, token, medicaidId="700000000002", dateOfService="2031-01-05").data["memberId"] == "10000000002"


def test_the_post_refuses_unknown_fields_wrong_types_and_bad_dates_by_field(api, token_for):
    token = token_for("demo.group")
    unknown = search(api, token, memberId="10000000001", dateOfService="2031-11-01", isAdmin=True)
    assert unknown.status_code == 400
    assert unknown.data["fields"] == {"isAdmin": "is not a known field"}
    wrong_type = search(api, token, memberId=10000000001, dateOfService="2031-11-01")
    assert wrong_type.status_code == 400
    assert set(wrong_type.data["fields"]) == {"memberId"}
    future = search(api, token, lastName="Thompson", firstName="Ava", birthDate="1990-04-12",
                    dateOfService="2031-11-24")
    assert future.data["fields"] == {"dateOfService": "must not be in the future"}
    missing = search(api, token, lastName="Thompson", firstName="Ava", birthDate="1990-04-12")
    assert missing.data["fields"] == {"dateOfService": "is required"}
