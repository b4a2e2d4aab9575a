"""One local stack (the runner `make run` starts, on free ports) for the e2e and browser tests of a run.

Starting it takes minutes on two cores (moto, the resources, the demo data), so the pytest-xdist
workers of one run share one: the first worker that asks starts it and writes its addresses next
to a lock file in the run's shared temporary directory; the others read them. Each worker that
uses it leaves a user file (its PID) there until its session ends, and the worker that started
the stack stops it only when no live user is left. A run without xdist simply starts its own.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from local.inbox import Email, emails_to
from local.launcher import RunningStack, StackDidNotStart, local_stack

# argon2id with small costs: the same code, less time on a shared 2-core machine.
CHEAP_ARGON2 = {"PORTAL_ARGON2_TIME_COST": "1", "PORTAL_ARGON2_MEMORY_KIB": "1024", "PORTAL_ARGON2_PARALLELISM": "1"}
STACK_ARGS = ("--schedule-seconds", "2")


DEMO_LOGINS = {"demo.group": "Demo-Portal-2026!", "demo.jdoe": "Demo-Portal-2026!",
               "demo.buckeye": "Demo-Portal-2026!", "planadmin": "PlanAdmin-Local-2026!"}


@dataclass
class LocalStack:
    api_url: str
    moto_url: str
    devices: dict[str, str] = field(default_factory=dict)
    """The demo users' remembered browsers (device tokens), made once when the stack started: every worker's logins
    of a demo user skip the code step with it. A 30-second code is good once per account, so logins of one user
    from two workers (and a bench) in the same step would otherwise spend the codes and lock the account."""

    def remember_demo_devices(self) -> None:
        """One login with a code per demo user (each its own account: no two share a step), kept as device tokens."""
        from tests.support.mfa import device_token

        for username, password in DEMO_LOGINS.items():
            self.login(username, password)
            self.devices[username] = str(device_token(username, self.api_url))

    def share_devices(self) -> None:
        """This worker's logins (API and browser) start from the stack's remembered devices."""
        from tests.support.mfa import DEVICE_TOKENS

        for username, token in self.devices.items():
            DEVICE_TOKENS.setdefault((self.api_url, username), token)

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

    def wait_for_link(self, address: str, subject: str, path: str, count: int = 1, timeout: float = 20.0) -> str:
        """The link in that email that opens `path` (for example "/activate") on this stack."""
        email = self.wait_for_email(address, subject, count=count, timeout=timeout)
        links = [link for link in email.links if link.startswith(self.api_url + path)]
        assert links, f"no {path} link on {self.api_url} in {subject!r} to {address}: {email.links}"
        return links[0]

    def login(self, username: str, password: str) -> str:
        """A full session's token, through the second factor's code step or enrolment (tests/support/mfa.py)."""
        from tests.support.mfa import api_login

        def post(path: str, body: dict[str, Any], token: str | None) -> tuple[int, Any]:
            response = self.call("POST", path, body, token=token)
            return response.status_code, response.json() if response.content else None

        return api_login(post, username, password, lambda: datetime.now(UTC), backend=self.api_url)

    def unused_since(self, username: str, days: float) -> None:
        """Setup only: move the account's last activity ``days`` back, as if nobody had used it since (the stack's
        inactivity schedule, fired every 2 seconds, then deactivates it once it is past the stage's days). Never for a
        demo user: other journeys log in as them."""
        import boto3

        assert username.lower() not in DEMO_LOGINS, "never make a demo user unused"
        dynamodb = boto3.client("dynamodb", endpoint_url=self.moto_url, region_name="us-east-1",
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        dynamodb.update_item(TableName="portal-local-accounts", Key={"pk": {"S": f"USER#{username.lower()}"}},
                             UpdateExpression="SET last_active_at = :then",
                             ConditionExpression="attribute_exists(idle_bucket)",
                             ExpressionAttributeValues={":then": {"S": _utc(datetime.now(UTC), -days * 86400)}})

    @contextmanager
    def lease_held(self, job: str, seconds: float = 60.0) -> Iterator[None]:
        """Hold one of the stack's job leases (``payment-cycle``) as a running job would, so the stack's own schedule
        skips that job meanwhile: the same conditional write as ``platform.dynamo.control.take_lease``, waiting while
        the schedule's run holds it. Given back at the end; it lapses by itself after ``seconds`` if the test dies."""
        import boto3
        from botocore.exceptions import ClientError

        dynamodb = boto3.client("dynamodb", endpoint_url=self.moto_url, region_name="us-east-1",
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        table, key, holder = "portal-local-control", {"control_key": {"S": f"lease#{job}"}}, f"test-{os.getpid()}"
        deadline = time.monotonic() + 30
        while True:
            now = datetime.now(UTC)
            try:
                dynamodb.update_item(
                    TableName=table, Key=key, UpdateExpression="SET holder = :holder, held_until = :until",
                    ConditionExpression="attribute_not_exists(held_until) OR held_until <= :now",
                    ExpressionAttributeValues={":holder": {"S": holder}, ":until": {"S": _utc(now, seconds)},
                                               ":now": {"S": _utc(now, 0)}})
                break
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException" or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        try:
            yield
        finally:
            try:
                dynamodb.update_item(TableName=table, Key=key, UpdateExpression="REMOVE holder, held_until",
                                     ConditionExpression="holder = :holder",
                                     ExpressionAttributeValues={":holder": {"S": holder}})
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise  # else it lapsed and another holder took it: nothing of ours to give back


def _utc(now: datetime, seconds: float) -> str:
    """A time as PynamoDB's UTCDateTimeAttribute stores it (and so compares it, as text)."""
    return (now + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")


@contextmanager
def shared_stack(shared_dir: Path | None) -> Iterator[LocalStack]:
    """The run's one stack. `shared_dir`: the directory every xdist worker of this run sees; None alone."""
    if shared_dir is None:
        with local_stack(*STACK_ARGS, env=CHEAP_ARGON2) as running:
            alone = _client(running)
            alone.remember_demo_devices()
            yield alone
        return
    shared_dir.mkdir(parents=True, exist_ok=True)
    info, users = shared_dir / "stack.json", shared_dir / "stack-users"
    users.mkdir(exist_ok=True)
    me = users / str(os.getpid())
    with ExitStack() as cleanup:
        with _locked(shared_dir):
            stack = _read(info)
            if stack is None:
                try:
                    stack = _client(cleanup.enter_context(local_stack(*STACK_ARGS, env=CHEAP_ARGON2)))
                except StackDidNotStart as error:
                    info.write_text(json.dumps({"failed": str(error)}), encoding="utf-8")
                    raise
                stack.remember_demo_devices()
                info.write_text(json.dumps({"api_url": stack.api_url, "moto_url": stack.moto_url,
                                            "devices": stack.devices}), encoding="utf-8")
                cleanup.callback(_wait_for_the_last_user, shared_dir, info, users)  # runs before the stack stops
            me.touch()
        stack.share_devices()
        try:
            yield stack
        finally:
            me.unlink(missing_ok=True)


def _wait_for_the_last_user(shared_dir: Path, info: Path, users: Path) -> None:
    """Keep the stack up while another worker uses it; withdraw it (under the lock) once none does."""
    while True:
        with _locked(shared_dir):
            if not any(_alive(user) for user in users.iterdir()):
                info.unlink(missing_ok=True)
                return
        time.sleep(0.5)


def _alive(user: Path) -> bool:
    try:
        os.kill(int(user.name), 0)
    except (ProcessLookupError, ValueError):
        user.unlink(missing_ok=True)
        return False
    except PermissionError:
        return True
    return True


def _read(info: Path) -> LocalStack | None:
    if not info.exists():
        return None
    values = json.loads(info.read_text(encoding="utf-8"))
    if "failed" in values:
        raise StackDidNotStart(values["failed"])
    return LocalStack(api_url=values["api_url"], moto_url=values["moto_url"], devices=values.get("devices", {}))


def _client(running: RunningStack) -> LocalStack:
    return LocalStack(api_url=running.api_url, moto_url=running.moto_url)


@contextmanager
def _locked(shared_dir: Path) -> Iterator[None]:
    """An exclusive flock on the run's stack.lock (a worker waits here while another starts the stack)."""
    descriptor = os.open(shared_dir / "stack.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
