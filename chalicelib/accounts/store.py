"""The accounts table: one item per account, one per claimed email address.

Both item kinds share the table so registration can claim a username and an email
in one transaction. Keys: ``USER#<username, lower case>`` and ``EMAIL#<email, lower case>``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.accounts import inactivity
from chalicelib.accounts.enums import AccountStatus
from chalicelib.platform.access import Role
from chalicelib.platform.dynamo.base import TableMeta, table_name

ACCOUNTS_TABLE = table_name("accounts")


def normalize_username(username: str) -> str:
    return username.strip().lower()


def account_key(username: str) -> str:
    return f"USER#{normalize_username(username)}"


def email_key(email: str) -> str:
    return f"EMAIL#{email.strip().lower()}"


class AccountsByTaxId(GlobalSecondaryIndex["AccountModel"]):
    class Meta:
        index_name = "tax-id-index"
        projection = AllProjection()

    tax_id = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class AccountsAwaiting(GlobalSecondaryIndex["AccountModel"]):
    """Sparse: only accounts waiting for access carry ``awaiting_key`` (``awaiting_key`` below), oldest first."""

    class Meta:
        index_name = "awaiting-index"
        projection = AllProjection()

    awaiting_key = UnicodeAttribute(hash_key=True)
    awaiting_since = UnicodeAttribute(range_key=True)


AWAITING_CONFIRMATION = "CONFIRMATION"
"""The review desk's partition of the awaiting index: every Tax ID's unconfirmed first administrators."""


def awaiting_approval_key(tax_id: str) -> str:
    """A Tax ID's partition of the awaiting index: its registrations waiting for an administrator."""
    return f"APPROVAL#{tax_id}"


INACTIVITY_INDEX_ATTRIBUTES = ("username", "email", "role", "tax_id", "provider_id")
"""What the inactivity job needs of a due account (its email, audit and condition), projected so it reads no item."""


class AccountsByLastActivity(GlobalSecondaryIndex["AccountModel"]):
    """Sparse: only active provider accounts carry ``idle_bucket``, sorted by their last activity
    (chalicelib/accounts/inactivity.py); the inactivity job queries ``last_active_at < cutoff``."""

    class Meta:
        index_name = "inactivity-index"
        projection = IncludeProjection(list(INACTIVITY_INDEX_ATTRIBUTES))

    idle_bucket = UnicodeAttribute(hash_key=True)
    last_active_at = UTCDateTimeAttribute(range_key=True)


class AccountModel(Model):
    class Meta(TableMeta):
        table_name = ACCOUNTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute(default=Role.PROVIDER_USER.value)
    status = UnicodeAttribute(default=AccountStatus.PENDING_ACTIVATION.value)
    provider_type = UnicodeAttribute(null=True)
    provider_id = UnicodeAttribute(null=True)
    tax_id = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute()
    security_question = UnicodeAttribute(null=True)
    security_answer_hash = UnicodeAttribute(null=True)
    failed_logins = NumberAttribute(default=0)
    last_login_attempt_at = UTCDateTimeAttribute(null=True)
    last_login_at = UTCDateTimeAttribute(null=True)
    reset_window_started_at = UTCDateTimeAttribute(null=True)
    reset_emails_in_window = NumberAttribute(default=0)
    agreement_accepted_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    activated_at = UTCDateTimeAttribute(null=True)
    password_changed_at = UTCDateTimeAttribute(null=True)
    sessions_ended_at = UTCDateTimeAttribute(null=True)
    """Every session opened before it is over (a second factor reset: a lost or stolen device's session ends)."""
    grants = MapAttribute(null=True)  # type: ignore[var-annotated]
    """Per Tax ID it acts in: ``{"permissions": [...], "administrator": bool}`` (chalicelib/accounts/grants.py)."""
    staff_permissions = ListAttribute(of=UnicodeAttribute, null=True)
    approval = UnicodeAttribute(null=True)
    """Why the account waits for access (``enums.Approval``); none once it has its grant."""
    awaiting_key = UnicodeAttribute(null=True)
    awaiting_since = UnicodeAttribute(null=True)
    practice_code_hash = UnicodeAttribute(null=True)
    """The argon2id hash of the one-time code last sent to the practice's address on record."""
    practice_code_expires_at = UTCDateTimeAttribute(null=True)
    practice_code_attempts = NumberAttribute(null=True)
    pending_email = UnicodeAttribute(null=True)
    """An address the user asked to change to on My Account, until the link sent there is opened (my_account.py)."""
    pending_email_at = UTCDateTimeAttribute(null=True)
    links = MapAttribute(null=True)  # type: ignore[var-annotated]
    """The providers linked to this login (Account Linker), by provider ID: ``{"taxId", "providerType", "status",
    "states", "requestedAt"}`` (chalicelib/accounts/linking.py); a copy of its ``LinkModel`` items, written with them,
    so authentication reads them with the account."""
    link_pending = UnicodeAttribute(null=True)
    """The provider ID of the one link still waiting for a decision: a second request meanwhile is refused."""

    idle_bucket = UnicodeAttribute(null=True)
    last_active_at = UTCDateTimeAttribute(null=True)
    """With ``idle_bucket``, the account's place in ``inactivity-index``: set while it is an active provider account
    (its activation, each login, a reactivation), removed when it is deactivated or closed."""
    deactivated_reason = UnicodeAttribute(null=True)
    """``enums.DeactivationReason`` of a DISABLED account that no administrator deactivated (none: one did)."""
    deactivated_at = UTCDateTimeAttribute(null=True)

    by_tax_id = AccountsByTaxId()
    awaiting = AccountsAwaiting()
    by_last_activity = AccountsByLastActivity()


