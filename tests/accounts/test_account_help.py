"""Plan support's Account Help over the JSON API: an account as support sees it on a caller's call, the caller's
security answer checked (counted: 5 wrong in 24 hours stop the desk), an unlock and a fresh activation email, each
audited, the owner emailed; and the owner's email when its second factor is reset (by support or its administrator).
Refusals change nothing. The accounts are registered by the tests (jdoe.office: Jane Doe of 310000001, its security
answer "Muncie"), or the demo users on this test's own moto stack."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib import wiring
from chalicelib.accounts.store import AccountModel, account_key
from chalicelib.audit import service as trail
from chalicelib.platform.permissions import Permission
from tests.support.moto import TODAY, login, registration, sent_emails

UNLOCKED_SUBJECT = "Your Heartland Health Plan Provider Portal account was unlocked"
MFA_RESET_SUBJECT = "The two-step verification of your Heartland Health Plan Provider Portal account was reset"
ACTIVATION_SUBJECT = "Activate Your Provider Portal Account"


def desk_trail(username: str, *actions: str) -> list[tuple[str, str, str]]:
    """The account's trail of the desk's actions (who, what, detail); records of one moment of the test's clock come
    in the order of their random IDs."""
    wanted = set(actions) or {"SECURITY_ANSWER_CHECKED", "USER_UNLOCKED", "ACTIVATION_EMAIL_RESENT", "MFA_RESET"}
    found = trail.by_member(f"ACCOUNT#{username}", 50, None).items
    return [(r.username, r.action, r.detail or "") for r in reversed(found) if r.action in wanted]


def lock(api, username: str) -> None:
    for attempt in range(5):
        api.post("/auth/login", {"username": username, "password": f"Wrong-{attempt}-Pass-Word!"})
    refused = api.post("/auth/login", {"username": username, "password": "Wrong-9-Pass-Word!"})
    assert (refused.status_code, refused.data["code"]) == (423, "ACCOUNT_LOCKED")


def emails_to(address: str, subject: str) -> list[dict]:
    return [e for e in sent_emails() if e["to"] == [address] and e["subject"] == subject]


@pytest.fixture
def office(active_user, pump) -> dict:
    """jdoe.office, registered and activated: it waits for its administrator's approval."""
    body = active_user()
    pump.drain_queues()
    return body


def test_support_sees_the_account_as_on_a_call_never_its_answer(api, office, token_for):
    answer = api.get("/review/accounts/jdoe.office", token=token_for("planadmin"))
    assert answer.status_code == 200, answer.data
    assert answer.data == {
        "username": "jdoe.office", "name": "Jane Doe", "email": "jdoe.office@example.org", "role": "PROVIDER_USER",
        "providerId": "100000000001", "providerType": "Practitioner", "taxId": "310000001",
        "status": "PENDING_APPROVAL", "awaiting": "PENDING_APPROVAL", "locked": False, "lockedUntil": None,
        "failedLogins": 0, "lastLoginAt": None, "registeredAt": "2031-11-23T17:00:00Z", "mfaEnrolled": False,
        "securityQuestion": "What city were you born in?", "answerChecksLeft": 5,
    }
    assert "Muncie" not in answer.body.decode()
    assert "argon2" not in answer.body.decode()

    jdoe = api.get("/review/accounts/DEMO.JDOE", token=token_for("planadmin")).data  # usernames are case-blind
    assert (jdoe["username"], jdoe["status"], jdoe["awaiting"], jdoe["mfaEnrolled"]) == (
        "demo.jdoe", "ACTIVE", None, True)


def test_a_pending_activation_account_and_the_locked_one_with_its_time(api, token_for, pump, clock):
    assert api.post("/auth/register", registration()).status_code == 201
    pending = api.get("/review/accounts/jdoe.office", token=token_for("planadmin")).data
    assert (pending["status"], pending["awaiting"]) == ("PENDING_ACTIVATION", None)

    lock(api, "demo.buckeye")
    locked = api.get("/review/accounts/demo.buckeye", token=token_for("planadmin")).data
    assert (locked["locked"], locked["failedLogins"]) == (True, 5)
    assert locked["lockedUntil"] == "2031-11-24T17:00:00Z"  # 24 hours after the last counted attempt


