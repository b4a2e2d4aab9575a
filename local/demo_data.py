"""The deterministic demo data set (the README lists it). Local stage only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib import wiring
from chalicelib.accounts import inactivity
from chalicelib.accounts.enums import AccountStatus
from chalicelib.accounts.grants import Grant
from chalicelib.accounts.mfa_service import enrol_known_secret
from chalicelib.accounts.passwords import normalize_security_answer, secret_hasher
from chalicelib.accounts.plan_staff import mark_first_plan_administrator
from chalicelib.accounts.store import AccountModel, EmailClaimModel, account_key, email_key
from chalicelib.platform.access import Role
from chalicelib.platform.config import get_settings
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, STAFF_PERMISSIONS
from chalicelib.providers.enums import ProviderType
from chalicelib.providers.store import ProviderModel

DEFAULT_PLANADMIN_PASSWORD = "PlanAdmin-Local-2026!"
DEMO_USER_PASSWORD = "Demo-Portal-2026!"


@dataclass(frozen=True)
class DemoProvider:
    provider_id: str
    provider_type: ProviderType
    name: str
    tax_id: str
    zip_codes: tuple[str, ...]
    state: str
    npi: str | None = None
    contact_email: str | None = None
    """The practice's contact address on record (a Tax ID's group): a first administrator's code goes there."""


