import time
from urllib.parse import quote

import pytest

from chalicelib.reports import registry

pytestmark = pytest.mark.usefixtures("registry_members")


def all_rows(api, token, query):
    rows, next_token = [], None
    while True:
        suffix = f"&nextToken={next_token}" if next_token else ""
        response = api.get(f"/reports/registry?limit=500{query}{suffix}", token=token)
        assert response.status_code == 200, response.data
        body = response.data
        rows += body["items"]
        next_token = body["nextToken"]
        if not next_token:
            return rows


def test_registry_answers_statuses_with_the_legend_and_measures(api, token_for):
    response = api.get("/reports/registry?limit=10", token=token_for("demo.group"))
    assert response.status_code == 200
    body = response.data
    assert body["provider"] == "Default Provider - 999999999999"
    assert body["legend"] == [{"color": "GREEN", "label": "Service Rendered"},
                              {"color": "YELLOW", "label": "Service Needed"},
                              {"color": "RED", "label": "Service Past Due"},
                              {"color": "GRAY", "label": "Service N/A"}]
    assert {m["name"] for m in body["measures"]} >= {"Adult Access", "Asthma Control", "Beta Blockers"}
    row = body["items"][0]
    assert set(row["statuses"]) == registry.MEASURE_CODES
    assert set(row["statuses"].values()) <= {"GREEN", "YELLOW", "RED", "GRAY"}


def test_measure_and_criteria_pick_exactly_the_matching_members(api, token_for):
    token = token_for("demo.group")
    everyone = all_rows(api, token, "")
    red_access = all_rows(api, token, "&measure=AAP&criteria=RED")
    assert red_access
    assert {row["memberId"] for row in red_access} == {
        row["memberId"] for row in everyone if row["statuses"]["AAP"] == "RED"}
    applicable = all_rows(api, token, "&measure=BCS")
    assert {row["memberId"] for row in applicable} == {
        row["memberId"] for row in everyone if row["statuses"]["BCS"] != "GRAY"}
    assert all(row["gender"] == "F" for row in applicable)
    any_yellow = all_rows(api, token, "&criteria=YELLOW")
    assert {row["memberId"] for row in any_yellow} == {
        row["memberId"] for row in everyone if "YELLOW" in row["statuses"].values()}


def test_patient_enrollment_state_and_plan_filters(api, token_for):
    token = token_for("demo.group")
    everyone = all_rows(api, token, "")
    for field, value in (("patientStatus", "NEW"), ("enrollmentStatus", "CONTINUOUS")):
        filtered = all_rows(api, token, f"&{field}={value}")
        assert {r["memberId"] for r in filtered} == {r["memberId"] for r in everyone if r[field] == value}
    plan = "Indiana - State Health Plans - Healthy Indiana Plan (HIP)"
    by_plan = all_rows(api, token, f"&plans={quote(plan)}")
    assert by_plan
    assert {r["program"] for r in by_plan} == {plan}
    assert all_rows(api, token, "&state=Ohio") == []
    assert len(all_rows(api, token, "&state=Indiana,Ohio")) == len(everyone)


def test_summary_counts_every_member_once_per_measure(api, token_for):
    token = token_for("demo.group")
    everyone = all_rows(api, token, "")
    summary = api.get("/reports/registry/summary", token=token).data
    assert summary["asOf"] == "2031-11-01"
    for measure in summary["measures"]:
        assert sum(measure["counts"].values()) == len(everyone)
        expected_red = sum(1 for row in everyone if row["statuses"][measure["code"]] == "RED")
        assert measure["counts"]["RED"] == expected_red


def test_registry_filters_are_served_by_the_key(api, token_for, aws_calls):
    token = token_for("demo.group")
    aws_calls.clear()
    api.get("/reports/registry?measure=HBD&criteria=GREEN&limit=50", token=token)
    assert "Scan" not in aws_calls
    assert aws_calls.count("Query") == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [("measure=XYZ", "measure"), ("criteria=PURPLE", "criteria"), ("patientStatus=OLD", "patientStatus"),
     ("colour=RED", "colour"), ("nextToken=abc", "nextToken")],
)
def test_unknown_filters_answer_400_naming_them(api, token_for, query, field):
    response = api.get(f"/reports/registry?{query}", token=token_for("demo.group"))
    assert response.status_code == 400
    assert field in response.data["fields"]


def test_a_provider_the_user_does_not_act_for_is_not_found(api, token_for):
    assert api.get("/reports/registry?providerId=999999999999", token=token_for("demo.jdoe")).status_code == 404
    assert api.get("/reports/registry/summary?providerId=200000000001",
                   token=token_for("demo.group")).status_code == 404


def test_measures_are_listed(api, token_for):
    body = api.get("/reports/registry/measures", token=token_for("demo.jdoe")).data
    assert body["count"] == len(registry.MEASURES)
    assert all(item["description"] for item in body["items"])


def test_a_200_character_state_answers_400_naming_state_at_once(api, token_for, aws_calls):
    token = token_for("demo.group")
    aws_calls.clear()
    started = time.perf_counter()
    response = api.get(f"/reports/registry?state={'X' * 200}", token=token)
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    assert response.data["code"] == "VALIDATION_ERROR"
    assert set(response.data["fields"]) == {"state"}
    assert "Indiana" in response.data["fields"]["state"]  # names the values it takes, not the one sent
    assert "Query" not in aws_calls
    assert "Scan" not in aws_calls
    assert elapsed < 2


@pytest.mark.parametrize(
    ("query", "field"),
    [("state=Atlantis", "state"), ("state=Indiana,Atlantis", "state"), ("plans=Nope", "plans"),
     ("enrollmentStatus=SOMETIMES", "enrollmentStatus")],
)
def test_unknown_state_plan_and_enrollment_values_answer_400_naming_them(api, token_for, query, field):
    response = api.get(f"/reports/registry?{query}", token=token_for("demo.group"))
    assert response.status_code == 400
    assert set(response.data["fields"]) == {field}


def test_a_filter_that_matches_nothing_reads_one_page_not_the_partition(api, token_for, aws_calls):
    token = token_for("demo.group")
    aws_calls.clear()
    response = api.get("/reports/registry?state=Ohio&limit=20", token=token)
    assert response.status_code == 200
    assert response.data["items"] == []
    assert response.data["nextToken"]  # more rows follow: the next page goes on from where this one stopped
    assert aws_calls.count("Query") == 1
