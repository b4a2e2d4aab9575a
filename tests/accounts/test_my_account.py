"""Update My Account over the JSON API on moto: the user's own email address (a link to the new one, a notice to the
old one, a taken address answering like a free one), password (every other session ends), security question, active
sessions and sign-in history; every change audited without secrets, refusals naming the field with nothing saved."""

from __future__ import annotations

import pytest

from chalicelib.accounts.passwords import normalize_security_answer, secret_hasher
from chalicelib.accounts.store import AccountModel, EmailClaimModel, OneTimeTokenModel, account_key, email_key
from chalicelib.accounts.tokens import fingerprint
from chalicelib.audit import service as trail
from chalicelib.platform.dynamo.writes import Missing
from tests.support.moto import email_links, login, sent_emails, token_from

PASSWORD = "Lantern-Orchid-42!"
NEW_PASSWORD = "Quartz-Meadow-Fern-77"
NEW_EMAIL = "jane.new@example.org"
CONFIRM_SUBJECT = "Confirm your new email address for the Heartland Health Plan Provider Portal"
REQUESTED_SUBJECT = "A new email address was asked for your Heartland Health Plan Provider Portal account"
CHANGED_SUBJECT = "Your Heartland Health Plan Provider Portal email address was changed"
IN_USE_SUBJECT = "Your email address is already registered for the Heartland Health Plan Provider Portal"
PASSWORD_SUBJECT = "Your Heartland Health Plan Provider Portal password was changed"
ACCEPTED = {"status": "ACCEPTED", "message": "A link to confirm the new address is on its way there. Your email "
            "address changes when it is opened; until then it stays as it is."}


@pytest.fixture
def user(active_user, pump) -> dict:
    """jdoe.office, registered and active (it waits for its administrator's approval: My Account is its own)."""
    return active_user()


def account() -> AccountModel:
    return AccountModel.get(account_key("jdoe.office"))


def changes(username: str = "jdoe.office") -> list[tuple[str, str, str]]:
    """The account's trail of its own changes, newest first (but for its second factor's set-up at first login)."""
    return [(r.username, r.action, r.detail or "") for r in trail.by_member(f"ACCOUNT#{username}", 20, None).items
            if not r.action.startswith("MFA_")]


def login_from(api, username: str, password: str, agent: str) -> str:
    """A full session opened from a browser called ``agent`` (its User-Agent), through the second factor."""
    from chalicelib import wiring
    from tests.support.mfa import api_login

    def post(path: str, body: dict, token: str | None) -> tuple[int, dict]:
        response = api.post(path, body, token=token, headers={"User-Agent": agent})
        return response.status_code, response.data

    return api_login(post, username, password, wiring.current().now)


def emails_to(address: str, subject: str) -> list[dict]:
    return [e for e in sent_emails() if e["to"] == [address] and e["subject"] == subject]


def test_the_account_at_a_glance_never_shows_a_hash(api, user):
    token = login(api, user["username"], PASSWORD)
    mine = api.get("/me/account", token=token)
    assert mine.status_code == 200
    assert mine.data == {"username": "jdoe.office", "email": "jdoe.office@example.org", "pendingEmail": None,
                         "pendingEmailAt": None, "securityQuestion": "What city were you born in?",
                         "passwordChangedAt": None, "lastLoginAt": "2031-11-23T17:00:00Z"}
    assert "argon2" not in mine.body.decode()


