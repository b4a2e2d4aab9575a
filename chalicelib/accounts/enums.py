"""The area's enums: shared by its rules, its store and its handlers; no persistence here."""

from enum import StrEnum


class AccountStatus(StrEnum):
    PENDING_ACTIVATION = "PENDING_ACTIVATION"
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"  # deactivated by an administrator: reactivated in Manage Users
    CLOSED = "CLOSED"  # removed from its Tax ID, or its registration denied: for good


class DeactivationReason(StrEnum):
    """Why a DISABLED account is deactivated, when it was not by an administrator (none stored then)."""

    INACTIVITY = "INACTIVITY"  # not used for the stage's inactive days: a password reset brings it back too


class TokenPurpose(StrEnum):
    ACTIVATION = "ACTIVATION"
    PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105 (a purpose, not a secret)
    EMAIL_CHANGE = "EMAIL_CHANGE"  # the link that confirms a new address (My Account)


class AccountEmail(StrEnum):
    """What an account email is for: the outbox carries this and the account, never a link."""

    REGISTERED = "REGISTERED"  # the first activation link, sent once per registration
    ACTIVATION = "ACTIVATION"  # a fresh activation link on request
    PASSWORD_RESET = "PASSWORD_RESET"  # noqa: S105 (a purpose, not a secret)
    ALREADY_REGISTERED = "ALREADY_REGISTERED"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    PRACTICE_CODE = "PRACTICE_CODE"  # the one-time code to the practice's contact address (minted at delivery)
    EMAIL_CHANGE = "EMAIL_CHANGE"  # the link to a new address asked for on My Account (minted at delivery)
    LINK_PRACTICE_CODE = "LINK_PRACTICE_CODE"  # the same, for the account's link into a Tax ID with no administrator


class Approval(StrEnum):
    """Why a registered account waits for access (none stored: it has its grant).

    The first account of a Tax ID with no administrator waits for its practice's confirmation (a code sent to the
    practice's address on record, or plan support staff); a later one for an administrator of the Tax ID."""

    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"
    PENDING_APPROVAL = "PENDING_APPROVAL"


class UserStatus(StrEnum):
    """What Manage Users shows of an account (from its status and its approval; locking is apart)."""

    PENDING_ACTIVATION = "PENDING_ACTIVATION"
    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    ACTIVE = "ACTIVE"
    DEACTIVATED = "DEACTIVATED"
    CLOSED = "CLOSED"


class LinkStatus(StrEnum):
    """Where a provider linked to a login stands (Account Linker): waiting for the Tax ID's administrator, waiting
    for its practice's confirmation (the Tax ID has no administrator), or acted for."""

    PENDING_APPROVAL = "PENDING_APPROVAL"
    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"
    ACTIVE = "ACTIVE"
