"""Integration fixtures: moto with the template's resources and the demo directory, as freshly provisioned.

One moto stack per module (tests/support/moto_stack.py) is put back before every test: each test
starts from what a fresh provisioning plus its data fixtures give, and gets its own wiring and
clock. Requests refused before any AWS call use ``offline_api``, which proves they made none.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto import mock_aws

from chalicelib.platform.config import get_settings
from local import moto_queries, moto_transactions
from local.environment import PROJECT_DIR
from tests.support.moto_stack import Stack


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


TODAY = datetime(2031, 11, 23, 17, 0, tzinfo=UTC)
"""Years from any day the suite runs on: a path that reads the wall clock instead of the wiring's fails."""


def _fresh_wiring() -> FakeClock:
    """Clients and connections are kept across tests (moto intercepts them whenever a mock is
    active; making them anew costs ~80 ms each); every service is built anew on the test's clock."""
    from chalicelib import wiring

    fake = FakeClock(TODAY)
    wiring.install(wiring.Wiring(get_settings(), fake))
    return fake


@pytest.fixture(scope="session")
def provisioning_session() -> Any:
    import boto3

    return boto3.session.Session()


def _provision(session: Any) -> None:
    from infrastructure.provision import provision

    settings = get_settings()
    provision(stage=settings.stage, region=settings.region, endpoint_url=None, sender_email=settings.sender_email,
              session=session)


def _load_providers() -> None:
    from local.demo_data import load_providers

    load_providers()


def _load_members() -> None:
    """The README's fixed members, as the demo loads them on the test's day (2031-11-23, Eastern)."""
    from chalicelib.members.store import MemberModel
    from local.demo_members import fixed_members

    with MemberModel.batch_write() as batch:
        for member in fixed_members(TODAY.date()):
            batch.save(member)


def _load_demo_users() -> None:
    from local.demo_data import DEMO_ACCOUNTS, DEMO_USER_PASSWORD, PLANADMIN, save_account

    for account in DEMO_ACCOUNTS:
        save_account(account, DEMO_USER_PASSWORD)
    save_account(PLANADMIN, "PlanAdmin-Local-2026!")


def _load_roster_members() -> None:
    """The fixed members plus 150 generated Indiana ones, with their roster rows and counts."""
    from itertools import islice

    from chalicelib.reports import roster
    from local.demo_members import fixed_members, generated_members, member

    quoted = member("10000008888", "700000008888", "José", 'Smith, "Jr"', "1979-05-06", "M", "Indiana", "Spanish",
                    "317-555-0188", ("100000000001", "Jane Doe"),
                    [("2029-02-01", None, "Indiana - Marketplace", "Marketplace")], [])
    with members_module_batch() as batch:
        roster.bulk_load([*fixed_members(TODAY.date()), quoted, *islice(generated_members(TODAY.date()), 150)],
                         on_member=batch.save)


def _load_registry_members() -> None:
    """The roster_members' registry, from the demo feed (fixed seed)."""
    from itertools import islice

    from local.demo_members import fixed_members, generated_members
    from local.demo_registry import load_registry

    load_registry([m for m in (*fixed_members(TODAY.date()), *islice(generated_members(TODAY.date()), 150))
                   if m.pcp_provider_id], TODAY.date())


def _load_prior_auth_rules() -> None:
    from local.demo_prior_auth import load_rules

    load_rules()


def _load_fee_schedules() -> None:
    from local.demo_claims import load_fee_schedules

    load_fee_schedules()


DATA_LAYERS: dict[str, Callable[[], None]] = {
    "providers": _load_providers,
    "members": _load_members,
    "demo_users": _load_demo_users,
    "roster_members": _load_roster_members,
    "registry_members": _load_registry_members,
    "prior_auth_rules": _load_prior_auth_rules,
    "fee_schedules": _load_fee_schedules,
}
"""The data fixtures, by fixture name: each loader only puts DynamoDB items, so the stack can replay them."""