DEMO_PROVIDERS: tuple[DemoProvider, ...] = (
    DemoProvider("999999999999", ProviderType.GROUP, "Default Provider", "310000001", ("46204", "46240"), "Indiana",
                 "1912301953", "office@default-provider.example.org"),
    DemoProvider("100000000001", ProviderType.PRACTITIONER, "Jane Doe", "310000001", ("46204", "46032"), "Indiana",
                 "1407345679"),
    DemoProvider("100000000002", ProviderType.PRACTITIONER, "Robert Smith", "310000001", ("46204",), "Indiana",
                 "1588667638"),
    DemoProvider("200000000001", ProviderType.GROUP, "Buckeye Family Medicine", "310000002", ("43215",), "Ohio",
                 "1518960241", "office@buckeye-family-medicine.example.org"),
    DemoProvider("200000000002", ProviderType.PRACTITIONER, "Maria Garcia", "310000002", ("43215",), "Ohio",
                 "1730122786"),
    DemoProvider("300000000001", ProviderType.GROUP, "Bluegrass Pediatrics", "310000003", ("40202",), "Kentucky",
                 contact_email="office@bluegrass-pediatrics.example.org"),
    DemoProvider("400000000001", ProviderType.GROUP, "Mountain State Clinic", "310000004", ("25301",),
                 "West Virginia", contact_email="office@mountain-state-clinic.example.org"),
    DemoProvider("500000000001", ProviderType.GROUP, "Peachtree Health Partners", "310000005", ("30303",),
                 "Georgia", contact_email="office@peachtree-health-partners.example.org"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    email: str
    role: Role
    provider_id: str | None
    administrator: bool = False
    """The Provider Administrator of its Tax ID; every demo account holds every permission of its kind."""


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo.group", "demo.group@example.org", Role.PROVIDER_USER, "999999999999", administrator=True),
    DemoAccount("demo.jdoe", "demo.jdoe@example.org", Role.PROVIDER_USER, "100000000001"),
    DemoAccount("demo.buckeye", "demo.buckeye@example.org", Role.PROVIDER_USER, "200000000001", administrator=True),
)
PLANADMIN = DemoAccount("planadmin", "planadmin@example.org", Role.PLAN_STAFF, None)

DEMO_TOTP_SECRETS: dict[str, str] = {
    "demo.group": "DEMOGROUPTOTPSECRETFORLOCALSTAGE",
    "demo.jdoe": "DEMOJDOETOTPSECRETFORLOCALSTAGEA",
    "demo.buckeye": "DEMOBUCKEYETOTPSECRETFORLOCALSTG",
    "planadmin": "PLANADMINTOTPSECRETFORLOCALSTAGE",
}
"""The demo accounts' TOTP secrets (base32), enrolled at load: fixed and published (README, the `make run` banner) so
a person adds them to an authenticator app and a script computes the codes:
``python -c 'import pyotp; print(pyotp.TOTP("DEMOGROUPTOTPSECRETFORLOCALSTAGE").now())'``. Local stage only, as the
accounts themselves."""


def contracted_programs(state: str) -> list[str]:
    """Every demo provider is contracted for each of its state's programs (the members' plans)."""
    from local.demo_members import STATE_PLANS

    return [program for plan in STATE_PLANS if plan.state == state for program, _, _ in plan.programs]


def provider_model(provider: DemoProvider) -> ProviderModel:
    model = ProviderModel(
        provider_id=provider.provider_id,
        provider_type=provider.provider_type.value,
        tax_id=provider.tax_id,
        zip_codes=list(provider.zip_codes),
        state=provider.state,
        npi=provider.npi,
        programs=contracted_programs(provider.state),
        contact_email=provider.contact_email,
    )
    if provider.provider_type == ProviderType.GROUP:
        model.group_name = provider.name
    else:
        model.first_name, model.last_name = provider.name.split(" ", 1)
    return model


def load_providers() -> int:
    with ProviderModel.batch_write() as batch:
        for provider in DEMO_PROVIDERS:
            batch.save(provider_model(provider))
    return len(DEMO_PROVIDERS)


ACCOUNTS_AGE = timedelta(days=730)
"""The demo accounts exist since two years before the plan's today: their yearly training was owed last year. Their
last activity is the load itself, so the inactivity job (90 days unused) never deactivates them on a stack that
loads its demo data at its own start, whatever day that is."""


def save_account(account: DemoAccount, password: str) -> None:
    hasher = secret_hasher()
    now = wiring.current().now()
    since = now - ACCOUNTS_AGE
    provider = next((p for p in DEMO_PROVIDERS if p.provider_id == account.provider_id), None)
    AccountModel(
        pk=account_key(account.username),
        username=account.username,
        email=account.email,
        role=account.role.value,
        status=AccountStatus.ACTIVE.value,
        provider_type=provider.provider_type.value if provider else None,
        provider_id=provider.provider_id if provider else None,
        tax_id=provider.tax_id if provider else None,
        state=provider.state if provider else None,
        password_hash=hasher.hash(password),
        security_question="What city were you born in?",
        security_answer_hash=hasher.hash(normalize_security_answer("Indianapolis")),
        agreement_accepted_at=since,
        created_at=since,
        activated_at=since,
        grants={provider.tax_id: Grant(PROVIDER_PERMISSIONS, account.administrator).stored()} if provider else None,
        staff_permissions=[p.value for p in sorted(STAFF_PERMISSIONS)] if account.role == Role.PLAN_STAFF else None,
        idle_bucket=None if account.role == Role.PLAN_STAFF else inactivity.bucket_of(account.username),
        last_active_at=None if account.role == Role.PLAN_STAFF else now,
    ).save()
    EmailClaimModel(pk=email_key(account.email), username=account.username).save()
    if account.role == Role.PLAN_STAFF:
        mark_first_plan_administrator(account.username, wiring.current().clock)
    enrol_known_secret(account.username, DEMO_TOTP_SECRETS[account.username], now).save()


def load_demo_data(planadmin_password: str = DEFAULT_PLANADMIN_PASSWORD) -> dict[str, int]:
    """Load everything; refuses any stage but local, so plan staff never exist in a deployed stage."""
    stage = get_settings().stage
    if stage != "local":
        raise RuntimeError(f"demo data is for the local stage only, not {stage!r}")

    from chalicelib.platform.logs import logger

    quiet_from = logger.log_level
    logger.setLevel("WARNING")  # hundreds of demo submissions would bury the console's banner and emails
    try:
        counts = _load_everything(planadmin_password)
    finally:
        logger.setLevel(quiet_from)
    _drop_queued_demo_emails()
    return counts


def _load_everything(planadmin_password: str) -> dict[str, int]:
    from local.demo_members import load_members

    today = wiring.current().members().today()
    counts = {"providers": load_providers(), "members": load_members(today)}
    for account in DEMO_ACCOUNTS:
        save_account(account, DEMO_USER_PASSWORD)
    save_account(PLANADMIN, planadmin_password)
    counts["accounts"] = len(DEMO_ACCOUNTS) + 1
    from local.demo_training import load_attestations

    counts["training attestations"] = load_attestations(today)
    from local.demo_prior_auth import load_requests, load_rules

    counts["prior-auth rules"] = load_rules()
    counts["prior-auth requests"] = load_requests(today)
    from local.demo_claims import load_claims, load_fee_schedules

    counts["fee schedule rows"] = load_fee_schedules()
    for name, made in load_claims(today).items():
        counts[f"demo {name}"] = made
    return counts


def _drop_queued_demo_emails() -> None:
    """The demo history's status notices are not news: nobody should get sixty emails on `make run`, nor from
    the outbox sweep later (each row waits for its send), so both the queue and the rows go."""
    from chalicelib.emails.outbox import EMAIL_QUEUE
    from chalicelib.emails.store import PENDING, OutboxMessageModel
    from chalicelib.platform.aws.clients import aws_client

    sqs = aws_client("sqs")
    sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName=get_settings().resource_name(EMAIL_QUEUE))["QueueUrl"])
    with OutboxMessageModel.batch_write() as batch:
        for row in OutboxMessageModel.pending_messages.query(PENDING):
            batch.delete(row)
