"""The OpenAPI 3 document, built from the same typed models the handlers parse with."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from chalicelib.platform.web.api import ACTING_PARAMETER, FHIR_JSON, ROUTE_CONTRACTS, RouteContract
from chalicelib.platform.web.schemas import ErrorBody

_REF = "#/components/schemas/{model}"
_REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad request: `fields` names each problem",
    401: "Not logged in, or the session ended", 403: "Not allowed", 404: "Not found, or not yours",
    409: "Conflict", 410: "Gone: no longer available", 413: "Body too large", 415: "Not JSON",
    423: "Account locked", 429: "Too many requests",
}


OPERATION_OUTCOME: dict[str, Any] = {
    "type": "object",
    "description": "A FHIR R4 OperationOutcome: every error of a /fhir route. issue[].details.coding[0].code is "
                   "our error code (urn:portal:error-code); issue[].expression names the element.",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
        "issue": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["severity", "code"],
            "properties": {
                "severity": {"type": "string", "enum": ["fatal", "error", "warning", "information"]},
                "code": {"type": "string", "description": "http://hl7.org/fhir/issue-type"},
                "details": {"type": "object"},
                "diagnostics": {"type": "string"},
                "expression": {"type": "array", "items": {"type": "string"}},
            },
        }},
    },
}


@cache
def openapi_document(title: str, version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for contract in ROUTE_CONTRACTS:
        paths.setdefault(contract.path, {})[contract.method.lower()] = _operation(contract, schemas)
    _add_schema(ErrorBody, schemas)
    if any(contract.fhir for contract in ROUTE_CONTRACTS):
        schemas.setdefault("OperationOutcome", OPERATION_OUTCOME)
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "POST /auth/login"},
                "session": {"type": "apiKey", "in": "cookie", "name": "__Host-portal_session",
                            "description": "The web portal's session cookie, set by the login page "
                            "(portal_session on the local stage's plain http)"},
            },
        },
    }


def _operation(contract: RouteContract, schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": contract.view_name,
        "summary": contract.summary,
        "tags": [contract.tag],
        "responses": {},
    }
    if contract.description:
        operation["description"] = contract.description
    if contract.permission:
        operation["x-permissions"] = [permission.value for permission in contract.permission]
        needed = " or ".join(f"{permission.value} ({permission.words})" for permission in contract.permission)
        operation["description"] = " ".join(filter(None, [
            contract.description, f"Needs the permission {needed}: without it, 403 FORBIDDEN naming it in "
            "fields.permission."]))
    if contract.auth:
        operation["security"] = [{"bearer": []}]
    elif contract.browser_session:
        operation["security"] = [{"session": []}]
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _path_parameters(contract.path)
    ]
    if contract.query is not None:
        parameters.extend(_query_parameters(contract.query.load()))
    if contract.auth and not any(parameter["name"] == ACTING_PARAMETER for parameter in parameters):
        parameters.append(ACTING_PROVIDER)
    if parameters:
        operation["parameters"] = parameters
    if contract.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": _add_schema(contract.body.load(), schemas)}}},
        }
    elif contract.fhir and contract.method == "POST":
        bundle = {"schema": {"type": "object", "description": "A FHIR R4 Bundle (Da Vinci PAS request or inquiry)"}}
        operation["requestBody"] = {"required": True, "content": {FHIR_JSON: bundle, "application/json": bundle}}
    success: dict[str, Any] = {"description": _REASONS.get(contract.status, "OK")}
    if contract.response is not None:
        success["content"] = {
            contract.produces: {"schema": {"$ref": _add_schema(contract.response.load(), schemas)}}
        }
    elif contract.produces != "application/json":
        success["content"] = {contract.produces: {"schema": {"type": "string"}}}
    operation["responses"][str(contract.status)] = success
    error_ref = {"$ref": _REF.format(model="OperationOutcome" if contract.fhir else ErrorBody.__name__)}
    error_type = FHIR_JSON if contract.fhir else "application/json"
    error_statuses = set(contract.errors) | ({401} if contract.auth else set()) | \
        ({403} if contract.permission else set())
    if contract.body is not None or (contract.fhir and contract.method == "POST"):
        error_statuses |= {400, 413, 415}
    if contract.query is not None:
        error_statuses.add(400)
    for status in sorted(error_statuses):
        operation["responses"][str(status)] = {
            "description": _REASONS.get(status, "Error"),
            "content": {error_type: {"schema": error_ref}},
            **({"headers": RETRY_AFTER_HEADER} if status == 429 else {}),
        }
    return operation


ACTING_PROVIDER = {
    "name": ACTING_PARAMETER, "in": "query", "required": False,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9]{1,20}$"},
    "description": "The provider this request acts for (Account Linker): the login acts in that provider's Tax ID, "
                   "with its permissions there; one the login does not act for leaves it in its own. Left out: its "
                   "own Tax ID.",
}
RETRY_AFTER_HEADER = {"Retry-After": {"description": "Seconds until the throttling window ends",
                                      "schema": {"type": "integer", "minimum": 1}}}


def _path_parameters(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _add_schema(model: type[BaseModel], schemas: dict[str, Any]) -> str:
    schema = model.model_json_schema(by_alias=True, ref_template=_REF)
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas.setdefault(model.__name__, schema)
    return _REF.format(model=model.__name__)
