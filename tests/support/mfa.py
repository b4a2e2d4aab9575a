"""Two-step verification in the tests' logins, in one place: every login helper (the moto API's, the page client's,
the local stack's, the browser journeys') goes through the code step or the enrolment as a person would.

Codes are computed with pyotp from the secrets the tests know: the demo accounts' (local/demo_data.py), and a
registered account's, read when a helper enrols it (the API's answer, or the secret printed on the page). A code
step of 30 seconds is good once per account, so a helper whose code was just used (another login in the same
step) takes the next step's, which the window accepts. Each helper asks to remember the browser (device token)
and sends it at the next login of that user on the same backend, which then skips the code step. Tokens are kept
per backend (the in-process API of the moto tests, or a local stack by its URL): one backend's token means nothing
to another, and sending it there would spend a code that another worker's login of the same demo user may need.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pyotp

from local.demo_data import DEMO_TOTP_SECRETS

STEP = timedelta(seconds=30)
SECRETS: dict[str, str] = dict(DEMO_TOTP_SECRETS)
"""username (lower case) -> TOTP secret."""
IN_PROCESS = "in-process"
"""The backend of the moto tests' in-process API (a local stack's is its URL)."""
DEVICE_TOKENS: dict[tuple[str, str], str] = {}
"""(backend, username) -> that backend's last deviceToken for the user."""
BROWSER_COOKIES: dict[str, str] = {}
"""username -> the page client's or the browser's last remembered-browser cookie value."""

Post = Callable[[str, dict[str, Any], str | None], tuple[int, Any]]
"""post(path, body, bearer token) -> (status, JSON body)."""


def _key(username: str) -> str:
    return username.strip().lower()


def secret_of(username: str) -> str:
    return SECRETS[_key(username)]


def code_for(username: str, at: datetime) -> str:
    return pyotp.TOTP(secret_of(username)).at(at)


def codes_to_try(username: str, now: datetime) -> list[str]:
    """This step's code, then the next step's (when this one was used by another login just now)."""
    return [code_for(username, now), code_for(username, now + STEP)]


def device_token(username: str, backend: str = IN_PROCESS) -> str | None:
    return DEVICE_TOKENS.get((backend, _key(username)))


def api_login(post: Post, username: str, password: str, now: Callable[[], datetime],
              backend: str = IN_PROCESS) -> str:
    """A full session's bearer token: the password, then the code (or the device token), or the enrolment."""
    body: dict[str, Any] = {"username": username, "password": password}
    if device := device_token(username, backend):
        body["deviceToken"] = device
    status, answer = post("/auth/login", body, None)
    assert status == 200, answer
    if answer.get("mfaRequired"):
        return answer_challenge(post, username, answer["challenge"], now(), backend)["token"]
    if answer.get("mfaEnrolmentRequired"):
        enrol_over_api(post, username, answer["token"], now())
    return answer["token"]


def answer_challenge(post: Post, username: str, challenge: str, now: datetime,
                     backend: str = IN_PROCESS) -> dict[str, Any]:
    answer: Any = None
    for code in codes_to_try(username, now):
        status, answer = post("/auth/login/mfa", {"challenge": challenge, "code": code, "rememberDevice": True},
                              None)
        if status == 200:
            DEVICE_TOKENS[backend, _key(username)] = answer["deviceToken"]
            return answer
        assert answer["code"] == "INVALID_MFA_CODE", answer
    raise AssertionError(f"no code of {username} was accepted: {answer}")


def enrol_over_api(post: Post, username: str, token: str, now: datetime) -> list[str]:
    """Set up the account's second factor with its (pending) session; that session becomes a full one. Returns
    the recovery codes."""
    status, enrolment = post("/me/mfa/enrolment", {}, token)
    assert status == 201, enrolment
    SECRETS[_key(username)] = enrolment["secret"]
    status, confirmed = post("/me/mfa/enrolment/confirm", {"code": code_for(username, now)}, token)
    assert status == 200, confirmed
    return confirmed["recoveryCodes"]
