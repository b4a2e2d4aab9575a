"""Bodies of the account routes (API.md, Accounts)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, RootModel

from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.schemas import ListQuery, RequestBody, ResponseBody

USERNAME_PATTERN = r"^[A-Za-z0-9._@-]+$"
EMAIL_PATTERN = r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"


class ProviderFacts(RequestBody):
    """The facts that name a provider exactly as the directory has it (registration's, and Account Linker's)."""

    provider_type: Literal["Practitioner", "Group"]
    first_name: str | None = Field(default=None, max_length=60, description="Practitioner only")
    last_name: str | None = Field(default=None, max_length=60, description="Practitioner only")
    group_name: str | None = Field(default=None, max_length=120, description="Group only")
    tax_id: str = Field(pattern=r"^\d{2}-?\d{7}$", description="Nine digits; 12-3456789 also accepted")
    provider_id: str = Field(pattern=r"^[A-Za-z0-9]{1,20}$")
    zip_code: str = Field(pattern=r"^\d{5}(-\d{4})?$", description="Any ZIP of the provider's profile")


class RegisterRequest(ProviderFacts):
    accept_agreement: bool = Field(description="The Provider Agreement; must be true")
    username: str = Field(min_length=4, max_length=64, pattern=USERNAME_PATTERN)
    password: str = Field(
        max_length=1024,
        description="12+ characters with a lowercase and an uppercase letter, a digit and a symbol; "
        "not the username, the email or a well-known password",
    )
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    security_question: str = Field(max_length=200, description="One of GET /auth/security-questions")
    security_answer: str = Field(max_length=200)


class TokenRequest(RequestBody):
    token: str = Field(min_length=1, max_length=256)


class UsernameRequest(RequestBody):
    username: str = Field(min_length=1, max_length=64)


class LoginRequest(RequestBody):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    device_token: str | None = Field(default=None, min_length=1, max_length=256, description=(
        "What POST /auth/login/mfa answered with rememberDevice: for 30 days this account skips the code step"))


class ResetPasswordRequest(RequestBody):
    token: str = Field(min_length=1, max_length=256)
    password: str = Field(max_length=1024)


class LoginResponse(ResponseBody):
    token: str = Field(description="Opaque bearer token for the Authorization header")
    expires_at: datetime = Field(description="When the session ends without further use (30 minutes idle)")
    absolute_expires_at: datetime = Field(description="When the session ends at the latest (12 hours)")
    mfa_enrolment_required: bool = Field(default=False, description=(
        "True: the account has no second factor yet, and this session reaches only POST /me/mfa/enrolment, "
        "POST /me/mfa/enrolment/confirm (which makes it a full session), GET /me, GET /me/mfa and logout; every "
        "other route answers 403 MFA_ENROLMENT_REQUIRED"))


class ProviderOut(ResponseBody):
    provider_id: str
    provider_type: str
    name: str
    tax_id: str
    state: str


class SessionOut(ResponseBody):
    expires_at: datetime
    absolute_expires_at: datetime


class MeResponse(ResponseBody):
    username: str
    email: str
    role: str = Field(description="PROVIDER_USER or PLAN_STAFF")
    provider_type: str | None
    registered_provider_id: str | None
    providers: list[ProviderOut]
    session: SessionOut
    access: str = Field(default="APPROVED", description="APPROVED, or what the account waits for before it holds "
                        "any permission: CONFIRMATION_REQUIRED (its practice's confirmation: GET "
                        "/practice-confirmation) or PENDING_APPROVAL (its administrator's)")
    acting_tax_id: str | None = Field(default=None, description="The Tax ID this request acts in (its permissions "
                                      "are that Tax ID's grant): the login's own, or a linked one named by "
                                      "`providerId` where a route takes it")
    impersonated_by: str | None = Field(default=None, description="Set in a view of the portal as this user "
                                        "(Impersonate User, read-only): who views")


class SecurityQuestionsResponse(ResponseBody):
    items: list[str]
    count: int
    next_token: str | None = None


class FirstPlanAdministratorIn(RequestBody):
    """The first plan administrator command's arguments: who, and where the set-password link goes."""

    username: str = Field(min_length=4, max_length=64, pattern=USERNAME_PATTERN)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
