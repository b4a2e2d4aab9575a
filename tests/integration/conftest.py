"""Integration fixtures: a fresh moto per test, with the template's resources and the demo directory."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto import mock_aws

from chalicelib.config import get_settings
from local.environment import PROJECT_DIR


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def _reset_service() -> None:
    """Clients and connections are kept across tests (moto intercepts them whenever a mock is
    active; making them anew costs ~80 ms each); the service is rebuilt so each test gets its clock."""
    from chalicelib.accounts import service
    from chalicelib.claims import payments
    from chalicelib.claims import service as claims
    from chalicelib.priorauth import service as prior_auth

    service._service = None
    prior_auth._service = None
    claims._service = None
    payments._service = None


@pytest.fixture(scope="session")
def provisioning_session() -> Any:
    import boto3

    return boto3.session.Session()


@pytest.fixture
def aws(provisioning_session: Any) -> Iterator[None]:
    from infrastructure.provision import provision
    from local.demo_data import load_providers

    settings = get_settings()
    with mock_aws():
        _reset_service()
        provision(stage=settings.stage, region=settings.region, endpoint_url=None, sender_email=settings.sender_email,
                  session=provisioning_session)
        load_providers()
        yield
        _reset_service()


@pytest.fixture
def clock(aws: None) -> FakeClock:
    """Install an AccountService whose clock the test moves."""
    from chalicelib.accounts import service

    fake = FakeClock(datetime.now(UTC).replace(microsecond=0))
    service._service = service.AccountService(get_settings(), clock=fake)
    return fake


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


def sent_emails() -> list[dict[str, Any]]:
    """What SES accepted, from moto's backend (the same store the local inbox reads)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID][get_settings().region]
    return [
        {"to": list(m.destinations.get("ToAddresses", [])), "source": m.source, "subject": m.subject, "body": m.body}
        for m in backend.sent_messages
    ]


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
    response = api.post("/auth/login", {"username": username, "password": password})
    assert response.status_code == 200, response.data
    return response.data["token"]


TODAY = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


@pytest.fixture
def members(aws: None) -> FakeClock:
    """The README's fixed members, and member/document services whose 'today' is 2026-11-23 (Eastern)."""
    from chalicelib.documents import service as documents
    from chalicelib.members import service as members_module
    from local.demo_members import fixed_members

    with members_module.MemberModel.batch_write() as batch:
        for member in fixed_members():
            batch.save(member)
    fake = FakeClock(TODAY)
    members_module._service = members_module.MemberService(get_settings(), clock=fake)
    documents._service = documents.DocumentService(get_settings(), members_module._service, clock=fake)
    return fake


@pytest.fixture
def demo_users(aws: None) -> None:
    from local.demo_data import DEMO_ACCOUNTS, DEMO_USER_PASSWORD, PLANADMIN, save_account

    for account in DEMO_ACCOUNTS:
        save_account(account, DEMO_USER_PASSWORD)
    save_account(PLANADMIN, "PlanAdmin-Local-2026!")


@pytest.fixture
def token_for(api: Api, demo_users: None) -> Callable[[str], str]:
    from local.demo_data import DEMO_USER_PASSWORD

    tokens: dict[str, str] = {}

    def get(username: str) -> str:
        if username not in tokens:
            password = "PlanAdmin-Local-2026!" if username == "planadmin" else DEMO_USER_PASSWORD
            tokens[username] = login(api, username, password)
        return tokens[username]

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


@pytest.fixture
def roster_members(members: FakeClock) -> FakeClock:
    """The fixed members plus 150 generated Indiana ones, with their roster rows and counts; an export
    service on the same clock."""
    from itertools import islice

    from chalicelib.reports import exports, roster
    from local.demo_members import fixed_members, generated_members, member

    quoted = member("10000008888", "700000008888", "José", 'Smith, "Jr"', "1979-05-06", "M", "Indiana", "Spanish",
                    "317-555-0188", ("100000000001", "Jane Doe"),
                    [("2024-02-01", None, "Indiana - Marketplace", "Marketplace")], [])
    with members_module_batch() as batch:
        roster.bulk_load([*fixed_members(), quoted, *islice(generated_members(), 150)], on_member=batch.save)
    exports._service = exports.ExportService(get_settings(), clock=members)
    return members


def members_module_batch() -> Any:
    from chalicelib.models.members import MemberModel

    return MemberModel.batch_write()


@pytest.fixture
def registry_members(roster_members: FakeClock) -> FakeClock:
    """The roster_members' registry, from the demo feed (fixed seed)."""
    from itertools import islice

    from local.demo_members import fixed_members, generated_members
    from local.demo_registry import load_registry

    load_registry([m for m in (*fixed_members(), *islice(generated_members(), 150)) if m.pcp_provider_id])
    return roster_members


@pytest.fixture
def prior_auth_rules(members: FakeClock) -> FakeClock:
    """The demo prior authorization rules, and a prior authorization service on the members' clock."""
    from chalicelib.documents import service as documents
    from chalicelib.members import service as members_module
    from chalicelib.priorauth import service as prior_auth
    from local.demo_prior_auth import load_rules

    load_rules()
    prior_auth._service = prior_auth.PriorAuthService(get_settings(), members_module._service, documents._service,
                                                      clock=members)
    return members


@pytest.fixture
def fee_schedules(members: FakeClock) -> FakeClock:
    """The demo fee schedules, and claim and payment services on the members' clock."""
    from chalicelib.claims import payments, service
    from chalicelib.documents import service as documents
    from chalicelib.members import service as members_module
    from local.demo_claims import load_fee_schedules

    load_fee_schedules()
    service._service = service.ClaimService(get_settings(), members_module._service, documents._service,
                                            clock=members)
    payments._service = payments.PaymentService(get_settings(), clock=members)
    return members
