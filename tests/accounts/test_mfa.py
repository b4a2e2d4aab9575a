"""Two-step verification through the JSON API on moto: the two-step login, replay and the window, the challenge's
limits, remembered devices, enrolment, recovery codes, resets, the secret sealed at rest, and the audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest

from chalicelib.audit import service as trail
from local.demo_data import DEMO_TOTP_SECRETS, DEMO_USER_PASSWORD
from tests.support.moto import login

GOOD = "Lantern-Orchid-42!"
STEP = timedelta(seconds=30)
ELIGIBILITY = "/members/eligibility?memberId=10000000001&dateOfService=2031-11-02"


def demo_code(username: str, clock: Any, offset: timedelta = timedelta(0)) -> str:
    return pyotp.TOTP(DEMO_TOTP_SECRETS[username]).at(clock.now + offset)


def challenge(api: Any, username: str, password: str = DEMO_USER_PASSWORD, **extra: Any) -> dict[str, Any]:
    answer = api.post("/auth/login", {"username": username, "password": password, **extra})
    assert answer.status_code == 200, answer.data
    assert answer.data["mfaRequired"] is True, answer.data
    return answer.data


def answer(api: Any, challenge_token: str, code: str, **extra: Any) -> Any:
    return api.post("/auth/login/mfa", {"challenge": challenge_token, "code": code, **extra})


def account_trail(username: str) -> list[Any]:
    return trail.by_member(trail.account_subject(username), 100, None).items


def test_a_demo_login_answers_a_short_lived_challenge_not_a_session(api, demo_users, clock):
    from chalicelib.accounts.mfa_store import MfaChallengeModel
    from chalicelib.accounts.tokens import fingerprint

    data = challenge(api, "demo.group")
    assert set(data) == {"mfaRequired", "challenge", "expiresAt"}
    assert data["expiresAt"] == (clock.now + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    stored = MfaChallengeModel.get(fingerprint(data["challenge"]))
    assert (stored.username, stored.failures) == ("demo.group", 0)
    assert api.get("/me", token=data["challenge"]).status_code == 401  # the challenge is no session


def test_the_current_code_opens_a_full_session(api, members, demo_users, clock):
    data = challenge(api, "demo.group")
    opened = answer(api, data["challenge"], demo_code("demo.group", clock))
    assert opened.status_code == 200, opened.data
    assert opened.data["mfaEnrolmentRequired"] is False
    assert opened.data["deviceToken"] is None
    eligibility = api.get(ELIGIBILITY, token=opened.data["token"])
    assert eligibility.status_code == 200, eligibility.data
    assert eligibility.data["memberId"] == "10000000001"
    assert answer(api, data["challenge"], demo_code("demo.group", clock)).data["code"] == "MFA_CHALLENGE_EXPIRED"


def test_a_code_is_good_once_and_one_step_either_side(api, demo_users, clock):
    first = challenge(api, "demo.jdoe")["challenge"]
    assert answer(api, first, demo_code("demo.jdoe", clock)).status_code == 200
    replay = challenge(api, "demo.jdoe")["challenge"]
    refused = answer(api, replay, demo_code("demo.jdoe", clock))
    assert (refused.status_code, refused.data["code"]) == (401, "INVALID_MFA_CODE")
    assert refused.data["fields"] == {"code": "is not right, or was already used"}
    assert answer(api, replay, demo_code("demo.jdoe", clock, -STEP)).data["code"] == "INVALID_MFA_CODE"  # earlier
    assert answer(api, replay, demo_code("demo.jdoe", clock, STEP)).status_code == 200  # the next step's: once
    clock.advance(minutes=2)
    late = challenge(api, "demo.jdoe")["challenge"]
    assert answer(api, late, demo_code("demo.jdoe", clock, -2 * STEP)).data["code"] == "INVALID_MFA_CODE"
    assert answer(api, late, demo_code("demo.jdoe", clock, -STEP)).status_code == 200  # a phone a little behind


def test_the_fifth_wrong_code_ends_the_challenge_and_each_is_audited_without_the_code(api, demo_users, clock):
    data = challenge(api, "demo.buckeye")
    codes = [f"{n:06d}" for n in range(111111, 666666, 111111)]
    replies = [answer(api, data["challenge"], code).data["code"] for code in codes]
    assert replies == ["INVALID_MFA_CODE"] * 4 + ["MFA_CHALLENGE_EXPIRED"]
    late = answer(api, data["challenge"], demo_code("demo.buckeye", clock))
    assert (late.status_code, late.data["code"]) == (401, "MFA_CHALLENGE_EXPIRED")
    failed = [r for r in account_trail("demo.buckeye") if r.action == "MFA_CODE_FAILED"]
    assert len(failed) == 5
    assert {(r.username, r.detail) for r in failed} == {("demo.buckeye", "login")}
    assert not any(code in str(r.attribute_values) for r in failed for code in codes)


def test_the_challenge_expires_after_five_minutes(api, demo_users, clock):
    data = challenge(api, "demo.group")
    clock.advance(minutes=5)
    late = answer(api, data["challenge"], demo_code("demo.group", clock))
    assert (late.status_code, late.data["code"]) == (401, "MFA_CHALLENGE_EXPIRED")


def test_a_login_left_at_the_code_step_keeps_counting_towards_the_lock(api, demo_users):
    for _ in range(5):
        challenge(api, "demo.group")
    locked = api.post("/auth/login", {"username": "demo.group", "password": DEMO_USER_PASSWORD})
    assert (locked.status_code, locked.data["code"]) == (423, "ACCOUNT_LOCKED")


def test_a_remembered_device_skips_the_code_for_30_days_for_its_account_only(api, demo_users, clock):
    from chalicelib.accounts.mfa_store import RememberedBrowserModel
    from chalicelib.accounts.tokens import fingerprint

    opened = answer(api, challenge(api, "demo.group")["challenge"], demo_code("demo.group", clock),
                    rememberDevice=True)
    device = opened.data["deviceToken"]
    assert device
    assert RememberedBrowserModel.get(fingerprint(device)).username == "demo.group"
    again = api.post("/auth/login", {"username": "demo.group", "password": DEMO_USER_PASSWORD, "deviceToken": device})
    assert again.status_code == 200
    assert "token" in again.data
    assert "mfaRequired" not in again.data
    assert api.get("/me", token=again.data["token"]).data["username"] == "demo.group"
    assert challenge(api, "demo.jdoe", deviceToken=device)["mfaRequired"]  # another account's device
    wrong = api.post("/auth/login", {"username": "demo.group", "password": "Wrong-Pass-123!", "deviceToken": device})
    assert wrong.status_code == 401  # the device never stands in for the password
    clock.advance(days=30)
    assert challenge(api, "demo.group", deviceToken=device)["mfaRequired"]


def test_a_password_reset_forgets_the_remembered_devices(api, active_user, pump, clock):
    from tests.support.moto import sent_emails, token_from

    active_user()
    login(api, "jdoe.office", GOOD)  # enrols
    token = login(api, "jdoe.office", GOOD)  # the code step, remembering the device
    from tests.support.mfa import code_for, device_token

    device = device_token("jdoe.office")
    assert "token" in api.post("/auth/login", {"username": "jdoe.office", "password": GOOD,
                                              "deviceToken": device}).data
    api.post("/auth/forgot-password", {"username": "jdoe.office"})
    pump.drain_queues()
    reset = [e for e in sent_emails() if "Password" in e["subject"]][-1]
    clock.advance(minutes=1)
    new_password = "Copper-Meadow-77!"
    assert api.post("/auth/reset-password", {"token": token_from(reset), "password": new_password}).status_code == 200
    assert api.get("/me", token=token).status_code == 401
    data = challenge(api, "jdoe.office", new_password, deviceToken=device)
    assert answer(api, data["challenge"], code_for("jdoe.office", clock.now)).status_code == 200


def test_a_new_account_gets_a_session_that_only_enrols_then_enrolment_makes_it_full(api, active_user, members, clock,
                                                                                    token_for):
    active_user()
    approved = api.post("/users/jdoe.office/approve", {"permissions": ["ELIGIBILITY"]}, token=token_for("demo.group"))
    assert approved.status_code == 200, approved.data  # a later registration into 310000001 waits for its approval
    first = api.post("/auth/login", {"username": "jdoe.office", "password": GOOD})
    assert first.status_code == 200
    assert first.data["mfaEnrolmentRequired"] is True
    token = first.data["token"]
    refused = api.get(ELIGIBILITY, token=token)
    assert (refused.status_code, refused.data["code"]) == (403, "MFA_ENROLMENT_REQUIRED")
    assert api.get("/me", token=token).data["username"] == "jdoe.office"
    assert api.get("/me/mfa", token=token).data == {"enrolled": False, "enrolledAt": None, "recoveryCodesLeft": 0,
                                                     "enrolmentStarted": False}
    started = api.post("/me/mfa/enrolment", token=token)
    assert started.status_code == 201
    secret = started.data["secret"]
    assert started.data["otpauthUri"] == (f"otpauth://totp/Heartland%20Health%20Plan:jdoe.office?secret={secret}"
                                          "&issuer=Heartland%20Health%20Plan")
    assert started.data["qrCodeSvg"].startswith('<svg role="img"')
    assert api.get(ELIGIBILITY, token=token).status_code == 403  # not active before its code
    wrong = api.post("/me/mfa/enrolment/confirm", {"code": pyotp.TOTP(secret).at(clock.now - 3 * STEP)}, token=token)
    assert (wrong.status_code, list(wrong.data["fields"])) == (400, ["code"])
    confirmed = api.post("/me/mfa/enrolment/confirm", {"code": pyotp.TOTP(secret).at(clock.now)}, token=token)
    assert confirmed.status_code == 200, confirmed.data
    codes = confirmed.data["recoveryCodes"]
    assert len(set(codes)) == 10
    assert all(len(code) == 19 for code in codes)
    assert api.get(ELIGIBILITY, token=token).status_code == 200  # the same session, now a full one
    status = api.get("/me/mfa", token=token).data
    assert (status["enrolled"], status["recoveryCodesLeft"], status["enrolledAt"]) == (
        True, 10, clock.now.isoformat().replace("+00:00", "Z"))
    assert challenge(api, "jdoe.office", GOOD)["mfaRequired"]
    again = api.post("/me/mfa/enrolment", token=token)
    assert (again.status_code, again.data["code"]) == (409, "MFA_ALREADY_ENROLLED")
    actions = [r.action for r in account_trail("jdoe.office") if r.action.startswith("MFA_")]
    assert sorted(actions) == ["MFA_CODE_FAILED", "MFA_ENROLLED", "MFA_ENROLMENT_STARTED"]


def test_confirming_before_starting_is_409_and_a_second_start_replaces_the_secret(api, active_user, clock):
    active_user()
    token = api.post("/auth/login", {"username": "jdoe.office", "password": GOOD}).data["token"]
    early = api.post("/me/mfa/enrolment/confirm", {"code": "123456"}, token=token)
    assert (early.status_code, early.data["code"]) == (409, "MFA_ENROLMENT_NOT_STARTED")
    old = api.post("/me/mfa/enrolment", token=token).data["secret"]
    new = api.post("/me/mfa/enrolment", token=token).data["secret"]
    assert old != new
    stale = api.post("/me/mfa/enrolment/confirm", {"code": pyotp.TOTP(old).at(clock.now)}, token=token)
    assert stale.status_code == 400
    confirmed = api.post("/me/mfa/enrolment/confirm", {"code": pyotp.TOTP(new).at(clock.now)}, token=token)
    assert confirmed.status_code == 200


def test_the_secret_is_sealed_at_rest_and_opens_only_for_its_own_account(api, active_user, clock):
    from botocore.exceptions import ClientError

    from chalicelib.accounts.mfa_store import MfaModel, mfa_key
    from chalicelib.platform.aws import keys
    from chalicelib.platform.aws.clients import aws_client
    from chalicelib.platform.config import get_settings

    active_user()
    token = api.post("/auth/login", {"username": "jdoe.office", "password": GOOD}).data["token"]
    secret = api.post("/me/mfa/enrolment", token=token).data["secret"]
    api.post("/me/mfa/enrolment/confirm", {"code": pyotp.TOTP(secret).at(clock.now)}, token=token)
    raw = aws_client("dynamodb").get_item(TableName=get_settings().resource_name("accounts"),
                                          Key={"pk": {"S": mfa_key("jdoe.office")}})["Item"]
    assert secret not in str(raw)
    sealed = MfaModel.get(mfa_key("jdoe.office")).sealed_secret
    assert keys.unseal("mfa", sealed, {"purpose": "totp-secret", "username": "jdoe.office"}) == secret
    with pytest.raises(ClientError):
        keys.unseal("mfa", sealed, {"purpose": "totp-secret", "username": "demo.group"})


def test_a_recovery_code_opens_one_session_and_is_audited(api, active_user, clock):
    active_user()
    token = api.post("/auth/login", {"username": "jdoe.office", "password": GOOD}).data["token"]
    secret = api.post("/me/mfa/enrolment", token=token).data["secret"]
    codes = api.post("/me/mfa/enrolment/confirm", {"code": pyotp.TOTP(secret).at(clock.now)}, token=token).data[
        "recoveryCodes"]
    typed = codes[3].replace("-", "").lower()
    opened = answer(api, challenge(api, "jdoe.office", GOOD)["challenge"], typed)
    assert opened.status_code == 200, opened.data
    assert api.get("/me/mfa", token=opened.data["token"]).data["recoveryCodesLeft"] == 9
    spent = answer(api, challenge(api, "jdoe.office", GOOD)["challenge"], codes[3])
    assert spent.data["code"] == "INVALID_MFA_CODE"
    used = [r for r in account_trail("jdoe.office") if r.action == "MFA_RECOVERY_CODE_USED"]
    assert [r.detail for r in used] == ["9 recovery codes left"]
    assert not any(code.replace("-", "") in str(r.attribute_values) for r in account_trail("jdoe.office")
                   for code in codes)


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(api, active_user, clock):
    active_user()
    token = api.post("/auth/login", {"username": "jdoe.office", "password": GOOD}).data["token"]
    secret = api.post("/me/mfa/enrolment", token=token).data["secret"]
    old = api.post("/me/mfa/enrolment/confirm", {"code": pyotp.TOTP(secret).at(clock.now)}, token=token).data[
        "recoveryCodes"]
    wrong = api.post("/me/mfa/recovery-codes", {"password": "Not-My-Password-1!"}, token=token)
    assert (wrong.status_code, wrong.data["fields"]) == (400, {"password": "does not match your account's password"})
    new = api.post("/me/mfa/recovery-codes", {"password": GOOD}, token=token)
    assert new.status_code == 200
    assert not set(new.data["recoveryCodes"]) & set(old)
    assert answer(api, challenge(api, "jdoe.office", GOOD)["challenge"], old[0]).data["code"] == "INVALID_MFA_CODE"
    assert answer(api, challenge(api, "jdoe.office", GOOD)["challenge"], new.data["recoveryCodes"][0]
                  ).status_code == 200
    assert "MFA_RECOVERY_CODES_REGENERATED" in [r.action for r in account_trail("jdoe.office")]


def test_the_tax_ids_administrator_resets_a_lost_device_another_office_gets_404(api, token_for, clock):
    remembered = answer(api, challenge(api, "demo.jdoe")["challenge"], demo_code("demo.jdoe", clock),
                        rememberDevice=True).data["deviceToken"]
    other = api.post("/users/demo.jdoe/mfa-reset", token=token_for("demo.buckeye"))
    assert (other.status_code, other.data["fields"]) == (404, {"username": "is not a user you administer"})
    assert api.post("/users/nobody.here/mfa-reset", token=token_for("demo.group")).status_code == 404
    assert api.post("/users/planadmin/mfa-reset", token=token_for("demo.group")).status_code == 404
    before = api.post("/auth/login", {"username": "demo.jdoe", "password": DEMO_USER_PASSWORD,
                                      "deviceToken": remembered})
    assert before.data["mfaEnrolmentRequired"] is False
    assert "token" in before.data
    reset = api.post("/users/demo.jdoe/mfa-reset", token=token_for("demo.group"))
    assert reset.status_code == 204
    after = api.post("/auth/login", {"username": "demo.jdoe", "password": DEMO_USER_PASSWORD,
                                     "deviceToken": remembered})
    assert after.data["mfaEnrolmentRequired"] is True  # the remembered device is forgotten too
    lost = api.get("/me", token=before.data["token"])  # a session the lost device holds ends with the reset
    assert (lost.status_code, lost.data["code"]) == (401, "SESSION_EXPIRED")
    assert api.get("/me", token=after.data["token"]).status_code == 200  # one opened since is the user's to enrol
    [record] = [r for r in account_trail("demo.jdoe") if r.action == "MFA_RESET"]
    assert (record.username, record.role) == ("demo.group", "PROVIDER_USER")


def test_plan_support_resets_any_provider_account(api, token_for):
    reset = api.post("/review/accounts/demo.buckeye/mfa-reset", token=token_for("planadmin"))
    assert reset.status_code == 204
    assert api.post("/auth/login", {"username": "demo.buckeye", "password": DEMO_USER_PASSWORD}).data[
        "mfaEnrolmentRequired"] is True
    assert api.post("/review/accounts/nobody.here/mfa-reset", token=token_for("planadmin")).status_code == 404
    office = api.post("/review/accounts/demo.buckeye/mfa-reset", token=token_for("demo.group"))
    assert (office.status_code, office.data["fields"]) == (403, {"permission": "SUPPORT"})
    [record] = [r for r in account_trail("demo.buckeye") if r.action == "MFA_RESET"]
    assert (record.username, record.role) == ("planadmin", "PLAN_STAFF")


def test_a_user_administrator_who_is_not_an_administrator_cannot_reset_an_administrators(api, token_for):
    refused = api.post("/users/demo.group/mfa-reset", token=token_for("demo.jdoe"))  # USER_ADMIN, no administrator
    assert (refused.status_code, refused.data["fields"]) == (403, {"permission": "ADMINISTRATOR"})
    assert api.post("/auth/login", {"username": "demo.group", "password": DEMO_USER_PASSWORD}).data["mfaRequired"]
    assert not [r for r in account_trail("demo.group") if r.action == "MFA_RESET"]


def test_wrong_passwords_for_new_recovery_codes_count_toward_the_lockout(api, active_user, clock):
    """A stolen session cannot guess the password here: five wrong ones lock the account, as at login."""
    active_user()
    token = login(api, "jdoe.office", GOOD)
    statuses = []
    for _ in range(5):
        clock.advance(seconds=1)
        statuses.append(api.post("/me/mfa/recovery-codes", {"password": "Not-My-Password-1!"}, token=token
                                 ).status_code)
    assert statuses == [400, 400, 400, 400, 423]
    clock.advance(seconds=1)
    locked = api.post("/me/mfa/recovery-codes", {"password": GOOD}, token=token)
    assert (locked.status_code, locked.data["code"]) == (423, "ACCOUNT_LOCKED")
    assert "PASSWORD_CHECK_FAILED" in [r.action for r in trail.by_member("SIGNIN#jdoe.office", 20, None).items]