# Who gets in (Confirm your practice, the review desk) and Manage Users

PERMISSION_LIST = Field(max_length=20, description="Provider permissions (see the README's Permissions table)")
VERSION = Field(default=None, pattern=r"^[0-9a-f]{16}$", description="The user's `version` as you read it: a "
                "change sent with an older one is refused with 409 PERMISSIONS_CHANGED (someone changed the user "
                "meanwhile; read it again)")


class PermissionsRequest(RequestBody):
    permissions: list[Permission] = PERMISSION_LIST
    administrator: bool | None = Field(default=None, description="Make or unmake a Provider Administrator "
                                                                 "(administrators only); unchanged when left out")
    version: str | None = VERSION


class ApproveRequest(RequestBody):
    permissions: list[Permission] | None = Field(default=None, max_length=20, description="Left out: the Tax "
                                                 "ID's default permission set (GET /default-permissions)")
    administrator: bool = Field(default=False, description="Approve as a Provider Administrator (administrators "
                                                           "only)")


class DefaultPermissionsRequest(RequestBody):
    permissions: list[Permission] = PERMISSION_LIST


class ConfirmPracticeRequest(RequestBody):
    code: str = Field(pattern=r"^\s*\d{6}\s*$", description="The six digits emailed to the practice's address on "
                                                             "record")


class UsersQuery(ListQuery):
    status: Literal["PENDING_APPROVAL"] | None = Field(default=None, description="PENDING_APPROVAL: only the "
                                                       "registrations waiting for approval, oldest first")


class UserOut(ResponseBody):
    username: str
    email: str
    provider_id: str | None
    provider_name: str | None
    provider_type: str | None
    status: str = Field(description="PENDING_ACTIVATION, PENDING_APPROVAL, CONFIRMATION_REQUIRED, ACTIVE or "
                                    "DEACTIVATED")
    locked: bool = Field(description="Locked after failed logins (unlock, or it lapses)")
    last_login_at: datetime | None
    registered_at: datetime
    administrator: bool
    permissions: list[str]
    version: str = Field(description="Send it back with a permission change (stale reads are refused)")
    linked: bool = Field(default=False, description="A user of another Tax ID linked to this one (Account Linker): "
                         "its permissions here are this Tax ID's; deactivating, unlocking and resets are its own Tax "
                         "ID's (409 LINKED_USER); removing it removes its links here")
    deactivated_reason: str | None = Field(default=None, description="INACTIVITY: a DEACTIVATED user deactivated "
                                           "for going unused (PORTAL_INACTIVE_DAYS, 90); its password reset brings "
                                           "it back too. null: deactivated by an administrator, or not deactivated")


class UserPageOut(ResponseBody):
    items: list[UserOut]
    next_token: str | None = None


class DefaultPermissionsOut(ResponseBody):
    permissions: list[str]


class AccessOut(ResponseBody):
    state: str = Field(description="CONFIRMATION_REQUIRED, PENDING_APPROVAL or APPROVED")
    tax_id: str | None
    practice_name: str | None
    contact: str | None = Field(description="The practice's contact address on record, masked (where the code "
                                            "goes)")
    code_expires_at: datetime | None
    administrator: bool


class ConfirmationOut(ResponseBody):
    username: str
    email: str
    email_verified: bool
    provider_id: str | None
    provider_name: str | None
    tax_id: str
    contact_email: str | None
    registered_at: datetime
    waiting_since: str


class ConfirmationPageOut(ResponseBody):
    items: list[ConfirmationOut]
    next_token: str | None = None
# Two-step verification (chalicelib/accounts/mfa_service.py)

class MfaChallengeResponse(ResponseBody):
    mfa_required: Literal[True] = Field(description="A code is needed: POST /auth/login/mfa with the challenge")
    challenge: str = Field(description="Opaque; good for 5 minutes and at most 5 wrong codes")
    expires_at: datetime


class LoginAnswer(RootModel[LoginResponse | MfaChallengeResponse]):
    """POST /auth/login: the session, or (an account with a second factor) the challenge of the code step."""


