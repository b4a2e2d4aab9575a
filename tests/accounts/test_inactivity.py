"""Provider accounts unused for 90 days are deactivated by the daily job (on moto, with the test clock): only what
is due is read, a login racing the job wins, plan staff never; the owner is emailed and the account's trail says so;
a password reset through the emailed link brings it back (never an administrator's deactivation), and so does
Manage Users' Reactivate."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.accounts import inactivity
from chalicelib.accounts.inactivity_service import InactivityService
from chalicelib.accounts.store import AccountModel, SessionModel, account_key
from chalicelib.audit import service as trail
from local.events import scheduled_event
from tests.support.moto import TODAY, login, sent_emails, token_from
from tests.support.pages import Browser

DEACTIVATED_SUBJECT = "Your Heartland Health Plan Provider Portal account is deactivated"
RESET_SUBJECT = "Heartland Health Plan Provider Portal Password"
DEMO_PROVIDER_USERS = ("demo.group", "demo.jdoe", "demo.buckeye")


@pytest.fixture
def idle_user(api, active_user, clock):
    """A Jane Doe office account of 310000001 activated ``days`` before the test's day (its last activity), the clock
    back on the test's day after; ``logs_in``: it also logged in then (a session the job must end)."""

    def make(username: str, days: float, *, logs_in: bool = False) -> dict:
        clock.now = TODAY - timedelta(days=days)
        body = active_user(username=username, email=f"{username}@example.org")
        if logs_in:
            assert login(api, username, body["password"])
        clock.now = TODAY
        return body

    return make


def run_job() -> tuple[str, ...]:
    run = wiring.current().inactivity().deactivate_unused()
    assert run.ran
    return run.deactivated


def account(username: str) -> AccountModel:
    return AccountModel.get(account_key(username), consistent_read=True)


def sessions_of(username: str) -> list[str]:
    return [session.token_hash for session in SessionModel.by_username.query(username)]


def test_an_account_unused_for_91_days_is_deactivated_and_one_of_89_days_is_not(idle_user, demo_users, pump):
    idle_user("idle.office", 91, logs_in=True)
    idle_user("recent.office", 89)
    assert sessions_of("idle.office")

    assert run_job() == ("idle.office",)
    idle = account("idle.office")
    assert (idle.status, idle.deactivated_reason, idle.deactivated_at) == ("DISABLED", "INACTIVITY", TODAY)
    assert (idle.idle_bucket, idle.last_active_at) == (None, None)  # out of the index: never read again
    assert sessions_of("idle.office") == []  # its sessions end, as an administrator's deactivation ends them
    recent = account("recent.office")
    assert (recent.status, recent.last_active_at) == ("ACTIVE", TODAY - timedelta(days=89))
    for username in DEMO_PROVIDER_USERS:  # loaded today: their last activity is the load
        assert account(username).status == "ACTIVE"
    assert run_job() == ()  # the next day's run finds nothing new

    pump.drain_queues()
    [email] = [e for e in sent_emails() if e["to"] == ["idle.office@example.org"] and e["subject"] ==
               DEACTIVATED_SUBJECT]
    assert "was deactivated because it was not used for 90 days" in email["body"]
    assert "reset your password" in email["body"]
    assert "Provider Administrator to reactivate it in Manage Users" in email["body"]
    assert "https://portal.test/forgot-password" in email["body"]
    assert "token=" not in email["body"]
    assert not [e for e in sent_emails() if e["to"] == ["recent.office@example.org"] and e["subject"] ==
                DEACTIVATED_SUBJECT]

    [record] = [r for r in trail.by_member("ACCOUNT#idle.office", 20, None).items
                if r.action == "USER_DEACTIVATED_UNUSED"]
    assert (record.username, record.role, record.detail) == ("system", "SYSTEM",
                                                            "taxId=310000001; not used for 90 days")


def test_plan_staff_are_never_deactivated_nor_in_the_index(demo_users, clock):
    staff = account("planadmin")
    assert (staff.idle_bucket, staff.last_active_at) == (None, None)
    AccountModel(pk=staff.pk).update(actions=[AccountModel.last_login_at.set(TODAY - timedelta(days=400))])
    clock.advance(days=400)  # every demo provider account is due then: the job deactivates them, never planadmin
    deactivated = run_job()
    assert set(deactivated) == set(DEMO_PROVIDER_USERS)
    assert account("planadmin").status == "ACTIVE"


def test_a_login_keeps_the_last_activity_in_the_write_it_already_makes(api, idle_user, monkeypatch):
    body = idle_user("idle.office", 91)
    from botocore.client import BaseClient

    calls: list[tuple[str, str]] = []
    original = BaseClient._make_api_call

    def recording(self, operation_name, api_params):
        calls.append((operation_name, json.dumps(api_params, default=str)))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    assert api.post("/auth/login", {"username": "idle.office", "password": body["password"]}).status_code == 200
    monkeypatch.undo()
    writes = [params for operation, params in calls if operation in ("UpdateItem", "TransactWriteItems", "PutItem")]
    touching = [params for params in writes if "last_active_at" in params]
    assert len(touching) == 1  # one write sets it ...
    assert "last_login_at" in touching[0]  # ... the one that sets the last login
    assert "idle_bucket" in touching[0]
    logged = account("idle.office")
    assert (logged.last_active_at, logged.last_login_at) == (TODAY, TODAY)
    assert logged.idle_bucket == inactivity.bucket_of("idle.office")
    assert run_job() == ()  # used today: not due


