"""Impersonate User: the rules (pure) and the service over the JSON API on moto.

Plan support staff view the portal as an office user, a Tax ID's administrators as its users: a session of its own
(the actor's is kept), read-only, ending at most 30 minutes after its start whatever is done in it, with the user's
permissions and never a plan-staff one. The refusals change nothing; every audit record made in the view names both;
the user is emailed once the view ends.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.accounts import impersonation as rules
from chalicelib.accounts.store import ImpersonationModel
from chalicelib.audit import service as trail
from chalicelib.emails import outbox
from chalicelib.platform.errors import ImpersonationRefused, NotFound, PermissionRequired
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, STAFF_PERMISSIONS, Permission
from tests.support.moto import TODAY, sent_emails

NOTICE = "Someone viewed the Heartland Health Plan Provider Portal as you"
ELIGIBILITY = "/members/eligibility?memberId=10000000001&dateOfService=2031-11-01"


# The rules

def party(username: str, *, staff: bool = False, active: bool = True, tax_id: str | None = "310000001",
          administrator: bool = False, permissions: frozenset[Permission] | None = None) -> rules.Party:
    held = permissions if permissions is not None else (STAFF_PERMISSIONS if staff else PROVIDER_PERMISSIONS)
    return rules.Party(username, staff, active, None if staff else tax_id, administrator, held)


SUPPORT = party("support", staff=True)
ADMIN = party("office.admin", administrator=True)
USER_ADMIN = party("office.useradmin")
FRONT_DESK = party("front.desk", permissions=frozenset({Permission.ELIGIBILITY}))


@pytest.mark.parametrize(("actor", "user", "expected"), [
    (SUPPORT, FRONT_DESK, None),
    (SUPPORT, ADMIN, None),  # plan support views as any office user, administrators too
    (ADMIN, FRONT_DESK, None),
    (ADMIN, party("another.admin", administrator=True), None),  # the same rank
    (USER_ADMIN, FRONT_DESK, None),
    (USER_ADMIN, ADMIN, (ImpersonationRefused, "is a Provider Administrator, a higher rank than yours: only an "
                                               "administrator views as one")),
    (SUPPORT, party("support"), (ImpersonationRefused, "is your own account")),
    (ADMIN, party("Office.Admin", administrator=True), (ImpersonationRefused, "is your own account")),
    (SUPPORT, party("auditor", staff=True), (ImpersonationRefused, "is a plan-staff account, and plan staff are "
                                                                   "never viewed as")),
    (ADMIN, party("auditor", staff=True), (NotFound, rules.NOT_VIEWABLE)),  # unseen, as another office's user
    (ADMIN, party("other.office", tax_id="310000002"), (NotFound, rules.NOT_VIEWABLE)),
    (SUPPORT, party("gone", active=False), (ImpersonationRefused, "is not an active account")),
    (FRONT_DESK, party("colleague"), (PermissionRequired, "USER_ADMIN")),
    (party("reviewer", staff=True, permissions=frozenset({Permission.PA_REVIEWER})), FRONT_DESK,
     (PermissionRequired, "SUPPORT")),
])
def test_who_may_view_as_whom(actor, user, expected):
    refused = rules.refusal(actor, user)
    if expected is None:
        assert refused is None
        return
    kind, words = expected
    assert type(refused) is kind
    assert words in (refused.fields.get("username"), refused.fields.get("permission"))


def test_a_view_ends_30_minutes_after_its_start_or_with_the_actors_session():
    assert rules.view_ends_at(TODAY, TODAY + timedelta(hours=2)) == TODAY + timedelta(minutes=30)
    assert rules.view_ends_at(TODAY, TODAY + timedelta(minutes=12)) == TODAY + timedelta(minutes=12)


def test_a_view_holds_no_plan_staff_permission():
    assert rules.view_permissions(frozenset(Permission)) == PROVIDER_PERMISSIONS


def test_durations_are_whole_minutes_rounded_up():
    assert rules.minutes_between(TODAY, TODAY + timedelta(seconds=10)) == 1
    assert rules.minutes_between(TODAY, TODAY + timedelta(minutes=5)) == 5
    assert rules.minutes_between(TODAY, TODAY + timedelta(minutes=5, seconds=1)) == 6
    assert rules.duration_words(1) == "1 minute"
    assert rules.duration_words(30) == "30 minutes"


def test_an_impersonation_token_is_told_apart_from_a_logins():
    from chalicelib.accounts.tokens import new_token

    assert rules.is_impersonation_token(rules.TOKEN_PREFIX + new_token())
    assert not any(rules.is_impersonation_token(new_token()) for _ in range(200))


# The service, over the API

def view_as(api, token: str, username: str):
    return api.post("/impersonations", {"username": username}, token=token)


@pytest.fixture
def support_view(api, token_for):
    """planadmin (plan support) views the portal as demo.jdoe: (the view's token, planadmin's own token)."""
    own = token_for("planadmin")
    started = view_as(api, own, "demo.jdoe")
    assert started.status_code == 201, started.data
    return started.data["token"], own


def test_support_views_as_an_office_user_with_its_providers_and_permissions(api, token_for, support_view, clock):
    view, own = support_view
    me = api.get("/me", token=view).data
    assert (me["username"], me["impersonatedBy"], me["role"]) == ("demo.jdoe", "planadmin", "PROVIDER_USER")
    assert [p["providerId"] for p in me["providers"]] == ["100000000001"]
    assert me["session"]["expiresAt"] == me["session"]["absoluteExpiresAt"] == (
        TODAY + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    current = api.get("/impersonations/current", token=view).data
    assert (current["username"], current["impersonatedBy"], current["office"]) == (
        "demo.jdoe", "planadmin", "Jane Doe, Tax ID 310000001")

    principal = wiring.current().impersonations().authenticate(view)
    assert principal.permissions == PROVIDER_PERMISSIONS  # demo.jdoe's, and none of planadmin's
    assert principal.impersonated_by == "planadmin"
    refused = api.get("/audit/users/demo.jdoe", token=view)  # a plan-staff function
    assert (refused.status_code, refused.data["fields"]) == (403, {"permission": "AUDIT_READER"})

    assert api.get("/me", token=own).data["username"] == "planadmin"  # the actor's own session is kept
    assert api.get("/impersonations/current", token=own).data["code"] == "NOT_IMPERSONATING"


def test_the_view_is_read_only(api, token_for, support_view):
    view, _ = support_view
    from tests.claims.test_claims import office_visit

    refused = api.post("/claims", office_visit(), token=view)
    assert (refused.status_code, refused.data["code"]) == (403, "IMPERSONATION_READ_ONLY")
    assert "viewing the portal as demo.jdoe, read-only" in refused.data["message"]
    claims = api.get("/claims", token=token_for("demo.jdoe")).data
    assert claims["items"] == []  # nothing was submitted


def test_every_record_of_the_view_names_both_and_the_user_is_emailed_at_its_end(api, support_view, members, clock,
                                                                                 pump):
    view, own = support_view
    clock.advance(minutes=2)
    assert api.get(ELIGIBILITY, token=view).status_code == 200
    clock.advance(minutes=3)
    ended = api.call("DELETE", "/impersonations/current", token=view)
    assert ended.status_code == 200, ended.data
    assert (ended.data["username"], ended.data["impersonatedBy"], ended.data["minutes"]) == (
        "demo.jdoe", "planadmin", 5)
    assert api.get("/me", token=view).status_code == 401  # the view's token stops working
    assert api.get("/me", token=own).data["username"] == "planadmin"

    [check] = trail.by_member("10000000001", 10, None).items
    assert (check.username, check.impersonated_by, check.action) == ("demo.jdoe", "planadmin", "ELIGIBILITY_CHECK")
    account = [(r.username, r.impersonated_by, r.action, r.detail) for r in trail.by_member(
        "ACCOUNT#demo.jdoe", 10, None).items]
    assert account == [
        ("demo.jdoe", "planadmin", "IMPERSONATION_ENDED", "viewed as demo.jdoe by planadmin for 5 minutes; ended by "
                                                          "planadmin"),
        ("planadmin", None, "IMPERSONATION_STARTED", "viewing as demo.jdoe (Jane Doe, Tax ID 310000001), read-only, "
                                                     "until 2031-11-23T17:30:00+00:00"),
    ]
    shown = api.get("/audit/members/10000000001", token=own).data["items"]
    assert (shown[0]["username"], shown[0]["impersonatedBy"]) == ("demo.jdoe", "planadmin")

    pump.drain_queues()
    [notice] = [e for e in sent_emails() if e["subject"] == NOTICE]
    assert notice["to"] == ["demo.jdoe@example.org"]
    assert ("planadmin (plan support staff) viewed the Provider Portal as you, to help you, from 11/23/2031 12:00 PM "
            "EST to 11/23/2031 12:05 PM EST (5 minutes)") in notice["body"]
    assert "read-only" in notice["body"]
    clock.advance(minutes=40)  # past the time limit the notice was first written for: it is not sent twice
    outbox.sweep(clock.now)
    pump.drain_queues()
    assert len([e for e in sent_emails() if e["subject"] == NOTICE]) == 1


def test_the_view_ends_30_minutes_after_its_start_whatever_is_done_in_it(api, support_view, clock, pump):
    view, own = support_view
    for _ in range(29):
        clock.advance(minutes=1)
        assert api.get("/me", token=view).status_code == 200
    clock.advance(minutes=1)
    expired = api.get("/me", token=view)
    assert (expired.status_code, expired.data["code"]) == (401, "SESSION_EXPIRED")
    assert api.get("/me", token=view).status_code == 401
    ends = [r for r in trail.by_member("ACCOUNT#demo.jdoe", 10, None).items if r.action == "IMPERSONATION_ENDED"]
    assert [(r.detail, r.impersonated_by) for r in ends] == [
        ("viewed as demo.jdoe by planadmin for 30 minutes; the time limit was reached", "planadmin")]  # once
    assert api.get("/me", token=own).data["username"] == "planadmin"  # kept alive by the view's activity
    pump.drain_queues()
    [notice] = [e for e in sent_emails() if e["subject"] == NOTICE]
    assert "(30 minutes)" in notice["body"]


def test_a_view_nobody_ends_emails_the_user_at_its_time_limit(api, support_view, clock, pump):
    pump.drain_queues()
    assert [e for e in sent_emails() if e["subject"] == NOTICE] == []
    clock.advance(minutes=32)
    assert outbox.sweep(clock.now) == 1
    pump.drain_queues()
    [notice] = [e for e in sent_emails() if e["subject"] == NOTICE]
    assert "from 11/23/2031 12:00 PM EST to 11/23/2031 12:30 PM EST (30 minutes)" in notice["body"]


def test_logging_out_of_the_view_ends_it(api, support_view):
    view, own = support_view
    assert api.post("/auth/logout", token=view).status_code == 204
    assert api.get("/me", token=view).status_code == 401
    assert api.get("/me", token=own).status_code == 200
    assert sorted(r.action for r in trail.by_member("ACCOUNT#demo.jdoe", 10, None).items) == [  # one moment: sorted
        "IMPERSONATION_ENDED", "IMPERSONATION_STARTED"]


def test_an_administrator_views_as_its_own_users_only(api, token_for):
    group = token_for("demo.group")
    started = view_as(api, group, "demo.jdoe")
    assert started.status_code == 201, started.data
    assert api.get("/me", token=started.data["token"]).data["impersonatedBy"] == "demo.group"
    assert api.call("DELETE", "/impersonations/current", token=started.data["token"]).status_code == 200
    for username in ("demo.buckeye", "planadmin", "nobody.here"):  # another office's, plan staff, no one: alike
        refused = view_as(api, group, username)
        assert (refused.status_code, refused.data["code"], refused.data["fields"]) == (
            404, "NOT_FOUND", {"username": rules.NOT_VIEWABLE}), username
    assert trail.by_member("ACCOUNT#demo.buckeye", 10, None).items == []  # nothing written


def test_refusals_name_the_reason_and_change_nothing(api, token_for, support_view, clock):
    view, own = support_view
    answers = {
        "own account": view_as(api, token_for("demo.group"), "demo.group"),
        "higher rank": view_as(api, token_for("demo.jdoe"), "demo.group"),
        "plan staff": view_as(api, token_for("demo.jdoe"), "planadmin"),
        "while viewing": view_as(api, view, "demo.group"),
        "a second view": view_as(api, own, "demo.group"),
    }
    assert {name: (a.status_code, a.data["code"], a.data["fields"]) for name, a in answers.items()} == {
        "own account": (403, "IMPERSONATION_REFUSED", {"username": "is your own account"}),
        "higher rank": (403, "IMPERSONATION_REFUSED", {"username": "is a Provider Administrator, a higher rank than "
                                                                   "yours: only an administrator views as one"}),
        "plan staff": (404, "NOT_FOUND", {"username": rules.NOT_VIEWABLE}),
        "while viewing": (409, "ALREADY_IMPERSONATING", {}),
        "a second view": (409, "ALREADY_IMPERSONATING", {}),
    }
    views = [row.token_hash for row in ImpersonationModel.scan(ImpersonationModel.token_hash.startswith("IMP#"))]
    assert views == [wiring.current().impersonations().authenticate(view).session_id]  # still the one view only
    assert api.call("DELETE", "/impersonations/current", token=view).status_code == 200
    assert view_as(api, own, "demo.group").status_code == 201  # once it ended, another may start


def test_plan_support_never_views_as_plan_staff_nor_as_an_account_that_is_not_active_or_has_no_second_factor(
        api, token_for, active_user):
    from chalicelib.accounts.store import AccountModel, account_key

    AccountModel(pk=account_key("reviewer"), username="reviewer", email="reviewer@example.org", role="PLAN_STAFF",
                 status="ACTIVE", password_hash="not-a-password", created_at=TODAY,
                 staff_permissions=["PA_REVIEWER"]).save()  # another plan-staff account
    waiting = active_user()["username"]  # registered and activated: active, waits for approval, no second factor
    closed = active_user(username="gone.user", email="gone.user@example.org")["username"]
    assert api.post(f"/users/{closed}/deny", token=token_for("demo.group")).status_code == 200
    staff = token_for("planadmin")
    answers = {name: view_as(api, staff, name) for name in ("reviewer", closed, "planadmin")}
    assert {name: (a.status_code, a.data["fields"]) for name, a in answers.items()} == {
        "reviewer": (403, {"username": "is a plan-staff account, and plan staff are never viewed as"}),
        closed: (403, {"username": "is not an active account"}),
        "planadmin": (403, {"username": "is your own account"}),
    }
    unenrolled = view_as(api, staff, waiting)  # active, but it has no second factor yet: it sees no data itself
    assert (unenrolled.status_code, unenrolled.data["fields"]) == (403, {"username": rules.NO_SECOND_FACTOR})


def test_a_user_without_user_administration_views_as_nobody(api, token_for):
    from tests.platform.test_authorization_matrix import principal_of

    group = principal_of(token_for("demo.group"))
    wiring.current().accounts().change_permissions(group, "demo.jdoe", frozenset({Permission.ELIGIBILITY}))
    refused = view_as(api, token_for("demo.jdoe"), "demo.group")
    assert (refused.status_code, refused.data["fields"]) == (403, {"permission": "USER_ADMIN"})


def test_the_view_ends_when_its_actor_loses_the_right(api, token_for, support_view):
    view, own = support_view
    from tests.platform.test_authorization_matrix import principal_of

    staff = principal_of(own)
    wiring.current().accounts().change_permissions(staff, "planadmin", STAFF_PERMISSIONS - {Permission.SUPPORT})
    assert api.get("/me", token=view).status_code == 401
    [end] = [r for r in trail.by_member("ACCOUNT#demo.jdoe", 10, None).items if r.action == "IMPERSONATION_ENDED"]
    assert end.detail.endswith("; the right to view as the user ended")


def test_the_view_ends_with_the_actors_own_session(api, support_view):
    view, own = support_view
    assert api.post("/auth/logout", token=own).status_code == 204
    assert api.get("/me", token=view).status_code == 401
    [end] = [r for r in trail.by_member("ACCOUNT#demo.jdoe", 10, None).items if r.action == "IMPERSONATION_ENDED"]
    assert end.detail.endswith("; the actor's own session ended")


def test_a_view_the_users_deactivation_ended_frees_its_actor_for_another(api, token_for, support_view):
    view, own = support_view
    assert api.post("/users/demo.jdoe/deactivate", token=token_for("demo.group")).status_code == 200
    assert api.get("/me", token=view).status_code == 401
    started = view_as(api, own, "demo.group")
    assert started.status_code == 201, started.data


def test_the_users_own_sessions_leave_the_view_out_and_ending_them_ends_it(api, token_for, support_view):
    view, _ = support_view
    jdoe = token_for("demo.jdoe")
    listed = api.get("/me/sessions", token=jdoe)
    assert listed.status_code == 200, listed.data
    assert [item["current"] for item in listed.data["items"]] == [True]  # its own session, not the view
    in_view = api.get("/me/sessions", token=view)  # a GET the view may open: the user's sessions, none of them it
    assert (in_view.status_code, [item["current"] for item in in_view.data["items"]]) == (200, [False])
    ended = api.call("DELETE", "/me/sessions", token=jdoe)  # the user ends every other session: the view too
    assert (ended.status_code, ended.data["ended"]) == (200, 1)
    assert api.get("/me", token=view).status_code == 401
