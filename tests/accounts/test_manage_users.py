"""Manage Users over the JSON API: a later registration waits for its Tax ID's administrators; they approve it with
permissions or deny it, and change, deactivate, unlock, reset and remove its users. Each change is audited and
counts on the user's next request; another Tax ID's users are 404; the last active administrator stays."""

from __future__ import annotations

import pytest

from chalicelib.accounts.store import AccountModel, account_key
from chalicelib.audit import service as trail
from tests.support.moto import login, registration, sent_emails

APPROVAL_SUBJECT = "A new user waits for your approval in the Heartland Health Plan Provider Portal"
DEFAULTS = ["CLAIMS_VIEW", "ELIGIBILITY", "PRIOR_AUTH_VIEW"]


@pytest.fixture
def waiting(active_user, pump) -> dict:
    """jdoe.office (Jane Doe, 310000001) registered and activated: it waits for demo.group's approval."""
    body = active_user()
    pump.drain_queues()
    return body


def changes_to(username: str) -> list[tuple[str, str, str]]:
    """The user's trail of access changes, newest first (changes made in one test share the fake clock's moment:
    compare sorted); its second-factor events, which the login helpers cause, are left out."""
    return [(r.username, r.action, r.detail) for r in trail.by_member(f"ACCOUNT#{username}", 20, None).items
            if not r.action.startswith("MFA_")]


def test_a_later_registration_waits_and_every_user_administrator_is_emailed(api, waiting, token_for, members):
    assert AccountModel.get(account_key("jdoe.office")).approval == "PENDING_APPROVAL"
    notices = [e for e in sent_emails() if e["subject"] == APPROVAL_SUBJECT]
    assert sorted(e["to"][0] for e in notices) == ["demo.group@example.org", "demo.jdoe@example.org"]
    body = notices[0]["body"]
    assert "jdoe.office" in body
    assert "Jane Doe" in body
    assert "https://portal.test/manage-users" in body
    assert "jdoe.office@example.org" not in body  # the username and the provider's name only

    token = login(api, waiting["username"], waiting["password"])
    assert api.get("/me", token=token).data["access"] == "PENDING_APPROVAL"
    refused = api.get("/members/eligibility?memberId=10000000001&dateOfService=2031-11-01", token=token)
    assert (refused.status_code, refused.data["fields"]) == (403, {"permission": "ELIGIBILITY"})

    pending = api.get("/users?status=PENDING_APPROVAL", token=token_for("demo.group"))
    assert [(u["username"], u["status"], u["permissions"]) for u in pending.data["items"]] == [
        ("jdoe.office", "PENDING_APPROVAL", [])]


def test_approving_applies_the_default_set_once_and_a_second_approval_changes_nothing(api, waiting, token_for,
                                                                                      pump, members):
    group = token_for("demo.group")
    approved = api.post("/users/jdoe.office/approve", {}, token=group)
    assert approved.status_code == 200, approved.data
    assert (approved.data["status"], approved.data["permissions"], approved.data["administrator"]) == (
        "ACTIVE", DEFAULTS, False)
    token = login(api, waiting["username"], waiting["password"])
    assert api.get("/members/eligibility?memberId=10000000001&dateOfService=2031-11-01", token=token
                   ).status_code == 200
    assert api.get("/payments", token=token).data["fields"] == {"permission": "PAYMENTS"}

    twice = api.post("/users/jdoe.office/approve", {"permissions": ["PAYMENTS"]}, token=group)
    assert (twice.status_code, twice.data["code"], twice.data["fields"]) == (
        409, "NOT_AWAITING_APPROVAL", {"username": "is not waiting for approval"})
    assert api.get("/users/jdoe.office", token=group).data["permissions"] == DEFAULTS
    pump.drain_queues()
    assert any(e["to"] == ["jdoe.office@example.org"] and "is approved" in e["subject"] for e in sent_emails())
    [(who, action, detail)] = changes_to("jdoe.office")
    assert (who, action) == ("demo.group", "USER_APPROVED")
    assert detail == "taxId=310000001; permissions: CLAIMS_VIEW, ELIGIBILITY, PRIOR_AUTH_VIEW"