def test_a_new_address_gets_the_link_the_old_one_a_notice_and_the_change_waits_for_the_link(api, user, pump, clock):
    token = login(api, user["username"], PASSWORD)
    asked = api.post("/me/email", {"email": NEW_EMAIL, "currentPassword": PASSWORD}, token=token)
    assert (asked.status_code, asked.data) == (202, ACCEPTED)
    assert (account().email, account().pending_email) == ("jdoe.office@example.org", NEW_EMAIL)
    assert api.get("/me/account", token=token).data["pendingEmail"] == NEW_EMAIL
    pump.drain_queues()

    [notice] = emails_to("jdoe.office@example.org", REQUESTED_SUBJECT)
    assert email_links(notice) == set()  # the notice carries no link
    assert "j•••••••@example.org" in notice["body"]
    [link_email] = emails_to(NEW_EMAIL, CONFIRM_SUBJECT)
    [link] = email_links(link_email)
    assert link.startswith("https://portal.test/my-account/email/verify?token=")
    secret = token_from(link_email)
    row = OneTimeTokenModel.get(fingerprint(secret))  # stored hashed, with the address it confirms
    assert (row.purpose, row.username, row.email) == ("EMAIL_CHANGE", "jdoe.office", NEW_EMAIL)
    assert row.expires_at == clock.now.replace(hour=18)  # 60 minutes, from the clock

    clock.advance(minutes=5)
    verified = api.post("/me/email/verify", {"token": secret}, token=token)
    assert (verified.status_code, verified.data) == (200, {"status": "EMAIL_CHANGED", "email": NEW_EMAIL})
    assert (account().email, account().pending_email) == (NEW_EMAIL, None)
    assert EmailClaimModel.get(email_key(NEW_EMAIL)).username == "jdoe.office"  # the claim moved
    with pytest.raises(Missing):
        EmailClaimModel.get(email_key("jdoe.office@example.org"))
    again = api.post("/me/email/verify", {"token": secret}, token=token)
    assert (again.status_code, again.data["code"]) == (400, "INVALID_TOKEN")  # once only
    pump.drain_queues()
    [changed] = emails_to("jdoe.office@example.org", CHANGED_SUBJECT)
    assert email_links(changed) == set()
    assert [(who, action) for who, action, _ in changes()] == [("jdoe.office", "EMAIL_CHANGED"),
                                                              ("jdoe.office", "EMAIL_CHANGE_REQUESTED")]
    assert changes()[0][2] == f"jdoe.office@example.org -> {NEW_EMAIL}"
    assert PASSWORD not in str(changes())


def test_a_taken_address_answers_like_a_free_one_and_its_owner_is_told(api, user, pump, aws_calls, token_for):
    token = login(api, user["username"], PASSWORD)
    aws_calls.clear()
    free = api.post("/me/email", {"email": NEW_EMAIL, "currentPassword": PASSWORD}, token=token)
    free_calls = list(aws_calls)
    pump.drain_queues()
    assert len(emails_to(NEW_EMAIL, CONFIRM_SUBJECT)) == 1
    aws_calls.clear()
    taken = api.post("/me/email", {"email": "demo.group@example.org", "currentPassword": PASSWORD}, token=token)
    assert (taken.status_code, taken.data) == (free.status_code, free.data) == (202, ACCEPTED)
    assert aws_calls == free_calls  # the same AWS work: nothing tells the two apart
    assert account().pending_email == "demo.group@example.org"  # shown the same way too
    pump.drain_queues()

    [told] = emails_to("demo.group@example.org", IN_USE_SUBJECT)
    assert "Hello demo.group" in told["body"]
    assert "jdoe.office" not in told["body"]
    assert emails_to("demo.group@example.org", CONFIRM_SUBJECT) == []  # no link to the owner's mailbox
    assert len(emails_to("jdoe.office@example.org", REQUESTED_SUBJECT)) == 2  # the notice both times
    assert account().email == "jdoe.office@example.org"
    assert EmailClaimModel.get(email_key("demo.group@example.org")).username == "demo.group"
    assert api.get("/me", token=token_for("demo.group")).data["email"] == "demo.group@example.org"


