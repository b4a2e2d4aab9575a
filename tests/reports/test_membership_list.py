import pytest

from chalicelib.audit.store import AuditEventModel
from chalicelib.members.names import normalize_name
from chalicelib.members.store import MemberModel
from chalicelib.reports import roster
from chalicelib.reports.store import RosterCountModel
from local.demo_members import member
from tests.support.moto import TODAY

pytestmark = pytest.mark.usefixtures("roster_members")


def attributed_count(provider_ids=("100000000001", "100000000002")):
    """How many loaded members these PCPs have (the roster_members fixture's data, counted here)."""
    from itertools import islice

    from local.demo_members import fixed_members, generated_members

    loaded = [*fixed_members(TODAY.date()), *islice(generated_members(TODAY.date()), 150)]
    quoted_member = 1 if "100000000001" in provider_ids else 0  # José Smith, "Jr", Jane Doe's
    return sum(1 for m in loaded if m.pcp_provider_id in provider_ids) + quoted_member


def sort_key(item):
    return (normalize_name(item["lastName"]), normalize_name(item["firstName"]), item["memberId"])


def test_group_roster_pages_by_last_name_with_the_record_count(api, token_for):
    token = token_for("demo.group")
    first = api.get("/reports/membership?limit=40", token=token)
    assert first.status_code == 200
    body = first.data
    assert body["provider"] == "Default Provider - 999999999999"
    assert body["wholeGroup"] is True
    assert body["count"] == attributed_count()
    assert len(body["items"]) == 40
    seen = list(body["items"])
    token_next = body["nextToken"]
    while token_next:
        page = api.get(f"/reports/membership?limit=40&nextToken={token_next}", token=token).data
        seen += page["items"]
        token_next = page["nextToken"]
    assert len(seen) == body["count"]
    assert seen == sorted(seen, key=sort_key)
    assert [entry["label"] for entry in body["alertLegend"]] == [
        "New Assessment", "New Care Treatment Plan", "Updated Care Treatment Plan", "BH Clinical Info"]
    ava = next(item for item in seen if item["memberId"] == "10000000001")
    assert ava["alerts"] == [
        {"alertType": "NEW_ASSESSMENT", "label": "New Assessment", "appearedOn": "2031-10-14"},
        {"alertType": "BH_CLINICAL_INFO", "label": "BH Clinical Info", "appearedOn": "2031-11-02"},
    ]
    assert set(ava) >= {"firstName", "lastName", "memberId", "medicaidId", "gender", "birthDate", "language",
                        "phone", "program"}


def test_a_group_user_picks_one_of_its_providers(api, token_for):
    body = api.get("/reports/membership?providerId=100000000002&limit=500", token=token_for("demo.group")).data
    assert body["provider"] == "Robert Smith - 100000000002"
    assert body["wholeGroup"] is False
    assert {item["pcpProviderId"] for item in body["items"]} == {"100000000002"}
    assert body["count"] == attributed_count(("100000000002",))


def test_a_practitioner_sees_its_own_roster_only(api, token_for):
    token = token_for("demo.jdoe")
    own = api.get("/reports/membership?limit=500", token=token).data
    assert {item["pcpProviderId"] for item in own["items"]} == {"100000000001"}
    for other in ("999999999999", "100000000002", "200000000002"):
        response = api.get(f"/reports/membership?providerId={other}", token=token)
        assert response.status_code == 404
        assert response.data["code"] == "PROVIDER_NOT_FOUND"


def test_filter_by_program_uses_its_own_count(api, token_for):
    token = token_for("demo.group")
    base = api.get("/reports/membership", token=token).data
    program = "Indiana - State Health Plans - Hoosier Healthwise (HHW)"
    assert program in base["programs"]
    filtered = api.get(f"/reports/membership?program={program}&limit=500", token=token).data
    assert filtered["count"] == len(filtered["items"]) > 0
    assert {item["program"] for item in filtered["items"]} == {program}
    assert filtered["count"] < base["count"]
    unknown = api.get("/reports/membership?program=Nope", token=token)
    assert unknown.status_code == 400
    assert unknown.data["fields"] == {"program": "is not a program on this roster; see 'programs'"}


def test_unknown_filters_and_forged_page_tokens_answer_400(api, token_for):
    token = token_for("demo.group")
    assert api.get("/reports/membership?state=Ohio", token=token).data["fields"] == {"state": "is not a known field"}
    other_view_token = api.get("/reports/membership?providerId=100000000002&limit=1", token=token).data["nextToken"]
    forged = api.get(f"/reports/membership?limit=1&nextToken={other_view_token}", token=token)
    assert forged.status_code == 400
    assert forged.data["fields"] == {"nextToken": "is not valid"}
    assert api.get("/reports/membership?limit=0", token=token).data["fields"] == {"limit": "must be at least 1"}


def test_a_page_is_one_query_and_the_count_is_read_not_counted(api, token_for, aws_calls):
    token = token_for("demo.group")
    aws_calls.clear()
    assert api.get("/reports/membership?limit=50", token=token).status_code == 200
    assert "Scan" not in aws_calls
    assert aws_calls.count("Query") == 1
    assert aws_calls.count("GetItem") == 4  # session, its account, provider, the roster's count
    assert set(aws_calls) <= {"GetItem", "Query", "TransactWriteItems"}  # the page's audit records, conditional Puts


def test_each_roster_member_shown_is_audited(api, token_for):
    api.get("/reports/membership?limit=5", token=token_for("demo.group"))
    actions = [event.action for event in AuditEventModel.by_user.query("demo.group")]
    assert actions.count("ROSTER_VIEWED") == 5


def test_attribution_adds_the_member_to_every_view_and_its_counts_at_once(api, token_for):
    view = roster.group_view("310000001")
    before = RosterCountModel.get(view, "COUNT").members
    newcomer = member("10000007777", "700000007777", "Nia", "Aaronson", "2010-01-01", "F", "Indiana", "English",
                      "317-555-0177", ("100000000002", "Robert Smith"),
                      [("2030-01-01", None, "Indiana - State Health Plans - Hoosier Care Connect", "Medicaid")], [])
    roster.attribute(newcomer)
    assert MemberModel.get("10000007777").pcp_provider_id == "100000000002"
    assert RosterCountModel.get(view, "COUNT").members == before + 1
    program_view = roster.group_view("310000001", "Indiana - State Health Plans - Hoosier Care Connect")
    assert RosterCountModel.get(program_view, "COUNT").members >= 1
    body = api.get("/reports/membership?limit=1", token=token_for("demo.group")).data
    assert body["items"][0]["lastName"] == "Aaronson"
    assert body["count"] == before + 1


def test_member_detail_is_audited_and_hidden_across_states(api, token_for):
    response = api.get("/members/10000000002", token=token_for("demo.group"))
    assert response.status_code == 200
    detail = response.data
    assert detail["pcp"] == {"providerId": "100000000002", "name": "Robert Smith"}
    assert [span["start"] for span in detail["coverageSpans"]] == ["2028-07-01", "2030-09-01"]
    assert detail["otherInsurance"][0]["payer"] == "Anthem Blue Cross"
    assert detail["program"] == "Indiana - State Health Plans - Hoosier Healthwise (HHW)"
    assert [e.action for e in AuditEventModel.query("10000000002")] == ["MEMBER_VIEWED"]
    assert api.get("/members/20000000001", token=token_for("demo.group")).status_code == 404
    assert api.get("/members/nope", token=token_for("demo.group")).status_code == 404
