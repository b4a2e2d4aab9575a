"""The area's enums: shared by its rules, its store and its handlers; no persistence here."""

from enum import StrEnum


class AccountStatus(StrEnum):
    PENDING_ACTIVATION = "PENDING_ACTIVATION"
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"


class TokenPurpose(StrEnum):
    ACTIVATION = "ACTIVATION"
    PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105 (a purpose, not a secret)


class AccountEmail(StrEnum):
    """What an account email is for: the outbox carries this and the account, never a link."""

    REGISTERED = "REGISTERED"  # the first activation link, sent once per registration
    ACTIVATION = "ACTIVATION"  # a fresh activation link on request
    PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105 (a purpose, not a secret)
    ALREADY_REGISTERED = "ALREADY_REGISTERED"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
