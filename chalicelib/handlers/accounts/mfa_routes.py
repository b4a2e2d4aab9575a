"""Two-step verification's JSON routes: the two-step login, enrolment, recovery codes and the resets of a lost
device (chalicelib/accounts/mfa_service.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.accounts.sign_ins import ClientInfo
from chalicelib.platform.access import Principal
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import RequestInfo, api_route

if TYPE_CHECKING:
    from chalicelib.accounts.mfa_service import LoginStep
    from chalicelib.accounts.schemas import LoginRequest, MfaCodeRequest, MfaLoginRequest, PasswordRequest

mfa_routes = Blueprint(__name__)
TAG = "Accounts"
THROTTLED = ("Throttled per client address and per username: past the stage's limits it answers 429 "
             "TOO_MANY_REQUESTS with Retry-After (seconds).")
RESET = ("The account sets up its second factor again at its next login (its session then reaches only the "
         "enrolment); its recovery codes and every browser it remembered are forgotten. Audited. ")


@api_route(mfa_routes, "/auth/login", permission=None,
           method="POST", summary="Log in: the session, or the challenge of the code step", tag=TAG,
           body="accounts:LoginRequest", response="accounts:LoginAnswer", errors=(401, 403, 423, 429), auth=False,
           description="Two steps for an account with a second factor: this answers `{mfaRequired: true, challenge, "
           "expiresAt}` (5 minutes), and POST /auth/login/mfa with the code opens the session; a `deviceToken` it "
           "gave (rememberDevice) skips that step for 30 days. An account without one gets a session that reaches "
           "only the enrolment (`mfaEnrolmentRequired: true`). Locked (423) after 5 failures in a row (a login "
           "left at the code step counts until a session opens), for a username with no account too; the owner "
           f"is emailed when the account locks. {THROTTLED}")
def login(body: LoginRequest, request: RequestInfo) -> dict[str, Any]:
    wiring.current().accounts().admit(request.client_address, body.username)
    return login_answer(wiring.current().mfa().login(body.username, body.password, device_token=body.device_token,
                                                     client=ClientInfo.of(request.client_address, request.headers)))


def login_answer(step: LoginStep) -> dict[str, Any]:
    if step.challenge is not None:
        return {"mfa_required": True, "challenge": step.challenge.token, "expires_at": step.challenge.expires_at}
    session = step.session
    assert session is not None  # a login step answers a challenge or a session
    return {"token": session.token, "expires_at": session.ends_at, "absolute_expires_at": session.hard_expiry,
            "mfa_enrolment_required": session.mfa_pending, "device_token": step.device_token}


@api_route(mfa_routes, "/auth/login/mfa", permission=None,
           method="POST", summary="The login's code step: a TOTP or recovery code opens the session", tag=TAG,
           body="accounts:MfaLoginRequest", response="accounts:MfaLoginResponse", errors=(401, 429), auth=False,
           description="`code` is the 6-digit code the authenticator app shows now (each code is good once, one "
           "30-second step either side) or one of the ten recovery codes (each once). A wrong code is 401 "
           "INVALID_MFA_CODE; the fifth, or an unknown or expired challenge, 401 MFA_CHALLENGE_EXPIRED: log in "
           f"again. {THROTTLED}")
def login_code(body: MfaLoginRequest, request: RequestInfo) -> dict[str, Any]:
    wiring.current().accounts().admit(request.client_address)
    return login_answer(wiring.current().mfa().complete_login(
        body.challenge, body.code, remember=body.remember_device,
        client=ClientInfo.of(request.client_address, request.headers)))


@api_route(mfa_routes, "/me/mfa", permission=None, summary="Whether this account's second factor is set up", tag=TAG,
           response="accounts:MfaStatusResponse", before_mfa=True)
def mfa_status(principal: Principal) -> Any:
    return wiring.current().mfa().status(principal)


@api_route(mfa_routes, "/me/mfa/enrolment", permission=None, method="POST",
           summary="Start setting up the second factor: a new TOTP secret, its URI and QR code", tag=TAG,
           response="accounts:MfaEnrolmentResponse", status=201, errors=(409,), before_mfa=True,
           description="Not active until POST /me/mfa/enrolment/confirm with a code from it; a second call replaces "
           "the secret. 409 MFA_ALREADY_ENROLLED once set up (a new device: the administrator's reset).")
def start_enrolment(principal: Principal) -> dict[str, Any]:
    enrolment = wiring.current().mfa().start_enrolment(principal)
    return {"secret": enrolment.secret, "otpauth_uri": enrolment.otpauth_uri, "qr_code_svg": enrolment.qr_svg}


@api_route(mfa_routes, "/me/mfa/enrolment/confirm", permission=None, method="POST",
           summary="Activate the second factor with a code; answers the ten recovery codes, once", tag=TAG,
           body="accounts:MfaCodeRequest", response="accounts:RecoveryCodesResponse", errors=(409,), before_mfa=True,
           description="A code that does not match is 400 naming `code`. The session that confirms becomes a full "
           "one.")
def confirm_enrolment(principal: Principal, body: MfaCodeRequest) -> dict[str, Any]:
    return {"recovery_codes": wiring.current().mfa().confirm_enrolment(principal, body.code)}


@api_route(mfa_routes, "/me/mfa/recovery-codes", permission=None, method="POST",
           summary="Ten new recovery codes (the current password again); the earlier ones stop working", tag=TAG,
           body="accounts:PasswordRequest", response="accounts:RecoveryCodesResponse", errors=(409, 429),
           description=f"A wrong password is 400 naming `password`. {THROTTLED}")
def regenerate_recovery_codes(principal: Principal, body: PasswordRequest, request: RequestInfo) -> dict[str, Any]:
    wiring.current().accounts().admit(request.client_address, principal.username)
    return {"recovery_codes": wiring.current().mfa().regenerate_recovery_codes(
        principal, body.password, client=ClientInfo.of(request.client_address, request.headers))}


@api_route(mfa_routes, "/review/accounts/{username}/mfa-reset", permission=Permission.SUPPORT, method="POST",
           summary="Plan support: reset a user's lost second factor", tag=TAG, status=204, errors=(404,),
           description=f"{RESET}A plan-staff account's reset needs the plan administrator permission too.")
def reset_by_support(principal: Principal, username: str) -> None:
    wiring.current().mfa().reset(principal, username)


@api_route(mfa_routes, "/users/{username}/mfa-reset", permission=Permission.USER_ADMIN, method="POST",
           summary="An office's user administrator: reset a user's lost second factor", tag=TAG, status=204,
           errors=(404,), description=f"{RESET}A user of another Tax ID answers 404.")
def reset_by_administrator(principal: Principal, username: str) -> None:
    wiring.current().mfa().reset(principal, username)
