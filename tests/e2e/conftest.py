"""Starts the same runner `make run` starts, on free ports, and stops it afterwards."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from local.inbox import Email, emails_to
from local.launcher import StackDidNotStart, local_stack


@dataclass
class LocalStack:
    api_url: str
    moto_url: str

    def call(self, method: str, path: str, body: Any = None, token: str | None = None, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.api_url + path, json=body, headers=headers, timeout=30, **kwargs)

    def wait_for_email(self, address: str, subject: str, count: int = 1, timeout: float = 20.0) -> Email:
        """The pump delivers queued emails within a second or two; poll the inbox like a person would."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = emails_to(self.moto_url, address, subject)
            if len(found) >= count:
                return found[count - 1]
            time.sleep(0.25)
        raise AssertionError(f"no email {subject!r} #{count} to {address} within {timeout}s")

    def login(self, username: str, password: str) -> str:
        response = self.call("POST", "/auth/login", {"username": username, "password": password})
        assert response.status_code == 200, response.text
        return response.json()["token"]


CHEAP_ARGON2 = {"PORTAL_ARGON2_TIME_COST": "1", "PORTAL_ARGON2_MEMORY_KIB": "1024", "PORTAL_ARGON2_PARALLELISM": "1"}


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    try:
        with local_stack("--schedule-seconds", "2", env=CHEAP_ARGON2) as running:
            yield LocalStack(api_url=running.api_url, moto_url=running.moto_url)
    except StackDidNotStart as error:
        pytest.fail(str(error))