def test_office_users_get_403_naming_support_and_unknown_or_staff_accounts_404(api, token_for, office):
    group = token_for("demo.group")
    for method, path, body in (("GET", "/review/accounts/jdoe.office", None),
                               ("POST", "/review/accounts/jdoe.office/security-answer", {"answer": "Muncie"}),
                               ("POST", "/review/accounts/jdoe.office/unlock", None),
                               ("POST", "/review/accounts/jdoe.office/activation-email", None)):
        refused = api.call(method, path, body, token=group)
        assert (refused.status_code, refused.data["fields"]) == (403, {"permission": "SUPPORT"}), path
    assert desk_trail("jdoe.office") == []

    staff = token_for("planadmin")
    unknown = api.get("/review/accounts/nobody.here", token=staff)
    assert (unknown.status_code, unknown.data["code"], unknown.data["fields"]) == (
        404, "NOT_FOUND", {"username": "no account has this username"})

    AccountModel(pk=account_key("reviewer"), username="reviewer", email="reviewer@example.org", role="PLAN_STAFF",
                 status="ACTIVE", password_hash="not-a-password", created_at=TODAY,
                 staff_permissions=["PA_REVIEWER"]).save()  # another plan-staff account
    assert api.get("/review/accounts/reviewer", token=staff).data["role"] == "PLAN_STAFF"  # a plan administrator
    accounts = wiring.current().accounts()
    administrator = accounts.authenticate(staff)
    accounts.change_permissions(administrator, "planadmin", frozenset({Permission.SUPPORT}))
    for method, path in (("GET", "/review/accounts/reviewer"), ("POST", "/review/accounts/reviewer/unlock"),
                         ("POST", "/review/accounts/reviewer/activation-email")):
        hidden = api.call(method, path, token=staff)  # support helps providers: like a username with no account
        assert (hidden.status_code, hidden.data["code"], hidden.data["fields"]) == (
            404, "NOT_FOUND", {"username": "no account has this username"}), path


def test_a_right_and_a_wrong_answer_say_so_and_are_audited_without_the_answer(api, office, token_for):
    staff = token_for("planadmin")
    wrong = api.post("/review/accounts/jdoe.office/security-answer", {"answer": "Gary"}, token=staff)
    assert (wrong.status_code, wrong.data) == (200, {"matches": False, "checksLeft": 4})
    right = api.post("/review/accounts/jdoe.office/security-answer", {"answer": "  muncie "}, token=staff)
    assert (right.status_code, right.data) == (200, {"matches": True, "checksLeft": 4})  # a right one costs none
    assert api.get("/review/accounts/jdoe.office", token=staff).data["answerChecksLeft"] == 4
    assert sorted(desk_trail("jdoe.office")) == [
        ("planadmin", "SECURITY_ANSWER_CHECKED", "the answer did not match; 4 wrong checks left in 24 hours"),
        ("planadmin", "SECURITY_ANSWER_CHECKED", "the answer matched"),
    ]
    records = json.dumps([r.attribute_values for r in trail.by_member("ACCOUNT#jdoe.office", 50, None).items],
                         default=str)
    assert "Gary" not in records
    assert "uncie" not in records

    empty = api.post("/review/accounts/jdoe.office/security-answer", {"answer": ""}, token=staff)
    assert (empty.status_code, list(empty.data["fields"])) == (400, ["answer"])
    unknown_field = api.post("/review/accounts/jdoe.office/security-answer", {"answer": "x", "hint": 1}, token=staff)
    assert unknown_field.status_code == 400
    assert len(desk_trail("jdoe.office")) == 2  # refused bodies are no checks


def test_five_wrong_answers_in_24_hours_stop_the_desk_until_the_window_lapses(api, office, token_for, clock):
    staff = token_for("planadmin")
    lefts = [api.post("/review/accounts/jdoe.office/security-answer", {"answer": f"Town {n}"}, token=staff
                      ).data["checksLeft"] for n in range(5)]
    assert lefts == [4, 3, 2, 1, 0]
    stopped = api.post("/review/accounts/jdoe.office/security-answer", {"answer": "Muncie"}, token=staff)
    assert (stopped.status_code, stopped.data["code"]) == (429, "TOO_MANY_ANSWER_CHECKS")
    assert stopped.data["fields"]["answer"] == (
        "5 wrong answers in 24 hours: no more checks until 11/24/2031 12:00 PM EST")
    assert int(stopped.headers["Retry-After"]) == 24 * 3600
    assert "matches" not in stopped.data  # the right answer is not compared, let alone said
    checks = desk_trail("jdoe.office")  # one moment on the test's clock: their order is the records' random IDs'
    assert len(checks) == 6
    assert ("planadmin", "SECURITY_ANSWER_CHECKED", "refused, nothing compared: 5 wrong answers in 24 hours") in checks

    clock.advance(hours=23, minutes=59)
    assert api.post("/review/accounts/jdoe.office/security-answer", {"answer": "Muncie"},
                    token=token_for("planadmin")).status_code == 429
    clock.advance(minutes=1)
    again = api.post("/review/accounts/jdoe.office/security-answer", {"answer": "Muncie"}, token=token_for("planadmin"))
    assert (again.status_code, again.data) == (200, {"matches": True, "checksLeft": 5})


