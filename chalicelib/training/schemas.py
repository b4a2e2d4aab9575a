"""Bodies of the Provider Training routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from chalicelib.platform.web.schemas import PROVIDER_ID, QueryParameters, RequestBody, ResponseBody

StatusName = Literal["COMPLETE", "DUE", "OVERDUE", "OPTIONAL"]


class TrainingQuery(QueryParameters):
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID,
                                    description="The provider acted for (default: the account's own)")


class AttestationIn(RequestBody):
    version: str = Field(min_length=1, max_length=20, description="The version read (the module's current one)")
    provider_id: str | None = Field(default=None, pattern=PROVIDER_ID,
                                    description="The provider acted for (default: the account's own)")


class AttestedOut(ResponseBody):
    version: str
    completed_at: datetime


class ModuleStandingOut(ResponseBody):
    module_id: str
    title: str
    description: str
    link: str
    version: str
    required: bool
    status: StatusName
    due_on: date = Field(description="The end of the current training year: when this year's attestation is owed")
    latest: AttestedOut | None


class TrainingOut(ResponseBody):
    provider_id: str
    items: list[ModuleStandingOut]


class UserTrainingOut(ResponseBody):
    username: str
    account_status: str
    items: list[ModuleStandingOut]


class OfficeTrainingOut(ResponseBody):
    tax_id: str
    users: list[UserTrainingOut]
