"""Passwords, tokens, hashes and security answers never reach logs or responses."""

import logging

from chalicelib.accounts.store import AccountModel, account_key
from chalicelib.platform.logs import logger
from tests.support.moto import login, registration, sent_emails, token_from


def record_fields(caplog) -> str:
    """Every attribute of every record: the message, its args and each `extra` field."""
    return "\n".join(" ".join(f"{name}={value}" for name, value in vars(record).items())
                     for record in caplog.records)


def test_a_whole_account_lifecycle_logs_no_secret(api, pump, capsys, caplog, emitted_json_logs):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger=logger.name)  # the portal's own debug lines too
    body = registration(securityAnswer="Secret Grandma Street")
    responses = [api.post("/auth/register", body)]
    pump.drain_queues()
    activation_token = token_from(sent_emails()[-1])
    responses.append(api.post("/auth/activate", {"token": activation_token}))
    responses.append(api.post("/auth/login", {"username": body["username"], "password": "Wrong-Password-9!"}))
    login = api.post("/auth/login", {"username": body["username"], "password": body["password"]})
    session_token = login.data["token"]
    responses.append(api.get("/me", token=session_token))
    responses.append(api.post("/auth/forgot-password", {"username": body["username"]}))
    pump.drain_queues()
    reset_token = token_from(sent_emails()[-1])
    responses.append(api.post("/auth/reset-password", {"token": reset_token, "password": "Copper-Kettle-Ridge-7?"}))
    pump.drain_queues()

    account = AccountModel.get(account_key(body["username"]))
    secrets = [body["password"], "Copper-Kettle-Ridge-7?", "Secret Grandma Street", "secret grandma street",
               activation_token, reset_token, session_token, account.password_hash, account.security_answer_hash]
    captured = capsys.readouterr()  # once: a second call only returns what came after the first
    json_lines = emitted_json_logs.getvalue()
    logged = "\n".join([captured.out, captured.err, caplog.text, record_fields(caplog), json_lines])
    assert "account registered" in caplog.text  # the logs are really captured
    assert '"message":"account registered"' in json_lines
    assert f'"username":"{body["username"]}"' in json_lines  # with their extra fields
    assert '"AccountRegistered"' in captured.out  # and stdout (the EMF metrics)
    for secret in secrets:
        assert secret not in logged
        for response in responses:
            assert secret not in response.body.decode()
    assert "$argon2" not in logged


def test_two_step_verification_logs_no_secret_code_or_token(api, active_user, clock, capsys, caplog,
                                                           emitted_json_logs):
    import pyotp

    from chalicelib.accounts.mfa_store import MfaModel, mfa_key

    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger=logger.name)
    body = active_user()
    pending = api.post("/auth/login", {"username": body["username"], "password": body["password"]}).data["token"]
    secret = api.post("/me/mfa/enrolment", token=pending).data["secret"]
    first_code = pyotp.TOTP(secret).at(clock.now)
    codes = api.post("/me/mfa/enrolment/confirm", {"code": first_code}, token=pending).data["recoveryCodes"]
    challenge = api.post("/auth/login", {"username": body["username"], "password": body["password"]}).data[
        "challenge"]
    api.post("/auth/login/mfa", {"challenge": challenge, "code": "000000"})
    opened = api.post("/auth/login/mfa", {"challenge": challenge, "code": codes[0], "rememberDevice": True}).data
    stored = MfaModel.get(mfa_key(body["username"]))
    secrets = [secret, first_code, challenge, opened["deviceToken"], opened["token"], stored.sealed_secret,
               *codes, *(code.replace("-", "") for code in codes), *stored.recovery_code_hashes]
    captured = capsys.readouterr()
    logged = "\n".join([captured.out, captured.err, caplog.text, record_fields(caplog), emitted_json_logs.getvalue()])
    assert "second factor enrolled" in caplog.text
    assert "login with a recovery code" in caplog.text
    leaked = [value for value in secrets if value in logged]
    assert leaked == []


def test_update_my_account_logs_and_audits_no_secret(api, active_user, pump, capsys, caplog, emitted_json_logs):
    from chalicelib.audit import service as trail

    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger=logger.name)
    body = active_user()
    token = login(api, body["username"], body["password"])  # through the second factor's set-up
    new_password, answer = "Copper-Kettle-Ridge-7?", "Hidden Orchard Lane"
    responses = [
        api.post("/me/email", {"email": "moved.office@example.org", "currentPassword": body["password"]}, token=token),
        api.post("/me/password", {"currentPassword": "Wrong-Password-9!", "newPassword": new_password}, token=token),
        api.post("/me/password", {"currentPassword": body["password"], "newPassword": new_password}, token=token),
        api.call("PUT", "/me/security-question", {"currentPassword": new_password, "securityQuestion":
                 "What city were you born in?", "securityAnswer": answer}, token=token),
    ]
    pump.drain_queues()
    link_token = token_from([e for e in sent_emails() if e["to"] == ["moved.office@example.org"]][-1])
    responses.append(api.post("/me/email/verify", {"token": link_token}, token=token))
    responses.append(api.get("/me/sessions", token=token))
    responses.append(api.get("/me/sign-ins", token=token))
    assert [r.status_code for r in responses] == [202, 400, 200, 200, 200, 200, 200]

    account = AccountModel.get(account_key(body["username"]))
    records = [*trail.by_member(f"ACCOUNT#{body['username']}", 50, None).items,
               *trail.by_member(f"SIGNIN#{body['username']}", 50, None).items]
    audited = "\n".join(f"{r.action} {r.detail} {r.user_agent} {r.client_address}" for r in records)
    assert {"PASSWORD_CHANGED", "PASSWORD_CHECK_FAILED"} <= {r.action for r in records}  # the trail is really read
    captured = capsys.readouterr()
    logged = "\n".join([captured.out, captured.err, caplog.text, record_fields(caplog),
                        emitted_json_logs.getvalue()])
    for secret in (body["password"], new_password, "Wrong-Password-9!", answer, answer.lower(), link_token, token,
                   account.password_hash, account.security_answer_hash):
        assert secret not in logged
        assert secret not in audited
        for response in responses:
            assert secret not in response.body.decode()
