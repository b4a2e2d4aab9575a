from concurrent.futures import ThreadPoolExecutor

from tests.support.moto import login

GOOD = "Lantern-Orchid-42!"


def test_login_returns_an_opaque_token_that_me_accepts(api, active_user):
    active_user()
    response = api.post("/auth/login", {"username": "jdoe.office", "password": GOOD})
    assert response.status_code == 200
    assert len(response.data["token"]) >= 40
    assert response.data["expiresAt"] < response.data["absoluteExpiresAt"]
    me = api.get("/me", token=response.data["token"])
    assert me.status_code == 200
    assert me.data["username"] == "jdoe.office"
    assert "password" not in me.body.decode().lower()


def test_unknown_user_and_wrong_password_look_the_same(api, active_user):
    active_user()
    unknown = api.post("/auth/login", {"username": "nobody", "password": GOOD})
    wrong = api.post("/auth/login", {"username": "jdoe.office", "password": "Wrong-Password-1!"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.data == wrong.data
    assert wrong.data["code"] == "INVALID_CREDENTIALS"


def test_five_failures_in_a_row_lock_the_account_even_for_the_right_password(api, active_user):
    active_user()
    statuses = [api.post("/auth/login", {"username": "jdoe.office", "password": f"Wrong-{i}-Pass!"}).status_code
                for i in range(5)]
    assert statuses == [401, 401, 401, 401, 423]
    locked = api.post("/auth/login", {"username": "jdoe.office", "password": GOOD})
    assert locked.status_code == 423
    assert locked.data["code"] == "ACCOUNT_LOCKED"


def test_a_success_resets_the_count(api, active_user):
    active_user()
    for i in range(4):
        api.post("/auth/login", {"username": "jdoe.office", "password": f"Wrong-{i}-Pass!"})
    login(api, "jdoe.office", GOOD)
    for i in range(4):
        assert api.post("/auth/login", {"username": "jdoe.office", "password": f"Wrong-{i}!"}).status_code == 401
    assert login(api, "jdoe.office", GOOD)


def test_the_lock_lifts_after_24_hours(api, active_user, clock):
    active_user()
    for i in range(5):
        api.post("/auth/login", {"username": "jdoe.office", "password": f"Wrong-{i}-Pass!"})
    clock.advance(hours=23, minutes=59)
    assert api.post("/auth/login", {"username": "jdoe.office", "password": GOOD}).status_code == 423
    clock.advance(minutes=1)
    assert login(api, "jdoe.office", GOOD)


def test_parallel_guesses_cannot_get_past_the_threshold(api, active_user):
    active_user()

    def guess(i: int) -> int:
        return api.post("/auth/login", {"username": "jdoe.office", "password": f"Guess-{i}-Wrong!"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(guess, range(24)))
    assert statuses.count(401) <= 4
    assert statuses.count(423) >= 20
    assert api.post("/auth/login", {"username": "jdoe.office", "password": GOOD}).status_code == 423


def test_logout_ends_the_session_at_once(api, active_user):
    active_user()
    token = login(api, "jdoe.office", GOOD)
    assert api.post("/auth/logout", token=token).status_code == 204
    after = api.get("/me", token=token)
    assert after.status_code == 401
    assert after.data["code"] == "SESSION_EXPIRED"


def test_me_needs_a_bearer_token(api):
    missing = api.get("/me")
    assert missing.status_code == 401
    assert missing.data["fields"] == {"Authorization": "must be 'Bearer <token>' from POST /auth/login"}
    assert api.get("/me", token="made-up-token").status_code == 401
    assert api.get("/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_thirty_idle_minutes_log_the_user_off(api, active_user, clock):
    active_user()
    token = login(api, "jdoe.office", GOOD)
    clock.advance(minutes=29)
    assert api.get("/me", token=token).status_code == 200
    clock.advance(minutes=29)  # still within 30 minutes of the last use
    assert api.get("/me", token=token).status_code == 200
    clock.advance(minutes=30)
    expired = api.get("/me", token=token)
    assert expired.status_code == 401
    assert expired.data["code"] == "SESSION_EXPIRED"


def test_a_session_ends_after_12_hours_however_busy(api, active_user, clock):
    active_user()
    token = login(api, "jdoe.office", GOOD)
    for _ in range(47):  # every 15 minutes for 11h45
        clock.advance(minutes=15)
        assert api.get("/me", token=token).status_code == 200
    clock.advance(minutes=15)
    assert api.get("/me", token=token).status_code == 401


def test_sessions_are_stored_hashed(api, active_user):
    from chalicelib.accounts.store import SessionModel
    from chalicelib.accounts.tokens import fingerprint

    active_user()
    token = login(api, "jdoe.office", GOOD)
    stored = SessionModel.get(fingerprint(token))
    assert stored.token_hash != token
    assert stored.username == "jdoe.office"
    assert stored.provider_ids == ["100000000001"]


def test_logins_are_counted_as_emf_metrics(api, active_user, capsys):
    import json

    active_user()
    capsys.readouterr()
    api.post("/auth/login", {"username": "jdoe.office", "password": "Wrong-Password-9!"})
    login(api, "jdoe.office", GOOD)
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    names = [metric["Name"] for blob in emitted for directive in blob["_aws"]["CloudWatchMetrics"]
             for metric in directive["Metrics"]]
    assert names == ["LoginFailed", "LoginSucceeded"]
    assert emitted[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "ProviderPortal"


def test_the_attempt_that_locks_the_account_emails_its_owner_how_to_unlock(api, active_user, pump):
    from tests.support.moto import email_links, sent_emails

    active_user()
    pump.drain_queues()
    before = len(sent_emails())
    for i in range(7):
        api.post("/auth/login", {"username": "jdoe.office", "password": f"Wrong-{i}-Pass!"})
    pump.drain_queues()
    [notice] = sent_emails()[before:]  # one email per lock, not one per refused attempt
    assert notice["to"] == ["jdoe.office@example.org"]
    assert notice["subject"] == "Your Heartland Health Plan Provider Portal account is locked"
    assert "locked after 5 incorrect login attempts in a row" in notice["body"]
    assert "reset your password" in notice["body"]
    assert "wait 24 hours" in notice["body"]
    assert email_links(notice) == {"https://portal.test/forgot-password"}
