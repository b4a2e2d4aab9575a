"""Bodies of the account routes (API.md, Accounts)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.platform.web.schemas import RequestBody, ResponseBody

USERNAME_PATTERN = r"^[A-Za-z0-9._@-]+$"
EMAIL_PATTERN = r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"


class RegisterRequest(RequestBody):
    provider_type: Literal["Practitioner", "Group"]
    first_name: str | None = Field(default=None, max_length=60, description="Practitioner only")
    last_name: str | None = Field(default=None, max_length=60, description="Practitioner only")
    group_name: str | None = Field(default=None, max_length=120, description="Group only")
    tax_id: str = Field(pattern=r"^\d{2}-?\d{7}$", description="Nine digits; 12-3456789 also accepted")
    provider_id: str = Field(pattern=r"^[A-Za-z0-9]{1,20}$")
    zip_code: str = Field(pattern=r"^\d{5}(-\d{4})?$", description="Any ZIP of the provider's profile")
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


class ResetPasswordRequest(RequestBody):
    token: str = Field(min_length=1, max_length=256)
    password: str = Field(max_length=1024)


class LoginResponse(ResponseBody):
    token: str = Field(description="Opaque bearer token for the Authorization header")
    expires_at: datetime = Field(description="When the session ends without further use (30 minutes idle)")
    absolute_expires_at: datetime = Field(description="When the session ends at the latest (12 hours)")


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


class SecurityQuestionsResponse(ResponseBody):
    items: list[str]
    count: int
    next_token: str | None = None


class FirstPlanAdministratorIn(RequestBody):
    """The first plan administrator command's arguments: who, and where the set-password link goes."""

    username: str = Field(min_length=4, max_length=64, pattern=USERNAME_PATTERN)
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