def test_parallel_wrong_answers_cannot_pass_the_limit(api, office, token_for):
    staff = token_for("planadmin")

    def guess(i: int) -> int:
        return api.post("/review/accounts/jdoe.office/security-answer", {"answer": f"Guess {i}"},
                        token=staff).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(guess, range(16)))
    assert (statuses.count(200), statuses.count(429)) == (5, 11)
    assert api.post("/review/accounts/jdoe.office/security-answer", {"answer": "Muncie"}, token=staff
                    ).status_code == 429


def test_unlock_clears_the_lockout_audits_and_emails_the_owner_and_the_account_logs_in(api, office, token_for, pump):
    lock(api, "jdoe.office")
    staff = token_for("planadmin")
    unlocked = api.post("/review/accounts/jdoe.office/unlock", token=staff)
    assert unlocked.status_code == 200, unlocked.data
    assert (unlocked.data["locked"], unlocked.data["lockedUntil"], unlocked.data["failedLogins"]) == (False, None, 0)
    assert desk_trail("jdoe.office") == [
        ("planadmin", "USER_UNLOCKED", "by plan support: failed logins cleared; the owner was emailed")]
    pump.drain_queues()
    [notice] = emails_to("jdoe.office@example.org", UNLOCKED_SUBJECT)
    assert "unlocked by planadmin (plan support staff)" in notice["body"]
    assert "https://portal.test/login" in notice["body"]
    assert login(api, "jdoe.office", office["password"])  # logs in (and sets up its second factor)

    again = api.post("/review/accounts/jdoe.office/unlock", token=staff)
    assert (again.status_code, again.data["code"]) == (409, "NOT_LOCKED")
    pump.drain_queues()
    assert len(emails_to("jdoe.office@example.org", UNLOCKED_SUBJECT)) == 1
    assert len(desk_trail("jdoe.office", "USER_UNLOCKED")) == 1


def test_the_activation_email_goes_again_to_a_pending_account_only(api, token_for, pump, office):
    staff = token_for("planadmin")
    refused = api.post("/review/accounts/jdoe.office/activation-email", token=staff)  # activated: waits for approval
    assert (refused.status_code, refused.data["code"], refused.data["fields"]) == (
        409, "NOT_PENDING_ACTIVATION", {"status": "PENDING_APPROVAL"})
    active = api.post("/review/accounts/demo.jdoe/activation-email", token=staff)
    assert (active.status_code, active.data["fields"]) == (409, {"status": "ACTIVE"})
    assert desk_trail("jdoe.office", "ACTIVATION_EMAIL_RESENT") == []

    assert api.post("/auth/register", registration(username="frontdesk2", email="frontdesk2@example.org")
                    ).status_code == 201
    pump.drain_queues()
    sent = api.post("/review/accounts/frontdesk2/activation-email", token=staff)
    assert sent.status_code == 202, sent.data
    assert "activation email is on its way" in sent.data["message"]
    pump.drain_queues()
    first, second = emails_to("frontdesk2@example.org", ACTIVATION_SUBJECT)
    assert first["body"] != second["body"]  # a new link
    assert desk_trail("frontdesk2") == [
        ("planadmin", "ACTIVATION_EMAIL_RESENT", "to the account's own email address")]


@pytest.mark.parametrize(("path", "actor", "words"), [
    ("/review/accounts/demo.jdoe/mfa-reset", "planadmin", "reset by planadmin (plan support staff)"),
    ("/users/demo.jdoe/mfa-reset", "demo.group", "reset by demo.group (a user administrator of your practice)"),
])
def test_the_owner_is_emailed_when_its_second_factor_is_reset(api, token_for, pump, path, actor, words):
    assert api.post(path, token=token_for(actor)).status_code == 204
    pump.drain_queues()
    [notice] = emails_to("demo.jdoe@example.org", MFA_RESET_SUBJECT)
    assert words in notice["body"]
    assert "You set it up again at your next login" in notice["body"]
    refused = api.post("/users/demo.jdoe/mfa-reset", token=token_for("demo.buckeye"))  # another office: nothing sent
    assert refused.status_code == 404
    pump.drain_queues()
    assert len(emails_to("demo.jdoe@example.org", MFA_RESET_SUBJECT)) == 1