class MfaLoginRequest(RequestBody):
    challenge: str = Field(min_length=1, max_length=256)
    code: str = Field(min_length=1, max_length=64, description=(
        "The 6-digit code the authenticator app shows now (each code once), or one of the recovery codes"))
    remember_device: bool = Field(default=False, description=(
        "Answer a deviceToken: sent with POST /auth/login, it skips the code step for this account for 30 days"))


class MfaLoginResponse(LoginResponse):
    device_token: str | None = Field(default=None, description="With rememberDevice; forgotten by a password "
                                     "reset or change and by an MFA reset")


class MfaStatusResponse(ResponseBody):
    enrolled: bool
    enrolled_at: datetime | None = None
    recovery_codes_left: int
    enrolment_started: bool = Field(description="A secret was made (POST /me/mfa/enrolment) and awaits its code")


class MfaEnrolmentResponse(ResponseBody):
    secret: str = Field(description="Base32, for typing into an authenticator app; not active until confirmed")
    otpauth_uri: str = Field(description="otpauth://totp/... (what the QR code holds)")
    qr_code_svg: str = Field(description="The URI as an SVG QR code")


class MfaCodeRequest(RequestBody):
    code: str = Field(min_length=1, max_length=16, description="The 6-digit code the app shows for the new secret")


class PasswordRequest(RequestBody):
    password: str = Field(min_length=1, max_length=1024)


class RecoveryCodesResponse(ResponseBody):
    recovery_codes: list[str] = Field(description="Ten one-time codes, shown this once; only their hashes are kept")


# Update My Account (the logged-in user's own account)

CURRENT_PASSWORD = Field(min_length=1, max_length=1024, description="The account's current password: a wrong one "
                         "is a 400 naming `currentPassword` and counts toward the lockout, like a failed login")


class MyAccountOut(ResponseBody):
    username: str
    email: str
    pending_email: str | None = Field(description="An address asked for and not confirmed yet (its link is in its "
                                                  "mailbox)")
    pending_email_at: datetime | None
    security_question: str | None
    password_changed_at: datetime | None
    last_login_at: datetime | None


class EmailChangeRequest(RequestBody):
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN, description="The new address: a link to confirm it "
                       "goes there")
    current_password: str = CURRENT_PASSWORD


class PasswordChangeRequest(RequestBody):
    current_password: str = CURRENT_PASSWORD
    new_password: str = Field(max_length=1024, description="The registration's rules; not the current password")


class PasswordChangedOut(ResponseBody):
    status: str
    other_sessions_ended: int


class SecurityQuestionRequest(RequestBody):
    current_password: str = CURRENT_PASSWORD
    security_question: str = Field(max_length=200, description="One of GET /auth/security-questions")
    security_answer: str = Field(max_length=200, description="At least 3 characters; kept as a hash, never shown")


class EmailChangedOut(ResponseBody):
    status: str
    email: str


class ActiveSessionOut(ResponseBody):
    session_id: str = Field(description="Names the session here only: never its token")
    created_at: datetime = Field(description="When it logged in")
    last_seen_at: datetime
    ends_at: datetime = Field(description="When it ends unless used again")
    current: bool = Field(description="The session making this request")
    client_address: str | None
    user_agent: str | None


class ActiveSessionPageOut(ResponseBody):
    items: list[ActiveSessionOut]
    next_token: str | None = None


class EndedSessionsOut(ResponseBody):
    ended: int


class SignInOut(ResponseBody):
    occurred_at: datetime
    outcome: str = Field(description="SIGNED_IN, FAILED (a wrong password), LOCKED (refused: the account was "
                                     "locked) or PASSWORD_CHECK_FAILED (a wrong current password on My Account)")
    detail: str | None
    client_address: str | None
    user_agent: str | None


class SignInPageOut(ResponseBody):
    items: list[SignInOut]
    next_token: str | None = None


# Account Linker

