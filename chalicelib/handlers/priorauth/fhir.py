"""FHIR R4 prior authorization (Da Vinci PAS 2.0.1): ``Claim/$submit``, ``Claim/$inquire``, the ClaimResponse
read and ``/fhir/metadata``.

Every answer is ``application/fhir+json``; every error an ``OperationOutcome`` (the route helper
renders it for routes that produce FHIR). Problems the service names by its own field names are
renamed here to the FHIR elements they were read from.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.handlers.priorauth.routes import submit_idempotently
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import MemberNotFound, NotFound, PortalError, PriorAuthNotFound, ValidationFailed
from chalicelib.platform.permissions import PRIOR_AUTH_READ, Permission
from chalicelib.platform.web.api import FHIR_JSON, JSON, api_route, checked_json_body, refuse_disallowed_text
from chalicelib.platform.web.idempotency import idempotency_key

if TYPE_CHECKING:
    from chalicelib.platform.access import Principal
    from chalicelib.platform.web.api import RequestInfo
    from chalicelib.priorauth.service import PriorAuthService
    from chalicelib.priorauth.store import PriorAuthRequestModel

fhir_routes = Blueprint(__name__)
TAG = "FHIR (Da Vinci PAS)"
SUBMIT_OPERATION = "$submit"
INQUIRE_OPERATION = "$inquire"
SOFTWARE_VERSION = "2031.1"
FHIR_BODY_TYPES = frozenset({FHIR_JSON, JSON})
FHIR_BODY_EXPECTED = f"{FHIR_JSON} or {JSON}"


def _service() -> PriorAuthService:
    return wiring.current().prior_auths()


def _fhir_response(resource: dict[str, Any], status: int = 200) -> Response:
    return Response(body=json.dumps(resource), status_code=status, headers={"Content-Type": FHIR_JSON})


def _json_body(request: RequestInfo) -> Any:
    """The Bundle as parsed JSON, after the checks every JSON body passes (415, 413, nesting, free text)."""
    from chalicelib.priorauth.fhir import element_path

    raw = checked_json_body(request, accepts=FHIR_BODY_TYPES.__contains__, expected=FHIR_BODY_EXPECTED,
                            empty_problem="must be a FHIR Bundle")
    try:
        document = json.loads(raw)
    except ValueError:
        raise ValidationFailed(fields={"body": "is not valid JSON"}) from None
    refuse_disallowed_text(document, element_path)
    return document


def _bundle(request: PriorAuthRequestModel, *, inquiry: bool = False) -> Response:
    from chalicelib.priorauth.fhir_response import response_bundle

    service = _service()
    settings = get_settings()
    return _fhir_response(response_bundle(request, service.party(request.requesting_provider_id),
                                          settings.plan_name, settings.portal_url, service.now(), inquiry=inquiry))


def _submit(principal: Principal, request: RequestInfo) -> Response:
    from chalicelib.priorauth.fhir import fhir_fields, submission_from_bundle

    service = _service()
    parsed = submission_from_bundle(_json_body(request), service.today(), service.provider_named)
    try:
        outcome = submit_idempotently(principal, parsed.submission, hashlib.sha256(request.body).hexdigest(),
                                      "FHIR", idempotency_key(request), request.lambda_context)
    except PortalError as error:
        if not error.fields:
            raise
        error.fields = fhir_fields(error.fields, parsed.paths)
        raise
    return _bundle(outcome.request)


def _inquire(principal: Principal, request: RequestInfo) -> Response:
    from chalicelib.priorauth.fhir import inquiry_from_bundle

    inquiry = inquiry_from_bundle(_json_body(request))
    try:
        found = _service().inquire(principal, inquiry.member_id, inquiry.claim_identifiers,
                                   inquiry.authorization_numbers)
    except MemberNotFound as error:
        raise MemberNotFound(error.message, {"Claim.patient": "no member of the plan has this identifier"}) from None
    except PriorAuthNotFound as error:
        raise PriorAuthNotFound(error.message, {"Claim.identifier": "no request you sent or are to perform "
                                                "has this identifier"}) from None
    return _bundle(found, inquiry=True)


@api_route(fhir_routes, "/fhir/Claim/{operation}", permission=Permission.PRIOR_AUTH_SUBMIT,
           method="POST", tag=TAG, produces=FHIR_JSON,
           summary="$submit a PAS Request Bundle (AutoAuth answers at once), or $inquire for a request's state",
           errors=(404, 409, 413, 415),
           description="$submit: Bundle entry 0 is the Claim (use preauthorization; type institutional = inpatient, "
           "otherwise outpatient; priority stat or levelOfServiceCode U/03 = expedited) with its Patient (the "
           "member ID), provider and careTeam in the bundle, named by NPI (http://hl7.org/fhir/sid/us-npi) or "
           "by our provider ID (urn:portal:provider-id). Item codes: CPT, HCPCS, NUBC revenue, X12 service type "
           "(http://codesystem.x12.org/005010/1365); other systems are pended for review. Dates: item "
           "servicedPeriod/servicedDate, else billablePeriod, else Claim.created (not before today). "
           "supportingInfo category 'criterion' carries each clinical criterion (code, valueBoolean). "
           "Idempotency-Key works as for POST /prior-auths. $inquire: a PAS Inquiry Request Bundle whose Claim "
           "carries the identifier it was submitted with (or urn:portal:prior-auth|<number>) answers the "
           "request's current ClaimResponse; another office's request is not found. The body is "
           "application/fhir+json or application/json (else 415), at most 64 KiB (else 413), nested at most 64 "
           "levels deep, its text free of control and text-direction characters (else 400). Errors are "
           "OperationOutcome resources naming the element in issue.expression.")
def fhir_claim_operation(principal: Principal, operation: str, request: RequestInfo) -> Response:
    if operation == SUBMIT_OPERATION:
        return _submit(principal, request)
    if operation == INQUIRE_OPERATION:
        return _inquire(principal, request)
    raise NotFound(f"Unknown operation {operation}; this server supports $submit and $inquire.",
                   {"operation": "must be $submit or $inquire"})


@api_route(fhir_routes, "/fhir/ClaimResponse/{authorizationNumber}", permission=PRIOR_AUTH_READ,
           tag=TAG, produces=FHIR_JSON,
           summary="The prior authorization decision as a PAS ClaimResponse", errors=(404,))
def fhir_claim_response(principal: Principal, authorizationNumber: str) -> Response:
    from chalicelib.priorauth.fhir_response import claim_response

    service = _service()
    request = service.get(principal, authorizationNumber, performing=True)
    return _fhir_response(claim_response(request, service.party(request.requesting_provider_id)))


@api_route(fhir_routes, "/fhir/metadata", permission=None, tag=TAG, produces=FHIR_JSON, auth=False,
           summary="The CapabilityStatement: PAS operations, profiles and security (no login)")
def fhir_metadata() -> Response:
    from chalicelib.priorauth.capability import capability_statement

    settings = get_settings()
    return _fhir_response(capability_statement(settings.portal_url, settings.plan_name, SOFTWARE_VERSION))
