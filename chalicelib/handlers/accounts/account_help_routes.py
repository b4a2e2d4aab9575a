"""Plan support's Account Help over the JSON API: an account as support sees it on a call, the caller's security
answer checked, an unlock and a fresh activation email (chalicelib/accounts/account_help.py). The reset of a lost
second factor beside them is ``mfa_routes``' POST /review/accounts/{username}/mfa-reset."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import api_route

if TYPE_CHECKING:
    from chalicelib.accounts.account_help import AccountFacts
    from chalicelib.accounts.schemas import SecurityAnswerRequest
    from chalicelib.platform.access import Principal

account_help_routes = Blueprint(__name__)
TAG = "Account Help"
SUPPORT = Permission.SUPPORT
ACCOUNT = "/review/accounts/{username}"
ACTIVATION_SENT = ("A new activation email is on its way to the account's own address (at most 3 account emails an "
                   "hour).")
FOUND = ("Plan staff with the support permission (an office user: 403 naming SUPPORT). A username with no account "
         "is 404 naming `username`; so is a plan-staff account, unless the caller is a plan administrator. ")


def facts_out(facts: AccountFacts) -> dict[str, Any]:
    return {**asdict(facts), "role": facts.role.value, "status": facts.status.value}


@api_route(account_help_routes, ACCOUNT, permission=SUPPORT, tag=TAG,
           summary="Plan support: an account as support sees it on a caller's call", response="accounts:AccountHelpOut",
           errors=(403, 404), description=f"{FOUND}The security question is shown, never its answer.")
def account_facts(principal: Principal, username: str) -> dict[str, Any]:
    return facts_out(wiring.current().account_help().facts(principal, username))


@api_route(account_help_routes, ACCOUNT + "/security-answer", permission=SUPPORT, method="POST", tag=TAG,
           summary="Plan support: check the caller's security answer (says whether it matches, never the answer)",
           body="accounts:SecurityAnswerRequest", response="accounts:SecurityAnswerCheckOut",
           errors=(400, 403, 404, 409, 429),
           description=f"{FOUND}After 5 wrong answers in 24 hours for the account, 429 TOO_MANY_ANSWER_CHECKS "
           "(Retry-After; `fields.answer` says until when), nothing compared. 409 NO_SECURITY_QUESTION for an account "
           "without one. Every check is audited in the account's trail (who, the result; never the answer).")
def check_security_answer(principal: Principal, username: str, body: SecurityAnswerRequest) -> Any:
    return wiring.current().account_help().check_security_answer(principal, username, body.answer)


@api_route(account_help_routes, ACCOUNT + "/unlock", permission=SUPPORT, method="POST", tag=TAG,
           summary="Plan support: unlock an account locked after failed logins", response="accounts:AccountHelpOut",
           errors=(403, 404, 409),
           description=f"{FOUND}The failed logins are cleared (as Manage Users' unlock); the owner is emailed that "
           "plan support unlocked it; audited. 409 NOT_LOCKED when it is not locked.")
def unlock(principal: Principal, username: str) -> dict[str, Any]:
    return facts_out(wiring.current().account_help().unlock(principal, username))


@api_route(account_help_routes, ACCOUNT + "/activation-email", permission=SUPPORT, method="POST", tag=TAG,
           summary="Plan support: send a fresh activation email to an account waiting for its activation",
           response="base:MessageBody", status=202, errors=(403, 404, 409),
           description=f"{FOUND}To the account's own address, with a new link (the account's hourly email limit "
           "applies); audited. Any other status is 409 NOT_PENDING_ACTIVATION, `fields.status` naming it.")
def resend_activation(principal: Principal, username: str) -> dict[str, str]:
    wiring.current().account_help().resend_activation(principal, username)
    return {"status": "ACCEPTED", "message": ACTIVATION_SENT}
