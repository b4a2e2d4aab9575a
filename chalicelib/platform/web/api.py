"""The one place where HTTP meets the domain.

``api_route`` registers a Chalice route on a blueprint and wraps the view so that:
the body and query string are parsed into typed models (unknown fields and bad types
answer 400 naming the field); the bearer token becomes a ``Principal``; domain errors
map to HTTP through ``STATUS_BY_KIND``, as our JSON error body or, on a FHIR route (one that
produces ``application/fhir+json``), as an ``OperationOutcome`` (``ISSUE_BY_KIND``); every response
carries the correlation ID; and the route's contract is recorded for ``/openapi.json``.

Chalice's request is read here once, as it arrives, and nowhere else: a view that needs the
request itself (a header, the raw body) declares a ``request`` parameter and gets a
``RequestInfo``. Chalice keeps its request on the app, so a later read from a view or a
service can see another request's on a threaded server.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.platform import metrics
from chalicelib.platform.errors import (
    ErrorKind,
    ImpersonationReadOnly,
    MfaEnrolmentRequired,
    NotAuthenticated,
    PayloadTooLarge,
    PermissionRequired,
    PortalError,
    UnsupportedMediaType,
    ValidationFailed,
)
from chalicelib.platform.logs import bind_correlation_id, bind_route, logger
from chalicelib.platform.permissions import Needs, Permission, missing_for
from chalicelib.platform.web.input_checks import (
    DEPTH_PROBLEM,
    TEXT_PROBLEM,
    Location,
    disallowed_text_at,
    nests_too_deep,
)

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from chalicelib.platform.access import Principal


MAX_BODY_BYTES = 64 * 1024
MAX_TOKEN_LENGTH = 256
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_PATH_PARAMETER = re.compile(r"^\$?[A-Za-z0-9._@-]{1,100}$")  # "$" opens FHIR operations ($submit)

STATUS_BY_KIND: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.GONE: 410,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNSUPPORTED_MEDIA: 415,
    ErrorKind.LOCKED: 423,
    ErrorKind.THROTTLED: 429,
    ErrorKind.UNAVAILABLE: 503,
}

JSON = "application/json"
FHIR_JSON = "application/fhir+json"
ISSUE_BY_KIND: dict[ErrorKind, str] = {
    ErrorKind.INVALID: "invalid",
    ErrorKind.UNAUTHENTICATED: "login",
    ErrorKind.FORBIDDEN: "forbidden",
    ErrorKind.NOT_FOUND: "not-found",
    ErrorKind.CONFLICT: "conflict",
    ErrorKind.GONE: "deleted",
    ErrorKind.TOO_LARGE: "too-long",
    ErrorKind.UNSUPPORTED_MEDIA: "not-supported",
    ErrorKind.LOCKED: "lock-error",
    ErrorKind.THROTTLED: "throttled",
    ErrorKind.UNAVAILABLE: "transient",
}
"""The OperationOutcome issue type (http://hl7.org/fhir/issue-type) of each error kind."""
ERROR_CODE_SYSTEM = "urn:portal:error-code"
HTTP_PARTS = frozenset({"Authorization", "Content-Type", "Idempotency-Key", "body"})
"""Problems named after a part of the HTTP request, not a FHIR element: no ``expression``."""

BASE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}
"""With the security headers every response gets (``edge.every_response``)."""


