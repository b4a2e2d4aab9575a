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


def held_combinations() -> list[str]:
    """The facet combinations demo.group's view holds (its summary row)."""
    from chalicelib.reports.store import RegistrySummaryModel

    return RegistrySummaryModel.get("TAX#310000001#SUMMARY", "SUMMARY").facets


def test_registry_filters_are_served_by_the_key(api, token_for, registry_queries):
    token = token_for("demo.group")
    registry_queries.clear()
    api.get("/reports/registry?measure=HBD&criteria=GREEN&limit=50", token=token)
    keys = {params["ExpressionAttributeValues"][":0"]["S"] for params, _ in registry_queries}
    assert keys == {f"TAX#310000001#M#HBD#C#GREEN#F#{facets}" for facets in held_combinations()}
    assert all("FilterExpression" not in params for params, _ in registry_queries)


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


def test_a_filter_that_matches_nothing_reads_no_row(api, token_for, aws_calls):
    token = token_for("demo.group")
    aws_calls.clear()
    response = api.get("/reports/registry?state=Ohio&limit=20", token=token)
    assert response.status_code == 200
    assert (response.data["items"], response.data["nextToken"]) == ([], None)
    assert "Query" not in aws_calls  # the view's summary says no Ohio member is in it
    assert "Scan" not in aws_calls


@pytest.fixture
def registry_queries(monkeypatch):
    """The parameters of every registry Query the code under test sends, and how many items each examined."""
    from botocore.client import BaseClient

    sent: list[tuple[dict, int]] = []
    original = BaseClient._make_api_call

    def recording(self, operation_name, api_params):
        result = original(self, operation_name, api_params)
        if operation_name == "Query" and api_params["TableName"].endswith("-registry"):
            sent.append((api_params, result["ScannedCount"]))
        return result

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return sent


HIP = "Indiana - State Health Plans - Healthy Indiana Plan (HIP)"


@pytest.mark.parametrize(("query", "allowed"), [
    ("patientStatus=ESTABLISHED", lambda state, plan, patient, enrollment: patient == "ESTABLISHED"),
    ("enrollmentStatus=CONTINUOUS", lambda state, plan, patient, enrollment: enrollment == "CONTINUOUS"),
    ("state=Indiana", lambda state, plan, patient, enrollment: state == "Indiana"),
    (f"plans={quote(HIP)}", lambda state, plan, patient, enrollment: plan == HIP),
    ("measure=AAP&criteria=RED&patientStatus=ESTABLISHED&state=Indiana,Ohio",
     lambda state, plan, patient, enrollment: patient == "ESTABLISHED" and state in {"Indiana", "Ohio"}),
])
def test_state_plan_and_status_filters_pick_partitions_and_read_about_a_page(api, token_for, registry_queries,
                                                                            query, allowed):
    token = token_for("demo.group")
    registry_queries.clear()
    body = api.get(f"/reports/registry?limit=20&{query}", token=token).data
    assert body["items"]
    assert all("FilterExpression" not in params and "IndexName" not in params for params, _ in registry_queries)
    read = {params["ExpressionAttributeValues"][":0"]["S"].split("#F#")[1] for params, _ in registry_queries}
    assert read == {facets for facets in held_combinations() if allowed(*facets.split("|"))}
    examined = sum(count for _, count in registry_queries)
    chunk = max(params["Limit"] for params, _ in registry_queries)
    assert examined <= 21 + len(read) * chunk  # a page and one more, and at most a chunk per combination beyond
    assert len({row["memberId"] for row in body["items"]}) == len(body["items"])


@pytest.mark.parametrize(("query", "wanted"), [
    ("&enrollmentStatus=CONTINUOUS", {"enrollmentStatus": "CONTINUOUS"}),
    ("&state=Indiana&enrollmentStatus=RECENT", {"state": "Indiana", "enrollmentStatus": "RECENT"}),
])
def test_facet_pages_follow_each_other_in_name_order_without_a_gap_or_a_repeat(api, token_for, query, wanted):
    token = token_for("demo.group")
    everyone = all_rows(api, token, "")
    paged, next_token, pages = [], None, 0
    while True:
        suffix = f"&nextToken={next_token}" if next_token else ""
        body = api.get(f"/reports/registry?limit=7{query}{suffix}", token=token).data
        paged += body["items"]
        pages += 1
        next_token = body["nextToken"]
        if not next_token:
            break
    expected = [r["memberId"] for r in everyone if all(r[field] == value for field, value in wanted.items())]
    assert [r["memberId"] for r in paged] == expected  # the unfiltered list's order, nothing missed or repeated
    assert pages > 1