def test_a_link_works_for_its_own_account_and_latest_request_only(api, user, pump, token_for):
    token = login(api, user["username"], PASSWORD)
    api.post("/me/email", {"email": NEW_EMAIL, "currentPassword": PASSWORD}, token=token)
    pump.drain_queues()
    first = token_from(emails_to(NEW_EMAIL, CONFIRM_SUBJECT)[-1])
    foreign = api.post("/me/email/verify", {"token": first}, token=token_for("demo.jdoe"))
    assert (foreign.status_code, foreign.data["code"]) == (400, "INVALID_TOKEN")
    api.post("/me/email", {"email": "jane.other@example.org", "currentPassword": PASSWORD}, token=token)
    pump.drain_queues()
    replaced = api.post("/me/email/verify", {"token": first}, token=token)
    assert (replaced.status_code, replaced.data["code"]) == (400, "INVALID_TOKEN")
    assert account().email == "jdoe.office@example.org"
    latest = token_from(emails_to("jane.other@example.org", CONFIRM_SUBJECT)[-1])
    assert api.post("/me/email/verify", {"token": latest}, token=token).data["email"] == "jane.other@example.org"


def test_an_address_taken_before_the_link_is_opened_is_409_and_nothing_moves(api, user, pump, active_user):
    token = login(api, user["username"], PASSWORD)
    api.post("/me/email", {"email": NEW_EMAIL, "currentPassword": PASSWORD}, token=token)
    pump.drain_queues()
    secret = token_from(emails_to(NEW_EMAIL, CONFIRM_SUBJECT)[-1])
    active_user(username="quick.one", email=NEW_EMAIL)  # someone registers the address meanwhile
    refused = api.post("/me/email/verify", {"token": secret}, token=token)
    assert (refused.status_code, refused.data["code"], refused.data["fields"]) == (
        409, "ALREADY_REGISTERED", {"email": "already has an account"})
    assert account().email == "jdoe.office@example.org"
    assert EmailClaimModel.get(email_key(NEW_EMAIL)).username == "quick.one"
    assert EmailClaimModel.get(email_key("jdoe.office@example.org")).username == "jdoe.office"


@pytest.mark.parametrize(("body", "fields"), [
    ({"email": "not-an-address", "currentPassword": PASSWORD}, {"email": "has the wrong format"}),
    ({"email": "JDOE.OFFICE@example.org", "currentPassword": PASSWORD}, {"email": "is already your email address"}),
    ({"email": NEW_EMAIL, "currentPassword": "Wrong-Password-1!"},
     {"currentPassword": "does not match your account's password"}),
    ({"email": NEW_EMAIL}, {"currentPassword": "is required"}),
])
def test_a_refused_email_change_names_the_field_and_saves_nothing(api, user, pump, body, fields):
    token = login(api, user["username"], PASSWORD)
    refused = api.post("/me/email", body, token=token)
    assert (refused.status_code, refused.data["fields"]) == (400, fields)
    assert account().pending_email is None
    pump.drain_queues()
    assert emails_to(NEW_EMAIL, CONFIRM_SUBJECT) == []
    assert emails_to("jdoe.office@example.org", REQUESTED_SUBJECT) == []