def test_approving_with_chosen_permissions_and_the_kept_default_set(api, waiting, token_for):
    group = token_for("demo.group")
    kept = api.call("PUT", "/default-permissions", {"permissions": ["ELIGIBILITY"]}, token=group)
    assert (kept.status_code, kept.data) == (200, {"permissions": ["ELIGIBILITY"]})
    assert api.get("/default-permissions", token=group).data == {"permissions": ["ELIGIBILITY"]}
    staff_one = api.post("/users/jdoe.office/approve", {"permissions": ["PA_REVIEWER"]}, token=group)
    assert (staff_one.status_code, staff_one.data["fields"]) == (
        400, {"permissions": "PA_REVIEWER is not a provider permission"})
    jdoe = token_for("demo.jdoe")  # user administration, not an administrator
    refused = api.post("/users/jdoe.office/approve", {"administrator": True}, token=jdoe)
    assert (refused.status_code, refused.data["fields"]) == (403, {"permission": "ADMINISTRATOR"})
    approved = api.post("/users/jdoe.office/approve", {"permissions": ["ELIGIBILITY", "CLAIMS_SUBMIT"]}, token=jdoe)
    assert approved.data["permissions"] == ["CLAIMS_SUBMIT", "ELIGIBILITY"]


def test_denying_closes_the_account_and_frees_its_email(api, waiting, token_for, pump):
    denied = api.post("/users/jdoe.office/deny", {}, token=token_for("demo.group"))
    assert (denied.status_code, denied.data) == (200, {"status": "CLOSED"})
    refused = api.post("/auth/login", {"username": waiting["username"], "password": waiting["password"]})
    assert (refused.status_code, refused.data["code"]) == (403, "ACCOUNT_CLOSED")
    assert api.get("/users/jdoe.office", token=token_for("demo.group")).status_code == 404
    pump.drain_queues()
    assert any(e["to"] == ["jdoe.office@example.org"] and "not approved" in e["subject"] for e in sent_emails())
    again = api.post("/auth/register", registration(username="jdoe.again"))  # the same email, a new account
    assert again.status_code == 201
    pump.drain_queues()
    assert sent_emails()[-1]["subject"] == "Activate Your Provider Portal Account"
    [(who, action, _)] = changes_to("jdoe.office")
    assert (who, action) == ("demo.group", "USER_DENIED")


def test_another_tax_ids_administrator_gets_404_and_changes_nothing(api, waiting, token_for):
    buckeye = token_for("demo.buckeye")
    for method, path, body in (("GET", "/users/jdoe.office", None), ("POST", "/users/jdoe.office/approve", {}),
                               ("PUT", "/users/demo.jdoe/permissions", {"permissions": []}),
                               ("POST", "/users/demo.jdoe/deactivate", {}), ("DELETE", "/users/demo.jdoe", None)):
        answer = api.call(method, path, body, token=buckeye)
        assert (answer.status_code, answer.data["fields"]) == (404, {"username": "is not a user you administer"}), path
    listed = api.get("/users", token=buckeye).data["items"]
    assert [u["username"] for u in listed] == ["demo.buckeye"]
    assert AccountModel.get(account_key("jdoe.office")).approval == "PENDING_APPROVAL"
    assert api.get("/users/demo.jdoe", token=token_for("demo.group")).data["status"] == "ACTIVE"