@pytest.fixture(scope="module")
def stack(provisioning_session: Any) -> Iterator[Stack]:
    """The template provisioned once for the module; botocore tells it what each test changes."""
    from botocore.client import BaseClient

    aws_stack = Stack(provisioning_session, get_settings().region, lambda: _provision(provisioning_session),
                      DATA_LAYERS)
    moto_transactions.install()
    moto_queries.install()
    original = BaseClient._make_api_call
    dynamodb_turn = threading.RLock()

    def observed(client: Any, operation_name: str, api_params: Any) -> Any:
        service = client.meta.service_model.service_name
        aws_stack.observe(service, operation_name, api_params)
        if service != "dynamodb":
            return original(client, operation_name, api_params)
        with dynamodb_turn:  # DynamoDB isolates each request; in-process moto does not (as local/moto_server.py)
            return original(client, operation_name, api_params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", observed)
        aws_stack.start()
        try:
            yield aws_stack
        finally:
            aws_stack.stop()


@pytest.fixture
def aws(stack: Stack, request: pytest.FixtureRequest) -> Iterator[None]:
    """The stack as freshly provisioned, with the demo providers and the data fixtures this test asks for."""
    from chalicelib import wiring

    _fresh_wiring()
    stack.reset(["providers", *(name for name in request.fixturenames if name in DATA_LAYERS)])
    yield
    wiring.install(None)


@pytest.fixture
def clock(aws: None) -> FakeClock:
    """The clock every service of this test was built with; the test moves it."""
    from chalicelib import wiring

    return wiring.current().clock  # type: ignore[return-value]


@pytest.fixture
def app(aws: None) -> Any:
    from app import app as chalice_app

    return chalice_app


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from chalice.test import Client

    with Client(app, stage_name="test", project_dir=str(PROJECT_DIR)) as test_client:
        yield test_client


@pytest.fixture
def pump(app: Any) -> Any:
    """The event pump; it first delivers the "s3:TestEvent" S3 sends when notifications are set up."""
    from local.pump import EventPump

    event_pump = EventPump(app)
    event_pump.drain_queues()
    return event_pump


@dataclass
class Api:
    """JSON over chalice.test.Client, the way a browser or script calls the API."""

    client: Any

    def call(self, method: str, path: str, body: Any = None, token: str | None = None,
             headers: dict[str, str] | None = None) -> Any:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        raw = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
        response = getattr(self.client.http, method.lower())(path, headers=sent, body=raw)
        response.data = json.loads(response.body) if response.body and response.headers.get(
            "Content-Type", "").startswith("application/json") else None
        return response

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, body, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


@dataclass
class OfflineApi(Api):
    """For requests the API refuses before any AWS call: every request checks that it made none."""

    calls: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, body: Any = None, token: str | None = None,
             headers: dict[str, str] | None = None) -> Any:
        made = len(self.calls)
        response = super().call(method, path, body, token=token, headers=headers)
        assert self.calls[made:] == [], f"{method} {path} called AWS: {self.calls[made:]}"
        return response


@pytest.fixture
def offline_api(aws_calls: list[str]) -> Iterator[OfflineApi]:
    """The app on its own wiring and clock, under a moto with nothing provisioned (nothing leaves the machine)."""
    from chalice.test import Client

    from app import app as chalice_app
    from chalicelib import wiring

    with mock_aws():
        _fresh_wiring()
        with Client(chalice_app, stage_name="test", project_dir=str(PROJECT_DIR)) as test_client:
            yield OfflineApi(test_client, aws_calls)
        wiring.install(None)


def sent_emails() -> list[dict[str, Any]]:
    """What SES accepted, from moto's backend (the same store the local inbox reads).

    Every link in them must be a page of the portal: a test that reads an email checks that on the way
    (tests/emails/test_email_links.py opens each kind of link in a browser)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID][get_settings().region]
    emails = [
        {"to": list(m.destinations.get("ToAddresses", [])), "source": m.source, "subject": m.subject, "body": m.body}
        for m in backend.sent_messages
    ]
    for email in emails:
        for link in email_links(email):
            assert is_page_link(link), f"{email['subject']!r} links {link}, which is not a page of the portal"
    return emails


_LINK = re.compile(r"https?://[^\s\"'<>]+")
_PATH_PARAMETER = re.compile(r"\{[^/]+\}")


def email_links(email: dict[str, Any]) -> set[str]:
    return {html.unescape(found).rstrip(".,") for found in _LINK.findall(email["body"])}


def is_page_link(link: str) -> bool:
    """A link whose path is a page route (GET, text/html) of the portal, never a JSON API route.

    Only the path is judged (the sample events in events/ name another origin); tests/emails/test_email_links.py
    checks that the links the services write point at the portal's own origin."""
    from urllib.parse import urlsplit

    from app import app as _registers_every_route  # noqa: F401
    from chalicelib.platform.web.api import ROUTE_CONTRACTS

    path = urlsplit(link).path
    return any(re.match("^" + _PATH_PARAMETER.sub("[^/]+", contract.path) + "$", path)
               for contract in ROUTE_CONTRACTS if contract.method == "GET" and contract.produces == "text/html")


def token_from(email: dict[str, Any]) -> str:
    from local.inbox import Email

    return Email("id", email["source"], tuple(email["to"]), email["subject"], email["body"]).token() or ""


