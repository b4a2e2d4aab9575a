"""Who may see a member's detail and its clinical alerts: the member's attributed panel, and plan staff.

Eligibility stays answerable for any member of the office's states, without the alerts.
"""

import pytest

from chalicelib.audit.store import AuditEventModel

INDIANA_HIP = "Indiana - State Health Plans - Healthy Indiana Plan (HIP)"
ROBERTS = "10000009001"
"""Attributed to Robert Smith (Default Provider group), with BH Clinical Info: like the demo's 10000002273."""
NOBODYS = "10000009002"
"""An Indiana member with no PCP, with BH Clinical Info: like the demo's 10000003077."""
AVA, OLIVIA = "10000000001", "20000000001"


@pytest.fixture
def panel_members(members):
    from local.demo_members import member

    for member_id, pcp in ((ROBERTS, ("100000000002", "Robert Smith")), (NOBODYS, None)):
        member(member_id, "7" + member_id[1:], "Casey", f"Panel{member_id[-1]}", "1988-03-04", "F", "Indiana",
               "English", "317-555-0190", pcp, [("2029-01-01", None, INDIANA_HIP, "Medicaid")], [],
               [("BH_CLINICAL_INFO", "2031-10-01")]).save()
    return members


# who asks, which member, seen?
MATRIX = [
    ("demo.group", AVA, True),        # Jane Doe's member: the group's Tax ID
    ("demo.group", ROBERTS, True),    # Robert Smith's member: the group's Tax ID
    ("demo.group", NOBODYS, False),   # no PCP: nobody's panel
    ("demo.group", OLIVIA, False),    # another Tax ID (and state)
    ("demo.jdoe", AVA, True),         # her own member
    ("demo.jdoe", ROBERTS, False),    # her colleague's member: same Tax ID, not her panel
    ("demo.jdoe", NOBODYS, False),
    ("demo.buckeye", OLIVIA, True),   # Maria Garcia's member, Buckeye's Tax ID
    ("demo.buckeye", AVA, False),     # another Tax ID
    ("planadmin", ROBERTS, True),
    ("planadmin", NOBODYS, True),
    ("planadmin", OLIVIA, True),
]


@pytest.mark.parametrize(("username", "member_id", "seen"), MATRIX)
def test_member_detail_and_its_alerts_belong_to_the_attributed_panel(api, token_for, panel_members, username,
                                                                     member_id, seen):
    response = api.get(f"/members/{member_id}", token=token_for(username))
    viewed = [e for e in AuditEventModel.query(member_id) if e.action == "MEMBER_VIEWED"]
    if seen:
        assert response.status_code == 200, response.data
        assert response.data["memberId"] == member_id
        if member_id in (ROBERTS, NOBODYS, AVA):
            assert "BH Clinical Info" in [alert["label"] for alert in response.data["alerts"]]
        assert [e.username for e in viewed] == [username]
    else:
        assert response.status_code == 404
        assert response.data["code"] == "MEMBER_NOT_FOUND"
        assert "alerts" not in response.data
        assert "BH Clinical Info" not in response.body.decode()
        assert viewed == []  # nothing was read, so nothing is recorded as viewed


@pytest.mark.parametrize(("username", "member_id"), [("demo.jdoe", ROBERTS), ("demo.group", NOBODYS),
                                                     ("demo.jdoe", NOBODYS)])
def test_eligibility_answers_for_members_outside_the_panel_without_the_alerts(api, token_for, panel_members,
                                                                           username, member_id):
    response = api.get(f"/members/eligibility?memberId={member_id}&dateOfService=2031-11-02",
                       token=token_for(username))
    assert response.status_code == 200, response.data
    assert (response.data["memberId"], response.data["eligible"]) == (member_id, True)
    assert "alerts" not in response.data
    assert "BH Clinical Info" not in response.body.decode()
    assert "BH_CLINICAL_INFO" not in response.body.decode()