def test_wrong_current_passwords_count_toward_the_lockout(api, user, pump, clock):
    token = login(api, user["username"], PASSWORD)
    wrong = {"currentPassword": "Wrong-Password-1!", "newPassword": NEW_PASSWORD}
    statuses = []
    for _ in range(5):
        clock.advance(seconds=1)  # one record a second: the trail's order is the clock's
        statuses.append(api.post("/me/password", wrong, token=token).status_code)
    assert statuses == [400, 400, 400, 400, 423]
    clock.advance(seconds=1)
    assert api.post("/me/password", wrong, token=token).data["fields"] == {}  # no more guesses: locked
    clock.advance(seconds=1)
    assert api.post("/me/password", {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, token=token
                    ).data["code"] == "ACCOUNT_LOCKED"  # the right one too, as at login
    clock.advance(seconds=1)
    assert api.post("/auth/login", {"username": "jdoe.office", "password": PASSWORD}).status_code == 423
    assert secret_hasher().verify(account().password_hash, PASSWORD)  # nothing changed
    pump.drain_queues()
    assert [e["subject"] for e in sent_emails() if e["to"] == ["jdoe.office@example.org"]][-1] == (
        "Your Heartland Health Plan Provider Portal account is locked")
    history = api.get("/me/sign-ins?limit=8", token=token).data["items"]
    assert [item["outcome"] for item in history] == ["LOCKED", "LOCKED", "LOCKED", *["PASSWORD_CHECK_FAILED"] * 5]
    assert history[3]["detail"] == "wrong password; the account is locked now"


def test_a_right_current_password_starts_the_count_again(api, user):
    token = login(api, user["username"], PASSWORD)
    for _ in range(4):
        api.call("PUT", "/me/security-question", {"currentPassword": "Nope-Nope-1!", "securityQuestion":
                                                  "What city were you born in?", "securityAnswer": "Gary"},
                 token=token)
    assert account().failed_logins == 4
    assert api.call("PUT", "/me/security-question", {"currentPassword": PASSWORD, "securityQuestion":
                    "What city were you born in?", "securityAnswer": "Gary"}, token=token).status_code == 200
    assert account().failed_logins == 0


def test_a_new_password_ends_every_other_session_and_this_one_stays(api, user, pump, clock):
    other = login(api, user["username"], PASSWORD)
    clock.advance(minutes=1)
    this = login(api, user["username"], PASSWORD)
    clock.advance(minutes=1)
    changed = api.post("/me/password", {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, token=this)
    assert (changed.status_code, changed.data) == (200, {"status": "PASSWORD_CHANGED", "otherSessionsEnded": 1})
    assert api.get("/me", token=this).status_code == 200
    assert api.get("/me", token=other).data["code"] == "SESSION_EXPIRED"
    clock.advance(minutes=1)
    assert api.get("/me", token=this).status_code == 200  # past the change, still refused only the others
    assert api.post("/auth/login", {"username": "jdoe.office", "password": PASSWORD}).status_code == 401
    assert login(api, "jdoe.office", NEW_PASSWORD)
    pump.drain_queues()
    [notice] = emails_to("jdoe.office@example.org", PASSWORD_SUBJECT)
    assert email_links(notice) == {"https://portal.test/forgot-password"}
    [(who, action, detail)] = changes()
    assert (who, action, detail) == ("jdoe.office", "PASSWORD_CHANGED", "other sessions ended: 1")


def test_a_session_the_index_missed_ends_too(api, user, clock, monkeypatch):
    """The username index is eventually consistent: a session it does not show yet is refused by the change's
    time on the account."""
    from chalicelib.accounts import office_users

    other = login(api, user["username"], PASSWORD)
    clock.advance(minutes=1)
    this = login(api, user["username"], PASSWORD)
    clock.advance(minutes=1)
    monkeypatch.setattr(office_users, "end_sessions", lambda username, keep=None: 0)
    assert api.post("/me/password", {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, token=this
                    ).status_code == 200
    assert api.get("/me", token=other).status_code == 401
    assert api.get("/me", token=this).status_code == 200


@pytest.mark.parametrize(("new", "problem"), [
    ("short-Aa1!", "must be at least 12 characters"),
    ("Welcome2024!!", "is a known breached password"),
    (PASSWORD, "must differ from the current password"),
])
def test_a_refused_new_password_names_newpassword_and_changes_nothing(api, user, new, problem):
    token = login(api, user["username"], PASSWORD)
    refused = api.post("/me/password", {"currentPassword": PASSWORD, "newPassword": new}, token=token)
    assert refused.status_code == 400
    assert problem in refused.data["fields"]["newPassword"]
    assert account().password_changed_at is None
    assert secret_hasher().verify(account().password_hash, PASSWORD)


def test_the_security_question_and_answer_change_and_the_answer_is_never_shown(api, user, pump):
    token = login(api, user["username"], PASSWORD)
    changed = api.call("PUT", "/me/security-question", {
        "currentPassword": PASSWORD, "securityQuestion": "What was the make of your first car?",
        "securityAnswer": "  Studebaker  Lark "}, token=token)
    assert (changed.status_code, changed.data) == (200, {"status": "SECURITY_QUESTION_CHANGED"})
    stored = account()
    assert stored.security_question == "What was the make of your first car?"
    assert secret_hasher().verify(stored.security_answer_hash, normalize_security_answer("studebaker lark"))
    mine = api.get("/me/account", token=token)
    assert mine.data["securityQuestion"] == "What was the make of your first car?"
    assert "Studebaker" not in mine.body.decode()
    [(who, action, detail)] = changes()
    assert (who, action, detail) == ("jdoe.office", "SECURITY_QUESTION_CHANGED", "security question and answer "
                                                                               "changed")
    pump.drain_queues()
    assert emails_to("jdoe.office@example.org",
                     "Your Heartland Health Plan Provider Portal security question was changed")


@pytest.mark.parametrize(("changes_made", "fields"), [
    ({"securityQuestion": "What is your favourite colour?"},
     {"securityQuestion": "must be one of the questions listed at GET /auth/security-questions"}),
    ({"securityAnswer": " x "}, {"securityAnswer": "must be at least 3 characters"}),
])
def test_a_refused_security_question_names_the_field(api, user, changes_made, fields):
    token = login(api, user["username"], PASSWORD)
    body = {"currentPassword": PASSWORD, "securityQuestion": "What was the make of your first car?",
            "securityAnswer": "Studebaker", **changes_made}
    refused = api.call("PUT", "/me/security-question", body, token=token)
    assert (refused.status_code, refused.data["fields"]) == (400, fields)
    assert account().security_question == "What city were you born in?"


def test_sessions_list_this_one_first_from_where_and_never_a_token(api, user, clock, token_for):
    other = login_from(api, "jdoe.office", PASSWORD, "Phone Browser 1.0")
    clock.advance(minutes=2)
    this = login_from(api, "jdoe.office", PASSWORD, "Desk Browser 2.0")
    listed = api.get("/me/sessions", token=this)
    assert listed.status_code == 200
    items = listed.data["items"]
    assert [(i["current"], i["userAgent"], i["clientAddress"]) for i in items] == [
        (True, "Desk Browser 2.0", "127.0.0.1"), (False, "Phone Browser 1.0", "127.0.0.1")]
    assert items[1]["createdAt"] == "2031-11-23T17:00:00Z"
    body = listed.body.decode()
    for secret in (this, other, fingerprint(this), fingerprint(other)):
        assert secret not in body

    foreign = api.call("DELETE", f"/me/sessions/{items[1]['sessionId']}", token=token_for("demo.jdoe"))
    assert (foreign.status_code, foreign.data["fields"]) == (404, {"sessionId": "is not one of your sessions"})
    assert api.get("/me", token=other).status_code == 200
    ended = api.call("DELETE", f"/me/sessions/{items[1]['sessionId']}", token=this)
    assert ended.status_code == 204
    assert api.get("/me", token=other).status_code == 401
    assert [i["current"] for i in api.get("/me/sessions", token=this).data["items"]] == [True]
    assert changes()[0][1:] == ("SESSION_ENDED", "another session")


def test_every_other_session_ends_at_once(api, user):
    tokens = [login(api, user["username"], PASSWORD) for _ in range(3)]
    answer = api.call("DELETE", "/me/sessions", token=tokens[-1])
    assert (answer.status_code, answer.data) == (200, {"ended": 2})
    assert [api.get("/me", token=t).status_code for t in tokens] == [401, 401, 200]


def test_sign_in_history_is_the_accounts_own_trail_newest_first_paged_by_key(api, user, clock, aws_calls,
                                                                            token_for):
    api.post("/auth/login", {"username": "jdoe.office", "password": "Wrong-Password-1!"},
             headers={"User-Agent": "Someone Else 9"})
    clock.advance(minutes=1)
    token = login_from(api, "jdoe.office", PASSWORD, "Desk Browser 2.0")
    aws_calls.clear()
    first = api.get("/me/sign-ins?limit=1", token=token)
    assert "Scan" not in aws_calls
    assert aws_calls.count("Query") == 1
    [latest] = first.data["items"]
    assert (latest["outcome"], latest["userAgent"], latest["clientAddress"], latest["occurredAt"]) == (
        "SIGNED_IN", "Desk Browser 2.0", "127.0.0.1", "2031-11-23T17:01:00Z")
    assert latest["detail"] == "the second factor is still to be set up"  # its first login: the set-up followed
    second = api.get(f"/me/sign-ins?limit=1&nextToken={first.data['nextToken']}", token=token)
    [failed] = second.data["items"]
    assert (failed["outcome"], failed["detail"], failed["userAgent"]) == ("FAILED", "wrong password", "Someone Else 9")
    assert second.data["nextToken"] is None
    foreign = api.get(f"/me/sign-ins?limit=1&nextToken={first.data['nextToken']}", token=token_for("demo.jdoe"))
    assert (foreign.status_code, foreign.data["fields"]) == (400, {"nextToken": "is not valid"})


def test_plan_staff_have_my_account_too(api, token_for):
    staff = token_for("planadmin")
    mine = api.get("/me/account", token=staff)
    assert (mine.status_code, mine.data["username"]) == (200, "planadmin")
    assert [i["outcome"] for i in api.get("/me/sign-ins", token=staff).data["items"]] == ["SIGNED_IN"]


def test_a_wrong_code_at_the_second_step_is_a_failed_sign_in(api, demo_users, clock):
    from tests.support.mfa import code_for

    challenge = api.post("/auth/login", {"username": "demo.jdoe", "password": "Demo-Portal-2026!"},
                         headers={"User-Agent": "Someone Else 9"}).data["challenge"]
    right = code_for("demo.jdoe", clock.now)
    wrong = api.post("/auth/login/mfa", {"challenge": challenge, "code": "000000" if right != "000000" else "111111"},
                     headers={"User-Agent": "Someone Else 9"})
    assert wrong.data["code"] == "INVALID_MFA_CODE"
    clock.advance(seconds=1)
    token = api.post("/auth/login/mfa", {"challenge": challenge, "code": right},
                     headers={"User-Agent": "Desk Browser 2.0"}).data["token"]
    history = api.get("/me/sign-ins", token=token).data["items"]
    assert [(i["outcome"], i["detail"], i["userAgent"]) for i in history] == [
        ("SIGNED_IN", None, "Desk Browser 2.0"),
        ("FAILED", "right password, wrong code at the second step", "Someone Else 9")]


def test_a_new_password_forgets_the_remembered_browsers(api, demo_users, clock):
    from tests.support.mfa import code_for

    challenge = api.post("/auth/login", {"username": "demo.jdoe", "password": "Demo-Portal-2026!"}).data["challenge"]
    opened = api.post("/auth/login/mfa", {"challenge": challenge, "code": code_for("demo.jdoe", clock.now),
                                          "rememberDevice": True}).data
    remembered = {"username": "demo.jdoe", "password": "Demo-Portal-2026!", "deviceToken": opened["deviceToken"]}
    assert "token" in api.post("/auth/login", remembered).data  # the browser skips the code step
    clock.advance(minutes=1)
    assert api.post("/me/password", {"currentPassword": "Demo-Portal-2026!", "newPassword": NEW_PASSWORD},
                    token=opened["token"]).status_code == 200
    again = api.post("/auth/login", {**remembered, "password": NEW_PASSWORD}).data
    assert again.get("mfaRequired") is True  # the code is asked for again