class LinkOut(ResponseBody):
    provider_id: str
    provider_type: str
    name: str
    tax_id: str
    state: str | None
    status: str = Field(description="HOME (the provider the account registered for), ACTIVE (linked), "
                                    "PENDING_APPROVAL (waiting for the Tax ID's administrators) or "
                                    "CONFIRMATION_REQUIRED (the Tax ID has no administrator: its practice confirms)")
    requested_at: str | None
    contact: str | None = Field(default=None, description="CONFIRMATION_REQUIRED: the practice's contact address "
                                "on record, masked (where the code goes)")
    code_expires_at: datetime | None = None


class LinkListOut(ResponseBody):
    items: list[LinkOut]


class LinkRequestOut(ResponseBody):
    username: str
    email: str
    provider_id: str
    provider_type: str
    provider_name: str | None
    tax_id: str
    status: str = Field(description="PENDING_APPROVAL, CONFIRMATION_REQUIRED or ACTIVE")
    requested_at: datetime
    keeps_grant: bool = Field(description="The login acts in this Tax ID already: approving adds the provider "
                                          "under the permissions it has here")
    contact_email: str | None = Field(default=None, description="The review desk: the practice's contact address "
                                                                "on record")


class LinkRequestPageOut(ResponseBody):
    items: list[LinkRequestOut]
    next_token: str | None = None


# Impersonate User

class ImpersonationRequest(RequestBody):
    username: str = Field(min_length=1, max_length=64, pattern=USERNAME_PATTERN,
                          description="The office user to view the portal as")


class ImpersonationOut(ResponseBody):
    username: str = Field(description="The user viewed as")
    office: str = Field(description="The user's office: its registered provider and Tax ID")
    impersonated_by: str = Field(description="Who views (the actor)")
    started_at: datetime
    expires_at: datetime = Field(description="Fixed at the start: at most 30 minutes later, never extended by use")


class ImpersonationStarted(ImpersonationOut):
    token: str = Field(description="The view's own bearer token: read-only (every route but a GET answers 403 "
                       "IMPERSONATION_READ_ONLY) until expiresAt. The actor's own token keeps working; use it after")


class ImpersonationEnded(ResponseBody):
    username: str
    impersonated_by: str
    started_at: datetime
    ended_at: datetime
    minutes: int = Field(description="How long the view lasted, in whole minutes rounded up")


# Plan support's Account Help (chalicelib/accounts/account_help.py)

class AccountHelpOut(ResponseBody):
    """An account as plan support sees it on a caller's call: never the security answer nor any hash."""

    username: str
    name: str | None = Field(description="The registered provider's name (a practitioner's, or the group's); null "
                                         "for plan staff")
    email: str
    role: str = Field(description="PROVIDER_USER or PLAN_STAFF")
    provider_id: str | None
    provider_type: str | None
    tax_id: str | None
    status: str = Field(description="PENDING_ACTIVATION, CONFIRMATION_REQUIRED or PENDING_APPROVAL (activated, "
                                    "awaiting its practice's confirmation or its administrator's approval), ACTIVE, "
                                    "DEACTIVATED or CLOSED")
    awaiting: str | None = Field(description="What an activated account waits for: CONFIRMATION_REQUIRED or "
                                             "PENDING_APPROVAL; null once it has its access")
    locked: bool = Field(description="Locked after failed logins")
    locked_until: datetime | None = Field(description="When the lockout lapses by itself, if locked")
    failed_logins: int
    last_login_at: datetime | None
    registered_at: datetime
    mfa_enrolled: bool = Field(description="Whether a second factor is set up")
    security_question: str | None = Field(description="The question to ask the caller (the answer is never shown)")
    answer_checks_left: int = Field(description="Wrong security-answer checks the desk may still make in the "
                                                "current 24 hours (5 at most)")


class SecurityAnswerRequest(RequestBody):
    answer: str = Field(min_length=1, max_length=200, description="What the caller says; compared as registration "
                        "stored it (case and spacing aside), never stored, logged or audited")


class SecurityAnswerCheckOut(ResponseBody):
    matches: bool
    checks_left: int = Field(description="Wrong checks left in the current 24 hours; at 0 the desk answers 429 "
                                         "TOO_MANY_ANSWER_CHECKS")
