"""Passwords, tokens, hashes and security answers never reach logs or responses."""

import logging

from chalicelib.accounts.store import AccountModel, account_key
from tests.integration.conftest import registration, sent_emails, token_from


def test_a_whole_account_lifecycle_logs_no_secret(api, pump, capsys, caplog):
    caplog.set_level(logging.DEBUG)
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
    logged = capsys.readouterr().out + capsys.readouterr().err + caplog.text
    assert "account registered" in logged  # the logs are really captured
    for secret in secrets:
        assert secret not in logged
        for response in responses:
            assert secret not in response.body.decode()
    assert "$argon2" not in logged
