"""Accounts' JSON routes: registration, activation, logout, password reset, /me (login and its second factor:
``mfa_routes``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.accounts.registration import SECURITY_QUESTIONS, ClaimedProvider
from chalicelib.accounts.service import Registration
from chalicelib.platform.access import Principal
from chalicelib.platform.web.api import RequestInfo, api_route
from chalicelib.providers.enums import ProviderType

if TYPE_CHECKING:
    from chalicelib.accounts.schemas import (
        RegisterRequest,
        ResetPasswordRequest,
        TokenRequest,
        UsernameRequest,
    )

auth_routes = Blueprint(__name__)
TAG = "Accounts"
THROTTLED = ("Throttled per client address and per username: past the stage's limits it answers 429 "
             "TOO_MANY_REQUESTS with Retry-After (seconds).")
FORGOT_PASSWORD_ANSWER = {
    "status": "ACCEPTED",
    "message": "If the username belongs to an active account, an email with a reset link is on its way.",
}
RESEND_ACTIVATION_ANSWER = {
    "status": "ACCEPTED",
    "message": "If the username belongs to an account waiting for activation, a new activation email is on its way.",
}


@api_route(auth_routes, "/auth/security-questions", permission=None,
           summary="The security questions to choose from", tag=TAG,
           response="accounts:SecurityQuestionsResponse", auth=False)
def security_questions() -> dict[str, Any]:
    return {"items": list(SECURITY_QUESTIONS), "count": len(SECURITY_QUESTIONS), "next_token": None}


@api_route(auth_routes, "/auth/register", permission=None,
           method="POST", summary="Register as a Practitioner or a Group", tag=TAG,
           body="accounts:RegisterRequest", response="base:StatusBody", status=201, errors=(404, 409, 429),
           auth=False, description="Every provider value must match the directory exactly (names ignore case and "
           "spacing); any ZIP of the provider's profile works. A Group account acts for every provider under its Tax "
           "ID. An email that already has an account answers like a new registration (its owner is told by email); "
           f"a taken username is a 409 naming `username`. {THROTTLED}")
def register(body: RegisterRequest, request: RequestInfo) -> dict[str, str]:
    wiring.current().accounts().register(registration_from(body), client_address=request.client_address)
    return {"status": "PENDING_ACTIVATION"}


def registration_from(body: RegisterRequest) -> Registration:
    """The registration the JSON route and the registration page both hand to the accounts service."""
    provider = ClaimedProvider(
        provider_type=ProviderType(body.provider_type),
        provider_id=body.provider_id,
        tax_id=body.tax_id.replace("-", ""),
        zip_code=body.zip_code,
        first_name=body.first_name or "",
        last_name=body.last_name or "",
        group_name=body.group_name or "",
    )
    return Registration(
        provider=provider,
        accept_agreement=body.accept_agreement,
        username=body.username,
        password=body.password,
        email=body.email,
        security_question=body.security_question,
        security_answer=body.security_answer,
    )


@api_route(auth_routes, "/auth/activate", permission=None,
           method="POST", summary="Activate an account with the emailed token",
           tag=TAG, body="accounts:TokenRequest", response="base:StatusBody", errors=(429,), auth=False,
           description=THROTTLED)
def activate(body: TokenRequest, request: RequestInfo) -> dict[str, str]:
    accounts = wiring.current().accounts()
    accounts.admit(request.client_address)
    accounts.activate(body.token)
    return {"status": "ACTIVE"}


@api_route(auth_routes, "/auth/resend-activation", permission=None,
           method="POST", summary="Send a new activation email",
           tag=TAG, body="accounts:UsernameRequest", response="base:MessageBody", status=202, errors=(429,),
           auth=False, description=f"Answers the same, with the same work, whether or not the username exists. "
           f"{THROTTLED}")
def resend_activation(body: UsernameRequest, request: RequestInfo) -> dict[str, str]:
    accounts = wiring.current().accounts()
    accounts.admit(request.client_address, body.username)
    accounts.resend_activation(body.username)
    return RESEND_ACTIVATION_ANSWER


@api_route(auth_routes, "/auth/logout", permission=None, method="POST", summary="End this session", tag=TAG, status=204,
           before_mfa=True, while_impersonating=True,
           description="A view of the portal as another user ends as its End does.")
def logout(principal: Principal) -> None:
    if principal.impersonation is not None:
        wiring.current().impersonations().end(principal)
    else:
        wiring.current().accounts().logout(principal)


@api_route(auth_routes, "/auth/forgot-password", permission=None,
           method="POST", summary="Email a password reset link", tag=TAG,
           body="accounts:UsernameRequest", response="base:MessageBody", status=202, errors=(429,), auth=False,
           description="Answers the same, with the same work, whether or not the username exists; at most a few "
           f"emails per hour. {THROTTLED}")
def forgot_password(body: UsernameRequest, request: RequestInfo) -> dict[str, str]:
    accounts = wiring.current().accounts()
    accounts.admit(request.client_address, body.username)
    accounts.forgot_password(body.username)
    return FORGOT_PASSWORD_ANSWER


@api_route(auth_routes, "/auth/reset-password", permission=None,
           method="POST", summary="Set a new password with the emailed token",
           tag=TAG, body="accounts:ResetPasswordRequest", response="base:StatusBody", errors=(429,), auth=False,
           description=f"Unlocks the account and ends every earlier session. {THROTTLED}")
def reset_password(body: ResetPasswordRequest, request: RequestInfo) -> dict[str, str]:
    accounts = wiring.current().accounts()
    accounts.admit(request.client_address)
    accounts.reset_password(body.token, body.password)
    return {"status": "PASSWORD_RESET"}


@api_route(auth_routes, "/me", permission=None, summary="The logged-in user and the providers it acts for", tag=TAG,
           response="accounts:MeResponse", before_mfa=True)
def me(principal: Principal) -> dict[str, Any]:
    profile = wiring.current().accounts().profile(principal)
    return {
        **asdict(profile),
        "session": {"expires_at": principal.session_ends_at, "absolute_expires_at": principal.session_hard_expiry},
        "access": principal.awaiting or "APPROVED",
        "acting_tax_id": principal.acting_tax_id,
        "impersonated_by": principal.impersonated_by,
    }