def into_inactivity_index(username: str, now: datetime) -> list[Any]:
    """Update actions that (re)start an active provider account's time without use at ``now``."""
    return [AccountModel.idle_bucket.set(inactivity.bucket_of(username)), AccountModel.last_active_at.set(now)]


def out_of_inactivity_index() -> list[Any]:
    """Update actions that take an account out of the inactivity job's reach (deactivated, closed)."""
    return [AccountModel.idle_bucket.remove(), AccountModel.last_active_at.remove()]


def link_key(username: str, provider_id: str) -> str:
    return f"LINK#{normalize_username(username)}#{provider_id}"


def links_of_tax_id_key(tax_id: str) -> str:
    """A Tax ID's partition of ``tax-id-index`` holding its links (no account's Tax ID looks like it)."""
    return f"LINKS#{tax_id}"


LINK_CONFIRMATION = "LINK-CONFIRMATION"
"""The review desk's partition of the awaiting index for links into Tax IDs without an administrator."""


def link_approval_key(tax_id: str) -> str:
    """A Tax ID's partition of the awaiting index for the links waiting for its administrators."""
    return f"LINK-APPROVAL#{tax_id}"


class LinksByTaxId(GlobalSecondaryIndex["LinkModel"]):
    """The accounts' ``tax-id-index``, in the partitions links use (``LINKS#<tax id>``): a Tax ID's linked users."""

    class Meta:
        index_name = "tax-id-index"
        projection = AllProjection()

    office_key = UnicodeAttribute(hash_key=True, attr_name="tax_id")
    pk = UnicodeAttribute(range_key=True)


class LinksAwaiting(GlobalSecondaryIndex["LinkModel"]):
    """The accounts' ``awaiting-index``, in the partitions links use (``LINK-APPROVAL#<tax id>``,
    ``LINK-CONFIRMATION``): links waiting for a decision, oldest first."""

    class Meta:
        index_name = "awaiting-index"
        projection = AllProjection()

    awaiting_key = UnicodeAttribute(hash_key=True)
    awaiting_since = UnicodeAttribute(range_key=True)


class LinkModel(Model):
    """One provider linked to a login (Account Linker): ``LINK#<username>#<provider id>`` in the accounts table.

    It shares the accounts' indexes under partition keys no account uses, so each partition holds one kind of item:
    ``tax_id`` is ``LINKS#<linked tax id>`` (Manage Users of that Tax ID lists it) and, while it waits, the awaiting
    index's ``LINK-APPROVAL#<tax id>`` or ``LINK-CONFIRMATION``. The account item keeps a copy (``links``)."""

    class Meta(TableMeta):
        table_name = ACCOUNTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    provider_id = UnicodeAttribute()
    provider_type = UnicodeAttribute()
    linked_tax_id = UnicodeAttribute()
    office_key = UnicodeAttribute(attr_name="tax_id")
    status = UnicodeAttribute()
    states = ListAttribute(of=UnicodeAttribute, default=list)
    requested_at = UTCDateTimeAttribute()
    decided_at = UTCDateTimeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    awaiting_key = UnicodeAttribute(null=True)
    awaiting_since = UnicodeAttribute(null=True)
    practice_code_hash = UnicodeAttribute(null=True)
    practice_code_expires_at = UTCDateTimeAttribute(null=True)
    practice_code_attempts = NumberAttribute(null=True)

    by_tax_id = LinksByTaxId()
    awaiting = LinksAwaiting()


def tax_id_settings_key(tax_id: str) -> str:
    return f"TAXID#{tax_id}"


class TaxIdSettingsModel(Model):
    """What a Tax ID's administrators keep for it: the default permission set a new user is approved with.

    In the accounts table (``TAXID#<tax id>``), beside the accounts it is for; it has no ``tax_id`` attribute, so the
    Tax ID's list of users never shows it."""

    class Meta(TableMeta):
        table_name = ACCOUNTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    default_permissions = ListAttribute(of=UnicodeAttribute, default=list)
    updated_at = UTCDateTimeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)


class EmailClaimModel(Model):
    """Holds an email address for one account, so no two accounts share it."""

    class Meta(TableMeta):
        table_name = ACCOUNTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()


FIRST_PLAN_ADMINISTRATOR = "FIRST_PLAN_ADMINISTRATOR"


class FirstPlanAdministratorModel(Model):
    """Written once, with the stage's first plan administrator (or the local demo's): its existence refuses a
    second one, without reading the accounts."""

    class Meta(TableMeta):
        table_name = ACCOUNTS_TABLE

    pk = UnicodeAttribute(hash_key=True, default=FIRST_PLAN_ADMINISTRATOR)
    username = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


