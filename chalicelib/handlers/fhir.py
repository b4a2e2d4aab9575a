"""FHIR R4 prior authorization (Da Vinci PAS): ``POST /fhir/Claim/$submit`` and the ClaimResponse read."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from chalice import Blueprint, Response

from chalicelib.accounts.principal import Principal
from chalicelib.config import get_settings
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.handlers.prior_auth import submit_idempotently
from chalicelib.web.api import MAX_BODY_BYTES, api_route

fhir_routes = Blueprint(__name__)
TAG = "FHIR (Da Vinci PAS)"
FHIR_JSON = "application/fhir+json"
SUBMIT_OPERATION = "$submit"


def _fhir_response(resource: dict[str, Any], status: int = 200) -> Response:
    return Response(body=json.dumps(resource), status_code=status, headers={"Content-Type": FHIR_JSON})


def _json_body() -> Any:
    raw = fhir_routes.current_request.raw_body or b""
    if not raw.strip():
        raise ValidationFailed(fields={"body": "must be a FHIR Bundle"})
    if len(raw) > MAX_BODY_BYTES:
        raise ValidationFailed(fields={"body": f"must be at most {MAX_BODY_BYTES} bytes"})
    try:
        return json.loads(raw)
    except ValueError:
        raise ValidationFailed(fields={"body": "is not valid JSON"}) from None


@api_route(fhir_routes, "/fhir/Claim/{operation}", method="POST", tag=TAG, produces=FHIR_JSON,
           summary="$submit: a PAS Claim bundle in, a ClaimResponse bundle out (same AutoAuth as the portal)",
           errors=(404, 409),
           description="Only the $submit operation. Bundle entry 0 is the Claim (use preauthorization; type "
           "professional = outpatient, institutional = inpatient; priority stat = expedited) with its Patient "
           "(identifier = member ID), provider and careTeam in the bundle; supportingInfo category 'criterion' "
           "carries each clinical criterion (code, valueBoolean). Idempotency-Key works as for POST /prior-auths.")
def fhir_submit(principal: Principal, operation: str) -> Response:
    from chalicelib.priorauth.fhir import response_bundle, submission_from_bundle

    if operation != SUBMIT_OPERATION:
        raise NotFound(f"Unknown operation {operation}; this server supports $submit.")
    raw = fhir_routes.current_request.raw_body or b""
    submission = submission_from_bundle(_json_body())
    outcome = submit_idempotently(principal, submission, hashlib.sha256(raw).hexdigest(), "FHIR")
    settings = get_settings()
    return _fhir_response(response_bundle(outcome.request, settings.plan_name, settings.portal_url))


@api_route(fhir_routes, "/fhir/ClaimResponse/{authorizationNumber}", tag=TAG, produces=FHIR_JSON,
           summary="The prior authorization decision as a PAS ClaimResponse", errors=(404,))
def fhir_claim_response(principal: Principal, authorizationNumber: str) -> Response:
    from chalicelib.priorauth.fhir import claim_response
    from chalicelib.priorauth.service import prior_auth_service

    request = prior_auth_service().get(principal, authorizationNumber)
    return _fhir_response(claim_response(request, get_settings().plan_name))