def test_a_login_at_the_last_moment_wins_over_the_job(api, idle_user, monkeypatch):
    body = idle_user("idle.office", 91)
    read_due = InactivityService.due

    def due_then_login(bucket, cutoff, most):  # the job has read it as due; the user logs in before its write
        found = read_due(bucket, cutoff, most)
        if any(item.username == "idle.office" for item in found):
            assert login(api, "idle.office", body["password"])
        return found

    monkeypatch.setattr(InactivityService, "due", staticmethod(due_then_login))
    run = wiring.current().inactivity().deactivate_unused()
    assert (run.deactivated, run.skipped) == ((), 1)
    assert account("idle.office").status == "ACTIVE"
    assert api.get("/me", token=login(api, "idle.office", body["password"])).status_code == 200
    assert not [r for r in trail.by_member("ACCOUNT#idle.office", 20, None).items
                if r.action == "USER_DEACTIVATED_UNUSED"]


def test_the_job_reads_only_the_accounts_that_are_due_and_no_table_scan(idle_user, demo_users, items_read):
    idle_user("idle.one", 120)
    idle_user("idle.two", 95)
    for number in range(4):
        idle_user(f"busy.{number}", number)  # active accounts: none of them is read
    items_read.reset()
    assert sorted(run_job()) == ["idle.one", "idle.two"]
    operations = items_read.operations()
    assert "Scan" not in operations
    assert "GetItem" not in operations  # the index's projection suffices
    assert "BatchGetItem" not in operations
    assert operations.count("Query") == inactivity.BUCKETS + 2  # each bucket once, each account's sessions once
    assert items_read.total == 2  # the two due accounts; no session, none of the six active accounts


def test_a_run_is_bounded_and_two_runs_never_overlap(idle_user, monkeypatch):
    from dataclasses import replace

    from chalicelib.platform.dynamo.control import release_lease, take_lease

    for number in range(3):
        idle_user(f"idle.{number}", 100 + number)
    service = InactivityService(replace(wiring.current().settings, inactivity_run_limit=2),
                                clock=wiring.current().clock)
    assert take_lease("inactivity", "another-run", TODAY, timedelta(minutes=15))
    assert service.deactivate_unused().ran is False  # another run holds the lease: nothing read, nothing changed
    assert account("idle.0").status == "ACTIVE"
    release_lease("inactivity", "another-run")
    first = service.deactivate_unused()
    assert len(first.deactivated) == 2  # at most the run limit
    second = service.deactivate_unused()  # the next run goes on with the rest
    assert len(second.deactivated) == 1
    assert {*first.deactivated, *second.deactivated} == {"idle.0", "idle.1", "idle.2"}


def test_the_schedule_runs_the_job(app, idle_user):
    from local.events import invoke

    idle_user("idle.office", 91)
    invoke(app, "deactivate_unused_accounts", scheduled_event(app, "deactivate_unused_accounts", TODAY))
    assert account("idle.office").status == "DISABLED"


def test_its_login_says_what_to_do_and_a_wrong_password_answers_as_for_anyone(api, idle_user):
    body = idle_user("idle.office", 91)
    assert run_job() == ("idle.office",)
    right = api.post("/auth/login", {"username": "idle.office", "password": body["password"]})
    assert (right.status_code, right.data["code"], right.data["fields"]) == (403, "ACCOUNT_DEACTIVATED",
                                                                             {"reason": "INACTIVITY"})
    assert "not used for 90 days" in right.data["message"]
    assert "Reset your password" in right.data["message"]
    wrong = api.post("/auth/login", {"username": "idle.office", "password": "Not-The-Password-1!"})
    unknown = api.post("/auth/login", {"username": "no.such.office", "password": "Not-The-Password-1!"})
    assert (wrong.status_code, wrong.data) == (unknown.status_code, unknown.data) == (401, {
        "code": "INVALID_CREDENTIALS", "message": "The username or password is incorrect.", "fields": {}})


def test_the_login_page_says_what_to_do_only_to_the_right_password(client, idle_user):
    body = idle_user("idle.office", 91)
    assert run_job() == ("idle.office",)
    browser = Browser(client)
    refused = browser.submit("/login", {"username": "idle.office", "password": body["password"]})
    assert refused.status == 403
    [alert] = refused.html.select(".usa-alert--warning")
    words = alert.get_text(" ", strip=True)
    assert "Your account is deactivated" in words
    assert "not used for 90 days" in words
    assert alert.select_one("a[href='/forgot-password']").get_text(strip=True) == "reset your password"
    assert "Provider Administrator to reactivate it" in words
    wrong = browser.submit("/login", {"username": "idle.office", "password": "Not-The-Password-1!"})
    unknown = browser.submit("/login", {"username": "no.such.office", "password": "Not-The-Password-1!"})
    assert wrong.status == unknown.status == 401
    assert wrong.html.select_one("#password-error").get_text(strip=True) == unknown.html.select_one(
        "#password-error").get_text(strip=True)
    assert "deactivated" not in wrong.text