# Login sessions, keyed by the SHA-256 of the opaque token the client holds.
class SessionsByUsername(GlobalSecondaryIndex["SessionModel"]):
    class Meta:
        index_name = "username-index"
        projection = KeysOnlyProjection()

    username = UnicodeAttribute(hash_key=True)


class SessionModel(Model):
    class Meta(TableMeta):
        table_name = table_name("sessions")

    token_hash = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    role = UnicodeAttribute()
    provider_type = UnicodeAttribute(null=True)
    provider_ids = ListAttribute(of=UnicodeAttribute, default=list)
    tax_ids = ListAttribute(of=UnicodeAttribute, default=list)
    states = ListAttribute(of=UnicodeAttribute, default=list)
    home_provider_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    last_seen_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = TTLAttribute()
    mfa_pending = BooleanAttribute(null=True)
    """Opened with the password alone by an account with no second factor yet: it may only enrol."""
    client_address = UnicodeAttribute(null=True)
    """Where the login came from (API Gateway's source address) and its browser, for My Account's session list."""
    user_agent = UnicodeAttribute(null=True)
    password_kept_at = UTCDateTimeAttribute(null=True)
    """When this session changed its account's password on My Account: it outlives that change (every other
    session of the account, opened before it, is refused)."""

    by_username = SessionsByUsername()


IMPERSONATION_PREFIX = "IMP#"
IMPERSONATOR_PREFIX = "IMPBY#"


def impersonation_key(token_hash: str) -> str:
    """Never a login session's key (a bare SHA-256): the accounts service's authentication cannot find it."""
    return f"{IMPERSONATION_PREFIX}{token_hash}"


def is_view_of_user(token_hash: str) -> bool:
    """A key of the sessions' username index that is an impersonation's, not one of the user's own sessions."""
    return token_hash.startswith(IMPERSONATION_PREFIX)


def impersonator_key(username: str) -> str:
    return f"{IMPERSONATOR_PREFIX}{normalize_username(username)}"


class ImpersonationModel(Model):
    """A session that views the portal as ``username`` for ``actor`` (chalicelib/accounts/impersonation_service.py).

    In the sessions table beside the login sessions, under its own key; its ``username`` puts it in the username
    index, so what ends the user's sessions (a password reset, a deactivation) ends it too. Whom it acts for is the
    user's, as a login gives it; what it may do is read from the user's account on every request."""

    class Meta(TableMeta):
        table_name = table_name("sessions")

    token_hash = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    role = UnicodeAttribute()
    provider_type = UnicodeAttribute(null=True)
    provider_ids = ListAttribute(of=UnicodeAttribute, default=list)
    tax_ids = ListAttribute(of=UnicodeAttribute, default=list)
    states = ListAttribute(of=UnicodeAttribute, default=list)
    home_provider_id = UnicodeAttribute(null=True)
    office = UnicodeAttribute()
    actor = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    actor_session = UnicodeAttribute()
    """The key of the actor's own session: the view lasts no longer than it."""
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    notice_id = UnicodeAttribute()
    """The outbox row of the user's email notice, written at the start for the time limit, sent when the view ends."""
    ttl = TTLAttribute()


class ImpersonatorModel(Model):
    """One view at a time per actor: ``IMPBY#<actor>`` names its live impersonation, written with it on a condition."""

    class Meta(TableMeta):
        table_name = table_name("sessions")

    token_hash = UnicodeAttribute(hash_key=True)
    impersonation = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = TTLAttribute()


class AttemptCounterModel(Model):
    """The throttle table: ``rate#<scope>#<subject>#<window start>`` counts one fixed window's requests (``hits``);
    ``login#<username>`` counts failed logins of a username with no account, as the account item does for one
    that exists, so both answer alike; ``answer#<username>`` counts plan support's wrong checks of an account's
    security answer (``hits``) in the window that began at ``window_started_at`` (account_help.py). Every item
    lapses by its TTL."""

    class Meta(TableMeta):
        table_name = table_name("throttle")

    counter_key = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(null=True)
    failed_logins = NumberAttribute(null=True)
    last_login_attempt_at = UTCDateTimeAttribute(null=True)
    window_started_at = UTCDateTimeAttribute(null=True)
    ttl = TTLAttribute()


def answer_check_key(username: str) -> str:
    return f"answer#{normalize_username(username)}"


def rate_key(scope: str, subject: str, window_start: int) -> str:
    return f"rate#{scope}#{subject}#{window_start}"


def unknown_login_key(username: str) -> str:
    return f"login#{normalize_username(username)}"


# One-time tokens (activation, password reset, a new email address), keyed by the token's SHA-256.


class OneTimeTokenModel(Model):
    class Meta(TableMeta):
        table_name = table_name("tokens")

    token_hash = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()
    username = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = TTLAttribute()
    email = UnicodeAttribute(null=True)
    """The address an email-change link verifies (the one it was sent to)."""
