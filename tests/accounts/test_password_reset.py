from chalicelib.platform.config import get_settings
from tests.support.moto import login, sent_emails, token_from

GOOD = "Lantern-Orchid-42!"
NEW = "Copper-Kettle-Ridge-7?"


def reset_emails():
    subject = f"{get_settings().plan_name} Provider Portal Password"
    return [e for e in sent_emails() if e["subject"] == subject]


def test_forgot_password_answers_the_same_for_known_and_unknown_usernames(api, active_user, pump):
    active_user()
    known = api.post("/auth/forgot-password", {"username": "jdoe.office"})
    unknown = api.post("/auth/forgot-password", {"username": "no.such.user"})
    assert known.status_code == unknown.status_code == 202
    assert known.data == unknown.data
    pump.drain_queues()
    [email] = reset_emails()
    assert email["to"] == ["jdoe.office@example.org"]
    assert email["source"].startswith("webmaster <")
    assert "https://portal.test/reset-password?token=" in email["body"]


def test_reset_sets_the_password_unlocks_and_ends_every_session(api, active_user, pump):
    active_user()
    earlier_session = login(api, "jdoe.office", GOOD)
    for i in range(5):
        api.post("/auth/login", {"username": "jdoe.office", "password": f"Wrong-{i}-Pass!"})
    assert api.post("/auth/login", {"username": "jdoe.office", "password": GOOD}).status_code == 423

    api.post("/auth/forgot-password", {"username": "jdoe.office"})
    pump.drain_queues()
    token = token_from(reset_emails()[-1])
    response = api.post("/auth/reset-password", {"token": token, "password": NEW})
    assert response.status_code == 200

    assert api.get("/me", token=earlier_session).status_code == 401
    assert api.post("/auth/login", {"username": "jdoe.office", "password": GOOD}).status_code == 401
    assert login(api, "jdoe.office", NEW)
    reused = api.post("/auth/reset-password", {"token": token, "password": "Another-Fresh-Pass-9!"})
    assert reused.status_code == 400
    assert reused.data["code"] == "INVALID_TOKEN"


def test_reset_token_expires_after_an_hour(api, active_user, pump, clock):
    active_user()
    api.post("/auth/forgot-password", {"username": "jdoe.office"})
    pump.drain_queues()
    token = token_from(reset_emails()[-1])
    clock.advance(minutes=60)
    response = api.post("/auth/reset-password", {"token": token, "password": NEW})
    assert response.status_code == 400
    assert response.data["code"] == "INVALID_TOKEN"


def test_reset_refuses_a_weak_password_and_keeps_the_token(api, active_user, pump):
    active_user()
    api.post("/auth/forgot-password", {"username": "jdoe.office"})
    pump.drain_queues()
    token = token_from(reset_emails()[-1])
    weak = api.post("/auth/reset-password", {"token": token, "password": "password"})
    assert weak.status_code == 400
    assert weak.data["code"] == "VALIDATION_ERROR"
    assert "at least 12 characters" in weak.data["fields"]["password"]
    same = api.post("/auth/reset-password", {"token": token, "password": GOOD})
    assert same.data["fields"]["password"] == "must differ from the current password"
    assert api.post("/auth/reset-password", {"token": token, "password": NEW}).status_code == 200


def test_an_older_reset_link_stops_working_once_the_password_changed(api, active_user, pump):
    active_user()
    api.post("/auth/forgot-password", {"username": "jdoe.office"})
    api.post("/auth/forgot-password", {"username": "jdoe.office"})
    pump.drain_queues()
    older, newer = (token_from(e) for e in reset_emails())
    assert api.post("/auth/reset-password", {"token": newer, "password": NEW}).status_code == 200
    assert api.post("/auth/reset-password", {"token": older, "password": "Another-Fresh-Pass-9!"}).status_code == 400


def test_reset_emails_are_bounded_per_hour(api, active_user, pump, clock):
    active_user()
    for _ in range(6):
        assert api.post("/auth/forgot-password", {"username": "jdoe.office"}).status_code == 202
    pump.drain_queues()
    assert len(reset_emails()) == get_settings().reset_emails_per_hour
    clock.advance(hours=1, seconds=1)
    api.post("/auth/forgot-password", {"username": "jdoe.office"})
    pump.drain_queues()
    assert len(reset_emails()) == get_settings().reset_emails_per_hour + 1


def test_activation_token_cannot_reset_a_password(api, pump):
    from tests.support.moto import registration

    api.post("/auth/register", registration())
    pump.drain_queues()
    activation_token = token_from(sent_emails()[-1])
    response = api.post("/auth/reset-password", {"token": activation_token, "password": NEW})
    assert response.status_code == 400
    assert response.data["code"] == "INVALID_TOKEN"


def test_a_session_the_reset_did_not_find_ends_with_the_reset(api, active_user, pump, monkeypatch, clock):
    """The reset finds sessions through an eventually consistent index: one it misses still ends."""
    from chalicelib.accounts.store import SessionModel

    active_user()
    missed = login(api, "jdoe.office", GOOD)
    clock.advance(seconds=1)
    api.post("/auth/forgot-password", {"username": "jdoe.office"})
    pump.drain_queues()
    token = token_from(reset_emails()[-1])
    monkeypatch.setattr(SessionModel.by_username, "query", lambda *args, **kwargs: iter(()))
    assert api.post("/auth/reset-password", {"token": token, "password": NEW}).status_code == 200

    refused = api.get("/me", token=missed)
    assert refused.status_code == 401
    assert refused.data["code"] == "SESSION_EXPIRED"
    assert api.get("/me", token=login(api, "jdoe.office", NEW)).status_code == 200