@dataclass(frozen=True)
class Schema:
    """A body model named as "area:Class" (the area's ``schemas`` module; "base" is the shared one), imported on
    first use.

    pydantic and the models cost more at import than every other library the app loads,
    so a cold start builds none of them; the first request that needs one does.
    """

    reference: str

    def load(self) -> type[BaseModel]:
        area, name = self.reference.split(":")
        module = "chalicelib.platform.web.schemas" if area == "base" else f"chalicelib.{area}.schemas"
        return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class RouteContract:
    """What /openapi.json says of one route."""

    path: str
    method: str
    summary: str
    tag: str
    view_name: str
    body: Schema | None = None
    query: Schema | None = None
    response: Schema | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    auth: bool = True
    produces: str = "application/json"
    description: str = ""
    browser_session: bool = False
    """A page that needs the session cookie (pages send the browser to the login page, never a 401)."""
    permission: Needs | None = None
    """The permissions that open the route (any one); None: any logged-in user, or none needed."""
    before_mfa: bool = False
    """One of the few routes a session waiting for its second factor's enrolment reaches (enrolment, /me, logout)."""
    while_impersonating: bool = False
    """One of the few state-changing routes an impersonation session may call (``admit``): ending it, logging out,
    starting one (which answers 409 ALREADY_IMPERSONATING), choosing the provider shown (a cookie, nothing stored)."""

    @property
    def fhir(self) -> bool:
        """A FHIR route: its errors are OperationOutcome resources."""
        return self.produces == FHIR_JSON


ROUTE_CONTRACTS: list[RouteContract] = []

REQUEST_PARAMETER = "request"