def test_the_list_is_the_tax_ids_partition_paged_by_token(api, waiting, token_for, aws_calls):
    group = token_for("demo.group")
    aws_calls.clear()
    first = api.get("/users?limit=2", token=group)
    assert "Scan" not in aws_calls
    assert "Query" in aws_calls
    assert [u["username"] for u in first.data["items"]] == ["demo.group", "demo.jdoe"]
    assert first.data["nextToken"]
    second = api.get(f"/users?limit=2&nextToken={first.data['nextToken']}", token=group)
    assert [(u["username"], u["status"]) for u in second.data["items"]] == [("jdoe.office", "PENDING_APPROVAL")]
    assert second.data["nextToken"] is None
    group_user = first.data["items"][0]
    assert (group_user["administrator"], group_user["locked"], group_user["providerName"]) == (
        True, False, "Default Provider")
    assert group_user["lastLoginAt"].startswith("2031-11-23")
    foreign = api.get(f"/users?limit=2&nextToken={first.data['nextToken']}", token=token_for("demo.buckeye"))
    assert (foreign.status_code, foreign.data["fields"]) == (400, {"nextToken": "is not valid"})


def test_a_change_on_a_stale_read_is_refused_and_a_current_one_is_audited(api, token_for):
    group = token_for("demo.group")
    read = api.get("/users/demo.jdoe", token=group).data
    changed = api.call("PUT", "/users/demo.jdoe/permissions",
                       {"permissions": ["ELIGIBILITY", "PAYMENTS"], "version": read["version"]}, token=group)
    assert changed.status_code == 200, changed.data
    assert changed.data["permissions"] == ["ELIGIBILITY", "PAYMENTS"]
    stale = api.call("PUT", "/users/demo.jdoe/permissions",
                     {"permissions": ["ELIGIBILITY"], "version": read["version"]}, token=group)
    assert (stale.status_code, stale.data["code"]) == (409, "PERMISSIONS_CHANGED")
    assert api.get("/users/demo.jdoe", token=group).data["permissions"] == ["ELIGIBILITY", "PAYMENTS"]
    [(who, action, detail)] = changes_to("demo.jdoe")
    assert (who, action) == ("demo.group", "USER_PERMISSIONS_CHANGED")
    assert detail == ("taxId=310000001; -CLAIMS_SUBMIT -CLAIMS_VIEW -MEMBER_DOCUMENTS -MEMBER_REPORTS "
                      "-PRIOR_AUTH_SUBMIT -PRIOR_AUTH_VIEW -USER_ADMIN")
    history = api.get("/users/demo.jdoe/history", token=group).data["items"]
    assert [(h["username"], h["action"]) for h in history] == [("demo.group", "USER_PERMISSIONS_CHANGED")]


def test_a_deactivated_users_open_session_stops_at_once_and_reactivation_lets_it_back(api, token_for):
    group, jdoe = token_for("demo.group"), token_for("demo.jdoe")
    assert api.get("/claims", token=jdoe).status_code == 200
    deactivated = api.post("/users/demo.jdoe/deactivate", {}, token=group)
    assert (deactivated.status_code, deactivated.data["status"]) == (200, "DEACTIVATED")
    assert api.get("/claims", token=jdoe).status_code == 401  # the open session, on its very next request
    refused = api.post("/auth/login", {"username": "demo.jdoe", "password": "Demo-Portal-2026!"})
    assert (refused.status_code, refused.data["code"]) == (403, "ACCOUNT_DEACTIVATED")
    twice = api.post("/users/demo.jdoe/deactivate", {}, token=group)
    assert (twice.status_code, twice.data["code"], twice.data["fields"]) == (
        409, "USER_STATUS_CONFLICT", {"status": "DEACTIVATED"})
    assert api.post("/users/demo.jdoe/reactivate", {}, token=group).data["status"] == "ACTIVE"
    assert login(api, "demo.jdoe", "Demo-Portal-2026!")
    assert sorted(action for _, action, _ in changes_to("demo.jdoe")) == ["USER_DEACTIVATED", "USER_REACTIVATED"]