REGISTRATION: dict[str, Any] = {
    "providerType": "Practitioner",
    "firstName": "Jane",
    "lastName": "Doe",
    "taxId": "310000001",
    "providerId": "100000000001",
    "zipCode": "46032",
    "acceptAgreement": True,
    "username": "jdoe.office",
    "password": "Lantern-Orchid-42!",
    "email": "jdoe.office@example.org",
    "securityQuestion": "What city were you born in?",
    "securityAnswer": "Muncie",
}


def registration(**changes: Any) -> dict[str, Any]:
    body = dict(REGISTRATION)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


@pytest.fixture
def active_user(api: Api, pump: Any) -> Callable[..., dict[str, Any]]:
    """Register, deliver the activation email, activate: returns the registration body used."""

    def make(**changes: Any) -> dict[str, Any]:
        body = registration(**changes)
        assert api.post("/auth/register", body).status_code == 201
        pump.drain_queues()
        activation = [e for e in sent_emails() if e["to"] == [body["email"]]
                      and e["subject"] == "Activate Your Provider Portal Account"][-1]
        assert api.post("/auth/activate", {"token": token_from(activation)}).status_code == 200
        pump.drain_queues()
        return body

    return make


def login(api: Api, username: str, password: str) -> str:
    """A full session's token: the password, then the second factor's code (or a remembered device), or, for an
    account without one yet, its enrolment (tests/support/mfa.py)."""
    from chalicelib import wiring
    from tests.support.mfa import api_login

    def post(path: str, body: dict[str, Any], token: str | None) -> tuple[int, Any]:
        response = api.post(path, body, token=token)
        return response.status_code, response.data

    return api_login(post, username, password, wiring.current().now)


@pytest.fixture
def members(stack: Stack, clock: FakeClock) -> FakeClock:
    """The README's fixed members, as the demo loads them on the test's day (2031-11-23, Eastern)."""
    stack.ensure("members")
    return clock


@pytest.fixture
def demo_users(stack: Stack, aws: None) -> None:
    stack.ensure("demo_users")


@pytest.fixture
def token_for(api: Api, demo_users: None, clock: FakeClock) -> Callable[[str], str]:
    """A session per demo user, opened anew once the test's clock has moved (sessions idle out on it)."""
    from local.demo_data import DEMO_USER_PASSWORD

    tokens: dict[tuple[str, datetime], str] = {}

    def get(username: str) -> str:
        if (username, clock.now) not in tokens:
            password = "PlanAdmin-Local-2026!" if username == "planadmin" else DEMO_USER_PASSWORD
            tokens[(username, clock.now)] = login(api, username, password)
        return tokens[(username, clock.now)]

    return get


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every AWS operation the code under test calls, in order."""
    from botocore.client import BaseClient

    calls: list[str] = []
    original = BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: Any) -> Any:
        calls.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return calls


@dataclass
class ItemsRead:
    """DynamoDB items each call read, as `make bench`'s X-Dynamo-Items-Read counts them (local/api_server.py)."""

    calls: list[tuple[str, int]] = field(default_factory=list)

    def reset(self) -> None:
        self.calls.clear()

    @property
    def total(self) -> int:
        return sum(items for _, items in self.calls)

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.calls]


@pytest.fixture
def items_read(monkeypatch: pytest.MonkeyPatch) -> ItemsRead:
    """What every DynamoDB call of the code under test read: a page that walks a partition shows here."""
    from botocore.client import BaseClient

    from local.api_server import dynamo_items_read

    read = ItemsRead()
    original = BaseClient._make_api_call

    def counting(self: Any, operation_name: str, api_params: Any) -> Any:
        result = original(self, operation_name, api_params)
        if self.meta.service_model.service_name == "dynamodb":
            read.calls.append((operation_name, dynamo_items_read(operation_name, result)))
        return result

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    return read


@pytest.fixture
def roster_members(stack: Stack, members: FakeClock) -> FakeClock:
    """The fixed members plus 150 generated Indiana ones, with their roster rows and counts."""
    stack.ensure("roster_members")
    return members


def members_module_batch() -> Any:
    from chalicelib.members.store import MemberModel

    return MemberModel.batch_write()


@pytest.fixture
def registry_members(stack: Stack, roster_members: FakeClock) -> FakeClock:
    """The roster_members' registry, from the demo feed (fixed seed)."""
    stack.ensure("registry_members")
    return roster_members


@pytest.fixture
def prior_auth_rules(stack: Stack, members: FakeClock) -> FakeClock:
    """The demo prior authorization rules."""
    stack.ensure("prior_auth_rules")
    return members


@pytest.fixture
def fee_schedules(stack: Stack, members: FakeClock) -> FakeClock:
    """The demo fee schedules."""
    stack.ensure("fee_schedules")
    return members
