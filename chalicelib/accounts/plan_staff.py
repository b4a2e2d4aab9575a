"""The first plan administrator of a deployed stage: created by a command, never by a request.

The account is made active with every plan-staff permission and a password nobody knows (the hash of a
random secret that is then dropped); a password-reset email, queued through the outbox as every account
email is, lets its owner set one. No password passes a command line or a file. A marker row written in the
same transaction refuses a second first administrator, whatever username or address it names.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from chalicelib.accounts.enums import AccountEmail, AccountStatus
from chalicelib.accounts.passwords import SecretHasher
from chalicelib.accounts.store import (
    AccountModel,
    EmailClaimModel,
    FirstPlanAdministratorModel,
    account_key,
    email_key,
)
from chalicelib.emails import outbox
from chalicelib.platform.access import Role
from chalicelib.platform.clock import Clock
from chalicelib.platform.dynamo.writes import TransactionCancelled, cancelled_by_condition, transaction
from chalicelib.platform.errors import PlanAdministratorExists, ValidationFailed
from chalicelib.platform.logs import logger
from chalicelib.platform.permissions import STAFF_PERMISSIONS


@dataclass(frozen=True)
class FirstPlanAdministrator:
    username: str
    email: str


def create_first_plan_administrator(wanted: FirstPlanAdministrator, *, clock: Clock,
                                    hasher: SecretHasher) -> None:
    now = clock()
    account = AccountModel(
        pk=account_key(wanted.username), username=wanted.username, email=wanted.email, role=Role.PLAN_STAFF.value,
        status=AccountStatus.ACTIVE.value, password_hash=hasher.hash(secrets.token_urlsafe(32)), created_at=now,
        activated_at=now, staff_permissions=[p.value for p in sorted(STAFF_PERMISSIONS)],
    )
    marker = FirstPlanAdministratorModel(username=wanted.username, created_at=now)
    message = outbox.new_account_email(AccountEmail.PASSWORD_RESET.value, now, username=wanted.username)
    try:
        with transaction() as writes:
            writes.save(marker, condition=FirstPlanAdministratorModel.pk.does_not_exist())
            writes.save(account, condition=AccountModel.pk.does_not_exist())
            writes.save(EmailClaimModel(pk=email_key(wanted.email), username=wanted.username),
                        condition=EmailClaimModel.pk.does_not_exist())
            writes.save(message)
    except TransactionCancelled as error:
        marker_taken, username_taken, email_taken, _ = (cancelled_by_condition(error) + [False] * 4)[:4]
        if marker_taken:
            raise PlanAdministratorExists() from None
        fields = {name: "is taken by another account" for name, taken in
                  (("username", username_taken), ("email", email_taken)) if taken}
        if not fields:
            raise
        raise ValidationFailed(fields=fields) from None
    outbox.publish([message])
    logger.info("first plan administrator created", extra={"username": wanted.username})


def mark_first_plan_administrator(username: str, clock: Clock) -> None:
    """The local demo's planadmin stands for the stage's first administrator, so the command refuses there too."""
    FirstPlanAdministratorModel(username=username, created_at=clock()).save()
