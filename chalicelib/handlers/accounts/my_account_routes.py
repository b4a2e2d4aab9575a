"""Update My Account, as JSON: the logged-in user's own email address, password, security question, sessions and
sign-ins (any logged-in user, offices and plan staff alike: their own account, so no permission)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.accounts.sign_ins import ClientInfo
from chalicelib.platform.web.api import RequestInfo, api_route

if TYPE_CHECKING:
    from chalicelib.accounts.schemas import (
        EmailChangeRequest,
        PasswordChangeRequest,
        SecurityQuestionRequest,
        TokenRequest,
    )
    from chalicelib.platform.access import Principal
    from chalicelib.platform.web.schemas import ListQuery

my_account_routes = Blueprint(__name__)
TAG = "My Account"
CHECKED = ("Needs the current password: a wrong one is 400 naming `currentPassword` and counts toward the lockout "
           "(the 5th in a row locks the account: 423); throttled as the account routes are (429).")
EMAIL_CHANGE_ANSWER = {
    "status": "ACCEPTED",
    "message": "A link to confirm the new address is on its way there. Your email address changes when it is "
               "opened; until then it stays as it is.",
}


def client_of(request: RequestInfo) -> ClientInfo:
    return ClientInfo.of(request.client_address, request.headers)


@api_route(my_account_routes, "/me/account", permission=None, tag=TAG, response="accounts:MyAccountOut",
           summary="Your account: email (and one waiting for confirmation), security question, when the password "
           "last changed")
def my_account(principal: Principal) -> Any:
    return wiring.current().my_account().overview(principal)


@api_route(my_account_routes, "/me/email", permission=None, method="POST", tag=TAG,
           body="accounts:EmailChangeRequest", response="base:MessageBody", status=202, errors=(423, 429),
           summary="Ask to change your email address: a link goes to the new one, a notice to the old one",
           description="The change applies when the link is opened (`POST /me/email/verify`). An address that has "
           f"an account answers the same (its owner is emailed instead). {CHECKED}")
def change_email(principal: Principal, body: EmailChangeRequest, request: RequestInfo) -> dict[str, str]:
    wiring.current().my_account().request_email_change(principal, body.email, body.current_password,
                                                       client=client_of(request))
    return EMAIL_CHANGE_ANSWER


@api_route(my_account_routes, "/me/email/verify", permission=None, method="POST", tag=TAG,
           body="accounts:TokenRequest", response="accounts:EmailChangedOut", errors=(409,),
           summary="Confirm a new email address with the token its link carries",
           description="Only the account the link was sent for, and only its latest request: else 400 "
           "INVALID_TOKEN. An address another account took meanwhile is 409 ALREADY_REGISTERED naming `email`.")
def verify_email(principal: Principal, body: TokenRequest) -> dict[str, str]:
    email = wiring.current().my_account().verify_email_change(principal, body.token)
    return {"status": "EMAIL_CHANGED", "email": email}


@api_route(my_account_routes, "/me/password", permission=None, method="POST", tag=TAG,
           body="accounts:PasswordChangeRequest", response="accounts:PasswordChangedOut", errors=(423, 429),
           summary="Change your password: every other session ends, this one stays",
           description=f"The registration's rules (`fields.newPassword` names each unmet one). {CHECKED}")
def change_password(principal: Principal, body: PasswordChangeRequest, request: RequestInfo) -> dict[str, Any]:
    ended = wiring.current().my_account().change_password(principal, body.current_password, body.new_password,
                                                          client=client_of(request))
    return {"status": "PASSWORD_CHANGED", "other_sessions_ended": ended}


@api_route(my_account_routes, "/me/security-question", permission=None, method="PUT", tag=TAG,
           body="accounts:SecurityQuestionRequest", response="base:StatusBody", errors=(423, 429),
           summary="Change your security question and answer (the answer is kept as a hash, never shown)",
           description=CHECKED)
def change_security_question(principal: Principal, body: SecurityQuestionRequest,
                             request: RequestInfo) -> dict[str, str]:
    wiring.current().my_account().change_security_question(
        principal, body.current_password, body.security_question, body.security_answer, client=client_of(request))
    return {"status": "SECURITY_QUESTION_CHANGED"}


@api_route(my_account_routes, "/me/sessions", permission=None, tag=TAG, query="base:ListQuery",
           response="accounts:ActiveSessionPageOut",
           summary="Your active sessions: when each logged in and was last used, from where; this one marked",
           description="One Query of the sessions' username index a page (no total), never a token.")
def sessions(principal: Principal, query: ListQuery) -> Any:
    return wiring.current().my_account().sessions(principal, query.limit, query.next_token)


@api_route(my_account_routes, "/me/sessions", permission=None, method="DELETE", tag=TAG,
           response="accounts:EndedSessionsOut", summary="End every other session of your account (this one stays)")
def end_other_sessions(principal: Principal) -> dict[str, int]:
    return {"ended": wiring.current().my_account().end_other_sessions(principal)}


@api_route(my_account_routes, "/me/sessions/{sessionId}", permission=None, method="DELETE", tag=TAG, status=204,
           errors=(404,), summary="End one of your sessions (yours only: any other ID is 404)")
def end_session(principal: Principal, sessionId: str) -> None:
    wiring.current().my_account().end_session(principal, sessionId)


@api_route(my_account_routes, "/me/sign-ins", permission=None, tag=TAG, query="base:ListQuery",
           response="accounts:SignInPageOut",
           summary="Your recent sign-ins and failed attempts, newest first, with the client's address",
           description="The account's own sign-in trail: one Query of its partition a page (no total).")
def sign_in_history(principal: Principal, query: ListQuery) -> Any:
    return wiring.current().my_account().sign_ins(principal, query.limit, query.next_token)
