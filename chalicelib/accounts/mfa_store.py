"""Two-step verification at rest: one item per account in the accounts table (``MFA#<username>``), and the
login challenges and remembered browsers in the tokens table, keyed by the SHA-256 of the token the client
holds (as sessions and one-time tokens are).

The TOTP secret is stored sealed with the stage's MFA key (``chalicelib.platform.aws.keys``), never in clear;
recovery codes as their keyed hashes (``chalicelib.accounts.mfa``).
"""

from __future__ import annotations

from pynamodb.attributes import (
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.accounts.store import ACCOUNTS_TABLE, normalize_username
from chalicelib.platform.dynamo.base import TableMeta, table_name

CHALLENGE_PURPOSE = "MFA_CHALLENGE"
BROWSER_PURPOSE = "MFA_BROWSER"


def mfa_key(username: str) -> str:
    return f"MFA#{normalize_username(username)}"


class MfaModel(Model):
    """An account's second factor: the enrolled secret, one being set up, the last step used, its recovery codes."""

    class Meta(TableMeta):
        table_name = ACCOUNTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute()
    sealed_secret = UnicodeAttribute(null=True)
    enrolled_at = UTCDateTimeAttribute(null=True)
    sealed_pending_secret = UnicodeAttribute(null=True)
    """A secret shown to the account but not yet confirmed with a code: it opens nothing."""
    pending_started_at = UTCDateTimeAttribute(null=True)
    last_step = NumberAttribute(null=True)
    """The TOTP step of the last code accepted; a code of this step or an earlier one is a replay."""
    recovery_code_hashes = UnicodeSetAttribute(null=True)
    browsers_forgotten_at = UTCDateTimeAttribute(null=True)
    """Browsers remembered before this (the last MFA reset) skip the code no more."""


class MfaChallengeModel(Model):
    """The login's second step: a password was right; a code opens the session."""

    class Meta(TableMeta):
        table_name = table_name("tokens")

    token_hash = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute(default=CHALLENGE_PURPOSE)
    username = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    failures = NumberAttribute(default=0)
    ttl = TTLAttribute()


class RememberedBrowserModel(Model):
    """"Remember this browser": the device cookie's (or an API client's device token's) hash, for one account."""

    class Meta(TableMeta):
        table_name = table_name("tokens")

    token_hash = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute(default=BROWSER_PURPOSE)
    username = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = TTLAttribute()