class Headers(Mapping[str, str]):
    """Request headers by name in any case, read-only. ``repr`` names them without values (tokens)."""

    __slots__ = ("_values",)

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._values = {name.lower(): value for name, value in headers.items()}

    def __getitem__(self, name: str) -> str:
        if not isinstance(name, str):
            raise KeyError(name)
        return self._values[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Headers({sorted(self._values)})"


@dataclass(frozen=True)
class RequestInfo:
    """One request as the route helper read it on arrival: what a view declaring ``request`` gets.

    Chalice keeps the request on the app (one attribute for every thread), so reading it again
    later can answer with another request's; this copy belongs to its request alone.
    """

    headers: Headers
    body: bytes
    query_params: Mapping[str, str]
    correlation_id: str
    lambda_context: Any = field(default=None, repr=False, compare=False)
    client_address: str = ""
    """API Gateway's ``identity.sourceIp``: the connection's address, never a header the client wrote."""


def client_address(context: Mapping[str, Any] | None) -> str:
    return str(((context or {}).get("identity") or {}).get("sourceIp") or "")


type Authenticator = Callable[[str, str | None], Any]
"""A session token and the provider the request acts for (None: the login's own) -> a ``Principal``."""
_authenticate: Authenticator | None = None


def use_authenticator(authenticate: Authenticator) -> None:
    """The entry points say how a bearer token becomes a ``Principal`` (the accounts service does it)."""
    global _authenticate
    _authenticate = authenticate


def authenticator() -> Authenticator:
    if _authenticate is None:
        raise RuntimeError("no authenticator: chalicelib.handlers sets it on import")
    return _authenticate


def route_needs(permission: Permission | Needs | None) -> Needs | None:
    if permission is None:
        return None
    return (permission,) if isinstance(permission, Permission) else tuple(permission)


READ_METHODS = frozenset({"GET", "HEAD"})


def admit(principal: Principal, contract: RouteContract) -> None:
    """The one check of every logged-in route (API and pages), before its view runs. A session viewing the portal as
    another user is read-only: every route but a GET (or HEAD) answers 403 IMPERSONATION_READ_ONLY unless it is
    ``while_impersonating``, so a new route is covered as it is declared. A session that has not enrolled its second
    factor reaches only the ``before_mfa`` routes of those that need a session (403 MFA_ENROLMENT_REQUIRED). Then the
    route's permission (403 FORBIDDEN naming it)."""
    if principal.impersonation is not None and contract.method not in READ_METHODS \
            and not contract.while_impersonating:
        raise ImpersonationReadOnly(principal.username)
    needs_session = contract.auth or contract.browser_session or bool(contract.permission)
    if principal.mfa_pending and not contract.before_mfa and needs_session:
        raise MfaEnrolmentRequired()
    require_permission(principal, contract.permission)


def require_permission(principal: Principal, needs: Needs | None) -> None:
    """The one permission check of every route, before its view runs: 403 FORBIDDEN naming the permission."""
    missing = missing_for(principal.permissions, needs or (), plan_staff=principal.is_plan_staff)
    if missing is not None:
        raise PermissionRequired(missing.value, missing.words)


def api_route(
    blueprint: Blueprint,
    path: str,
    *,
    permission: Permission | Needs | None,
    method: str = "GET",
    summary: str,
    tag: str,
    body: str | None = None,
    query: str | None = None,
    response: str | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    auth: bool = True,
    produces: str = "application/json",
    description: str = "",
    before_mfa: bool = False,
    while_impersonating: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``view``; ``body``, ``query`` and ``response`` name schemas as "module:Class".

    The view gets ``principal`` (unless ``auth=False``), ``body`` and ``query`` as parsed
    models, and returns a mapping, a dataclass, a model, a Chalice ``Response`` or None;
    a returned value is serialised through the ``response`` schema (camelCase). ``permission`` (required, so no
    route forgets it) names what opens the route, any one of them; None only for public and own-account routes.
    ``before_mfa`` lets a session that still has to enrol its second factor in (``admit``).
    ``while_impersonating`` lets an impersonation session call a route that is not a GET (``admit``).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        wants_request = REQUEST_PARAMETER in inspect.signature(view).parameters
        contract = RouteContract(
            path=path, method=method, summary=summary, tag=tag, view_name=view.__name__,
            body=Schema(body) if body else None, query=Schema(query) if query else None,
            response=Schema(response) if response else None, status=status, errors=errors, auth=auth,
            produces=produces, description=description, permission=route_needs(permission), before_mfa=before_mfa,
            while_impersonating=while_impersonating,
        )
        ROUTE_CONTRACTS.append(contract)

        @functools.wraps(view)
        def handler(**uri_params: str) -> Response:
            incoming = blueprint.current_request  # the one read of Chalice's request: see RequestInfo
            headers = Headers(incoming.headers)
            correlation_id = _correlation_id(headers, incoming.context)
            bind_correlation_id(correlation_id)
            bind_route(path)
            try:
                request = RequestInfo(
                    headers=headers, body=incoming.raw_body or b"",
                    query_params=MappingProxyType(dict(incoming.query_params or {})), correlation_id=correlation_id,
                    lambda_context=incoming.lambda_context, client_address=client_address(incoming.context),
                )
                kwargs: dict[str, Any] = _checked_path_parameters(uri_params)
                if auth:
                    token = _bearer_token(request.headers)
                    kwargs["principal"] = authenticator()(token, acting_provider(request, contract))
                    admit(kwargs["principal"], contract)
                if contract.body is not None:
                    kwargs["body"] = parse_body(request, contract.body.load())
                if contract.query is not None:
                    kwargs["query"] = parse_query(request.query_params, contract.query.load())
                if wants_request:
                    kwargs[REQUEST_PARAMETER] = request
                return _success_response(view(**kwargs), contract, correlation_id)
            except PortalError as error:
                if STATUS_BY_KIND[error.kind] >= 500:
                    logger.warning("request refused", extra={"code": error.code})
                return error_response(error, correlation_id, fhir=contract.fhir)
            except Exception:  # noqa: BLE001 - the edge: anything unforeseen is a logged 500, never a trace
                logger.exception("unhandled error", extra={"path": path, "method": method})
                if contract.fhir:
                    return _fhir_response(500, operation_outcome("exception", "INTERNAL_ERROR",
                                                                 "Something went wrong on our side.", {}),
                                          correlation_id)
                return _json_response(
                    500,
                    {"code": "INTERNAL_ERROR", "message": "Something went wrong on our side.", "fields": {},
                     "correlationId": correlation_id},
                    correlation_id,
                )
            finally:
                metrics.flush()

        blueprint.route(path, methods=[method], content_types=["*/*"])(handler)
        return handler

    return decorator


ACTING_FIELDS = {"provider_id": "providerId", "billing_provider_id": "billingProviderId",
                 "requesting_provider_id": "requestingProviderId"}
"""Fields naming the provider a request acts for: the login acts in that provider's Tax ID (Account Linker)."""
_PROVIDER_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")


ACTING_PARAMETER = "providerId"
"""The query parameter every logged-in route takes: the provider the request acts for (Account Linker)."""


def acting_provider(request: RequestInfo, contract: RouteContract) -> str | None:
    """The provider a request acts for: ``?providerId=`` (any logged-in route), else the field of its body that names
    it (``providerId``, a claim's billing provider, a request's requesting provider). Read before the body is parsed,
    so the permissions checked are the grant of that provider's Tax ID; a body that is not plain JSON names none (its
    parse refuses it after the permission check)."""
    value: Any = request.query_params.get(ACTING_PARAMETER)
    if value is None and contract.body is not None:
        declared = contract.body.load().model_fields
        body = _peeked_body(request)
        value = next((body.get(alias) for name, alias in ACTING_FIELDS.items()
                      if name in declared and isinstance(body.get(alias), str)), None)
    return value if isinstance(value, str) and _PROVIDER_ID.match(value) else None


def _peeked_body(request: RequestInfo) -> Mapping[str, Any]:
    raw = request.body
    if not raw or len(raw) > MAX_BODY_BYTES or nests_too_deep(raw):
        return {}
    try:
        document = json.loads(raw)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def error_response(error: PortalError, correlation_id: str, *, fhir: bool = False) -> Response:
    if fhir:
        outcome = operation_outcome(ISSUE_BY_KIND[error.kind], error.code, error.message, error.fields)
        return _fhir_response(STATUS_BY_KIND[error.kind], outcome, correlation_id)
    payload = {"code": error.code, "message": error.message, "fields": error.fields}
    response = _json_response(STATUS_BY_KIND[error.kind], payload, correlation_id)
    if error.retry_after_seconds is not None:
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


def operation_outcome(issue_type: str, code: str, message: str, fields: Mapping[str, str]) -> dict[str, Any]:
    """A FHIR OperationOutcome: one issue per problem (the element in ``expression``), our error code kept in
    ``details`` for machines."""
    details = {"coding": [{"system": ERROR_CODE_SYSTEM, "code": code}], "text": message}
    issues: list[dict[str, Any]] = [
        {"severity": "error", "code": issue_type, "details": details, "diagnostics": f"{name}: {problem}",
         **({} if name in HTTP_PARTS else {"expression": [name]})}
        for name, problem in fields.items()
    ]
    if not issues:
        issues.append({"severity": "error", "code": issue_type, "details": details, "diagnostics": message})
    return {"resourceType": "OperationOutcome", "issue": issues}


def _fhir_response(status: int, resource: dict[str, Any], correlation_id: str) -> Response:
    return Response(body=json.dumps(resource), status_code=status,
                    headers={**BASE_HEADERS, "Content-Type": FHIR_JSON, "X-Correlation-Id": correlation_id})


def _any_json(media_type: str) -> bool:
    return media_type == JSON or media_type.endswith("+json")


def checked_json_body(request: RequestInfo, *, accepts: Callable[[str], bool] = _any_json,
                      expected: str = JSON, empty_problem: str = "must be a JSON object") -> bytes:
    """The raw body of a JSON request once its Content-Type (415), size (413), emptiness and nesting (400) pass:
    every JSON body, typed or FHIR, is checked here. No Content-Type is taken as JSON."""
    media_type = (request.headers.get("content-type") or JSON).split(";")[0].strip().lower()
    if not accepts(media_type):
        raise UnsupportedMediaType(f"Send the body as {expected}.", {"Content-Type": f"must be {expected}"})
    raw = request.body
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(fields={"body": f"must be at most {MAX_BODY_BYTES} bytes"})
    if not raw.strip():
        raise ValidationFailed("The request body is empty.", {"body": empty_problem})
    if nests_too_deep(raw):
        raise ValidationFailed("The JSON body nests too deeply.", {"body": DEPTH_PROBLEM})
    return raw


def refuse_disallowed_text(document: Any, name: Callable[[Location], str]) -> None:
    """400 naming the first field whose text holds a control or text-direction character (``input_checks``)."""
    location = disallowed_text_at(document)
    if location is not None:
        raise ValidationFailed(fields={name(location) or "body": TEXT_PROBLEM})


def dotted(location: Location) -> str:
    """A field as ``field_errors`` names it: ``serviceLines.0.note``."""
    return ".".join(str(part) for part in location)


def parse_body(request: RequestInfo, model: type[BaseModel]) -> BaseModel:
    raw = checked_json_body(request)
    from pydantic import ValidationError

    try:
        parsed = model.model_validate_json(raw)
        document = json.loads(raw)
    except ValidationError as error:
        raise ValidationFailed(fields=field_errors(error)) from None
    except ValueError:
        raise ValidationFailed(fields={"body": "is not valid JSON"}) from None
    refuse_disallowed_text(document, dotted)
    return parsed


def parse_query(params: Mapping[str, str], model: type[BaseModel]) -> BaseModel:
    """``providerId`` names the provider acted for on every route (``acting_provider``): a query without a field of
    that name leaves it out."""
    from pydantic import ValidationError

    values = dict(params)
    if "provider_id" not in model.model_fields:
        values.pop(ACTING_PARAMETER, None)
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise ValidationFailed(fields=field_errors(error)) from None


def field_errors(error: ValidationError) -> dict[str, str]:
    """One plain message per field, named as the client sent it (camelCase)."""
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=False):
        name = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(name, _plain_message(item))
    return fields


def _plain_message(item: Any) -> str:
    kind = item["type"]
    context = item.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "json_invalid":
        return "is not valid JSON"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a JSON object"
    if kind == "string_too_long":
        return f"must be at most {context.get('max_length')} characters"
    if kind == "string_too_short":
        return f"must be at least {context.get('min_length')} characters"
    if kind == "string_pattern_mismatch":
        return "has the wrong format"
    if kind == "string_type":
        return "must be a string"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be a whole number"
    if kind in ("less_than_equal", "greater_than_equal"):
        bound = context.get("le", context.get("ge"))
        return f"must be {'at most' if kind == 'less_than_equal' else 'at least'} {bound}"
    if kind.startswith(("date_", "datetime_")):
        return "must be a date as YYYY-MM-DD"
    if kind == "literal_error" or kind == "enum":
        return f"must be one of {context.get('expected')}"
    message = str(item.get("msg", "is not valid"))
    return message[:1].lower() + message[1:]


def _checked_path_parameters(uri_params: dict[str, str]) -> dict[str, Any]:
    """IDs in the path are short and plain; anything else is refused before it reaches a key."""
    wrong = {name: "has the wrong format" for name, value in uri_params.items() if not _PATH_PARAMETER.match(value)}
    if wrong:
        raise ValidationFailed(fields=wrong)
    return dict(uri_params)


def _bearer_token(headers: Headers) -> str:
    header = headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotAuthenticated(fields={"Authorization": "must be 'Bearer <token>' from POST /auth/login"})
    return token


def _correlation_id(headers: Headers, context: Mapping[str, Any] | None) -> str:
    supplied = headers.get("x-correlation-id") or ""
    if _CORRELATION_ID.match(supplied):
        return supplied
    request_id = (context or {}).get("requestId") or ""
    return request_id if _CORRELATION_ID.match(request_id) else str(uuid.uuid4())


def _success_response(result: Any, contract: RouteContract, correlation_id: str) -> Response:
    if isinstance(result, Response):
        result.headers = {**BASE_HEADERS, "X-Correlation-Id": correlation_id, **(result.headers or {})}
        return result
    if result is None:
        headers = {**BASE_HEADERS, "X-Correlation-Id": correlation_id}
        return Response(body="", status_code=contract.status, headers=headers)
    if contract.response is not None:
        model = contract.response.load()
        result = model.model_validate(result, from_attributes=True).model_dump(mode="json", by_alias=True)
    return _json_response(contract.status, result, correlation_id)


def _json_response(status: int, payload: Any, correlation_id: str) -> Response:
    return Response(
        body=payload,
        status_code=status,
        headers={**BASE_HEADERS, "Content-Type": "application/json", "X-Correlation-Id": correlation_id},
    )