def test_a_reset_through_the_emailed_link_brings_it_back(api, idle_user, pump):
    body = idle_user("idle.office", 91)
    assert run_job() == ("idle.office",)
    assert api.post("/auth/forgot-password", {"username": "idle.office"}).status_code == 202
    pump.drain_queues()
    [reset] = [e for e in sent_emails() if e["to"] == ["idle.office@example.org"] and e["subject"] == RESET_SUBJECT]
    new_password = "Harbor-Violet-Comet-58"
    answer = api.post("/auth/reset-password", {"token": token_from(reset), "password": new_password})
    assert answer.status_code == 200, answer.data
    back = account("idle.office")
    assert (back.status, back.deactivated_reason, back.last_active_at) == ("ACTIVE", None, TODAY)
    assert back.idle_bucket == inactivity.bucket_of("idle.office")
    assert api.get("/me", token=login(api, "idle.office", new_password)).data["username"] == "idle.office"
    assert api.post("/auth/login", {"username": "idle.office", "password": body["password"]}).status_code == 401
    actions = [(r.username, r.action) for r in trail.by_member("ACCOUNT#idle.office", 20, None).items
               if r.action.startswith("USER_")]
    assert sorted(actions) == [("idle.office", "USER_REACTIVATED_BY_RESET"), ("system", "USER_DEACTIVATED_UNUSED")]


def test_a_reset_never_brings_back_an_account_an_administrator_deactivated(api, active_user, token_for, pump):
    body = active_user(username="office.user", email="office.user@example.org")
    group = token_for("demo.group")
    assert api.post("/users/office.user/approve", {}, token=group).status_code == 200
    assert api.post("/auth/forgot-password", {"username": "office.user"}).status_code == 202  # while active
    pump.drain_queues()
    [early] = [e for e in sent_emails() if e["to"] == ["office.user@example.org"] and e["subject"] == RESET_SUBJECT]
    assert api.post("/users/office.user/deactivate", {}, token=group).data["status"] == "DEACTIVATED"
    assert (account("office.user").idle_bucket, account("office.user").last_active_at) == (None, None)

    assert api.post("/auth/forgot-password", {"username": "office.user"}).status_code == 202
    pump.drain_queues()
    assert len([e for e in sent_emails() if e["to"] == ["office.user@example.org"]
                and e["subject"] == RESET_SUBJECT]) == 1  # no link for it now
    new_password = "Harbor-Violet-Comet-58"
    assert api.post("/auth/reset-password", {"token": token_from(early), "password": new_password}
                    ).status_code == 200  # a link sent before: the password changes, the account stays deactivated
    assert account("office.user").status == "DISABLED"
    refused = api.post("/auth/login", {"username": "office.user", "password": new_password})
    assert (refused.status_code, refused.data["code"], refused.data["fields"]) == (403, "ACCOUNT_DEACTIVATED", {})
    assert "Provider Administrator to reactivate" in refused.data["message"]
    assert body


def test_manage_users_shows_the_reason_and_reactivate_brings_it_back(api, client, idle_user, token_for):
    idle_user("idle.office", 91)
    group = token_for("demo.group")
    assert api.post("/users/idle.office/approve", {}, token=group).status_code == 200
    assert run_job() == ("idle.office",)
    shown = api.get("/users/idle.office", token=group).data
    assert (shown["status"], shown["deactivatedReason"]) == ("DEACTIVATED", "INACTIVITY")
    assert api.get("/users/demo.jdoe", token=group).data["deactivatedReason"] is None

    browser = Browser(client)
    assert browser.login("demo.group", "Demo-Portal-2026!").status == 303
    listed = browser.get("/manage-users")
    row = next(tr for tr in listed.html.select("table:has(#users-caption) tbody tr") if "idle.office" in tr.get_text())
    assert "Deactivated: not used for 90 days" in row.get_text(" ", strip=True)
    page = browser.get("/manage-users/users/idle.office")
    assert "Deactivated: not used for 90 days" in page.text
    done = browser.submit("/manage-users/users/idle.office/reactivate", {}, form_page="/manage-users/users/idle.office")
    assert done.status == 303, done.text
    back = account("idle.office")
    assert (back.status, back.deactivated_reason, back.last_active_at) == ("ACTIVE", None, TODAY)
    assert run_job() == ()  # its time without use starts again at the reactivation
    [record] = [r for r in trail.by_member("ACCOUNT#idle.office", 20, None).items if r.action == "USER_REACTIVATED"]
    assert (record.username, record.detail) == ("demo.group", "taxId=310000001; it was not used for 90 days")