def test_the_last_active_administrator_is_never_deactivated_removed_nor_oneself(api, token_for):
    jdoe, group = token_for("demo.jdoe"), token_for("demo.group")  # jdoe: user administration, no administrator
    for method, path in (("POST", "/users/demo.group/deactivate"), ("DELETE", "/users/demo.group")):
        refused = api.call(method, path, {} if method == "POST" else None, token=jdoe)
        assert (refused.status_code, refused.data["code"]) == (409, "LAST_ADMINISTRATOR"), path
    own = api.post("/users/demo.group/deactivate", {}, token=group)
    assert (own.status_code, own.data["code"]) == (409, "OWN_ACCOUNT")
    assert api.get("/users/demo.group", token=group).data["status"] == "ACTIVE"
    demote = api.call("PUT", "/users/demo.group/permissions", {"permissions": [], "administrator": False},
                      token=group)
    assert (demote.status_code, demote.data["code"]) == (409, "LAST_ADMINISTRATOR")
    assert changes_to("demo.group") == []  # nothing changed, nothing recorded


def test_unlock_and_password_reset(api, token_for, pump):
    group = token_for("demo.group")
    for attempt in range(5):
        api.post("/auth/login", {"username": "demo.jdoe", "password": f"Wrong-{attempt}-Pass!"})
    assert api.get("/users/demo.jdoe", token=group).data["locked"] is True
    unlocked = api.post("/users/demo.jdoe/unlock", {}, token=group)
    assert (unlocked.status_code, unlocked.data["locked"]) == (200, False)
    pump.drain_queues()
    [notice] = [e for e in sent_emails() if "was unlocked" in e["subject"]]
    assert notice["to"] == ["demo.jdoe@example.org"]
    assert "demo.group (a user administrator of your practice)" in notice["body"]
    assert login(api, "demo.jdoe", "Demo-Portal-2026!")
    again = api.post("/users/demo.jdoe/unlock", {}, token=group)
    assert (again.status_code, again.data["code"]) == (409, "USER_STATUS_CONFLICT")

    reset = api.post("/users/demo.jdoe/password-reset", {}, token=group)
    assert reset.status_code == 202
    pump.drain_queues()
    assert sent_emails()[-1]["to"] == ["demo.jdoe@example.org"]
    assert sent_emails()[-1]["subject"] == "Heartland Health Plan Provider Portal Password"
    assert sorted(action for _, action, _ in changes_to("demo.jdoe")) == ["USER_PASSWORD_RESET_SENT", "USER_UNLOCKED"]


def test_removing_a_user_closes_its_account_and_ends_its_sessions(api, token_for):
    group, jdoe = token_for("demo.group"), token_for("demo.jdoe")
    removed = api.call("DELETE", "/users/demo.jdoe", token=group)
    assert removed.status_code == 204
    assert api.get("/me", token=jdoe).status_code == 401
    assert api.get("/users/demo.jdoe", token=group).status_code == 404
    assert [u["username"] for u in api.get("/users", token=group).data["items"]] == ["demo.group"]
    refused = api.post("/auth/login", {"username": "demo.jdoe", "password": "Demo-Portal-2026!"})
    assert (refused.status_code, refused.data["code"]) == (403, "ACCOUNT_CLOSED")
    [(who, action, detail)] = changes_to("demo.jdoe")
    assert (who, action, detail) == ("demo.group", "USER_REMOVED",
                                     "taxId=310000001; removed from the Tax ID; account closed")


def test_a_user_without_user_administration_gets_403_naming_it(api, token_for):
    group = token_for("demo.group")
    api.call("PUT", "/users/demo.jdoe/permissions", {"permissions": ["ELIGIBILITY"]}, token=group)
    refused = api.get("/users", token=token_for("demo.jdoe"))
    assert (refused.status_code, refused.data["fields"]) == (403, {"permission": "USER_ADMIN"})
    staff = api.get("/users", token=token_for("planadmin"))
    assert (staff.status_code, staff.data["fields"]) == (403, {"permission": "USER_ADMIN"})
