"""Shared pieces of the API's typed bodies: camelCase on the wire, strict, closed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

MEMBER_ID = r"^[A-Za-z0-9]{1,20}$"
PROVIDER_ID = r"^[A-Za-z0-9]{1,20}$"


class RequestBody(BaseModel):
    """A JSON body: unknown fields and wrong JSON types are refused, not coerced."""

    model_config = ConfigDict(
        extra="forbid", strict=True, alias_generator=to_camel, populate_by_name=True, frozen=True
    )


class QueryParameters(BaseModel):
    """A query string: every value arrives as text, so numbers and dates are parsed from it."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)


class ResponseBody(BaseModel):
    """What a route answers; views hand back mappings or dataclasses with the snake_case names."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


class ErrorBody(ResponseBody):
    code: str = Field(description="Stable machine-readable code, e.g. VALIDATION_ERROR")
    message: str
    fields: dict[str, str] = Field(default_factory=dict, description="Field name -> what is wrong with it")


class StatusBody(ResponseBody):
    status: str


class MessageBody(ResponseBody):
    status: str
    message: str


class ListQuery(QueryParameters):
    limit: int = Field(default=50, ge=1, le=500)
    next_token: str | None = Field(default=None, max_length=2048)
