"""FHIR R4 prior authorization in the Da Vinci PAS shape (STU 2.0.1): answering.

The ClaimResponse carries ``identifier``, ``request`` (the submitted Claim by its identifier),
``patient``/``requestor``/``insurer`` references that resolve to entries of the response Bundle,
and per item the ``reviewAction`` extension on ``item.adjudication`` (category ``submitted``)
with its X12 306 action code and, when certified, the authorization number. The Bundle has its
``identifier`` and ``timestamp``. Both are checked against the ``R4B`` models before they leave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.priorauth.enums import AuthStatus, RequestType
from chalicelib.priorauth.identifiers import (
    MEMBER_ID_SYSTEM,
    NPI_SYSTEM,
    PRIOR_AUTH_SYSTEM,
    PROVIDER_ID_SYSTEM,
    RESPONSE_BUNDLE_SYSTEM,
)
from chalicelib.priorauth.store import PriorAuthRequestModel

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
REVIEW_ACTION = PAS + "extension-reviewAction"
REVIEW_ACTION_CODE = PAS + "extension-reviewActionCode"
ITEM_PREAUTH_PERIOD = PAS + "extension-itemPreAuthPeriod"
ITEM_REQUESTED_DATE = PAS + "extension-itemRequestedServiceDate"
X12_REVIEW_ACTIONS = "https://codesystem.x12.org/005010/306"
CLAIM_TYPES = "http://terminology.hl7.org/CodeSystem/claim-type"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
REVIEW_ACTION_BY_STATUS = {
    AuthStatus.APPROVED: ("A1", "Certified in total"),
    AuthStatus.DENIED: ("A3", "Not certified"),
    AuthStatus.PENDED: ("A4", "Pended"),
    AuthStatus.MORE_INFO_REQUESTED: ("A4", "Pended"),
    AuthStatus.APPEALED: ("A4", "Pended"),
    AuthStatus.NO_AUTH_REQUIRED: ("NA", "No action required"),
}
DISPOSITION = {
    AuthStatus.NO_AUTH_REQUIRED: "No authorization required by our rules",
    AuthStatus.MORE_INFO_REQUESTED: "Pended: more information requested",
}


@dataclass(frozen=True)
class Party:
    """A provider as the response names it: our provider ID, its NPI, its name, group or practitioner."""

    provider_id: str
    npi: str | None
    name: str
    is_group: bool

    @property
    def resource_type(self) -> str:
        return "Organization" if self.is_group else "Practitioner"

    def resource(self) -> dict[str, Any]:
        identifiers = [{"system": PROVIDER_ID_SYSTEM, "value": self.provider_id}]
        if self.npi:
            identifiers.insert(0, {"system": NPI_SYSTEM, "value": self.npi})
        body: dict[str, Any] = {"resourceType": self.resource_type, "id": self.provider_id, "identifier": identifiers}
        if self.is_group:
            body["name"] = self.name
        else:
            given, _, family = self.name.rpartition(" ")
            body["name"] = [{"family": family or self.name, **({"given": [given]} if given else {})}]
        return body


INSURER_ID = "insurer"


def _insurer(plan_name: str) -> dict[str, Any]:
    return {"resourceType": "Organization", "id": INSURER_ID, "name": plan_name,
            "identifier": [{"system": "urn:portal:payer", "value": plan_name}], "active": True}


def _patient(request: PriorAuthRequestModel) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": request.member_id,
            "identifier": [{"system": MEMBER_ID_SYSTEM, "value": request.member_id}],
            "name": [{"family": request.member_last_name, "given": [request.member_first_name]}],
            "birthDate": request.member_birth_date}


def _claim_reference(request: PriorAuthRequestModel) -> dict[str, Any]:
    if request.claim_identifiers:
        system, _, value = request.claim_identifiers[0].partition("|")
        return {"type": "Claim", "identifier": {**({"system": system} if system else {}), "value": value}}
    return {"type": "Claim", "identifier": {"system": PRIOR_AUTH_SYSTEM, "value": request.request_id}}


def _item(request: PriorAuthRequestModel, line: Any, status: AuthStatus) -> dict[str, Any]:
    code, display = REVIEW_ACTION_BY_STATUS[status]
    action: list[dict[str, Any]] = [{"url": REVIEW_ACTION_CODE, "valueCodeableConcept": {"coding": [
        {"system": X12_REVIEW_ACTIONS, "code": code, "display": display}]}}]
    if status == AuthStatus.APPROVED:
        action.append({"url": "number", "valueString": request.request_id})
    extensions: list[dict[str, Any]] = [{"url": ITEM_REQUESTED_DATE, "valuePeriod": {
        "start": request.start_date, "end": request.end_date}}]
    if status == AuthStatus.APPROVED:
        extensions.append({"url": ITEM_PREAUTH_PERIOD, "valuePeriod": {
            "start": request.approved_start_date, "end": request.approved_end_date}})
    units = line.approved_units if line.approved_units is not None else line.units
    return {
        "itemSequence": int(line.line),
        "extension": extensions,
        "adjudication": [{
            "extension": [{"url": REVIEW_ACTION, "extension": action}],
            "category": {"coding": [{"system": ADJUDICATION, "code": "submitted"}]},
            "value": float(units),
        }],
    }


def claim_response(request: PriorAuthRequestModel, requestor: Party, *, inquiry: bool = False) -> dict[str, Any]:
    """The request as a PAS ClaimResponse (or ClaimInquiryResponse), checked against the R4B model."""
    from fhir.resources.R4B.claimresponse import ClaimResponse

    status = AuthStatus(request.status)
    decided = status in (AuthStatus.APPROVED, AuthStatus.DENIED, AuthStatus.NO_AUTH_REQUIRED)
    claim_type = "professional" if request.request_type == RequestType.OUTPATIENT.value else "institutional"
    identifiers = [{"system": PRIOR_AUTH_SYSTEM, "value": request.request_id}]
    for submitted in request.claim_identifiers[:1]:
        system, _, value = submitted.partition("|")
        identifiers.append({**({"system": system} if system else {}), "value": value})
    body: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "id": request.request_id,
        "meta": {"profile": [PAS + ("profile-claiminquiryresponse" if inquiry else "profile-claimresponse")]},
        "identifier": identifiers,
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPES, "code": claim_type}]},
        "use": "preauthorization",
        "patient": {"reference": f"Patient/{request.member_id}"},
        "created": request.received_at.isoformat(),
        "insurer": {"reference": f"Organization/{INSURER_ID}"},
        "requestor": {"reference": f"{requestor.resource_type}/{requestor.provider_id}"},
        "request": _claim_reference(request),
        "outcome": "complete" if decided else "queued",
        "disposition": DISPOSITION.get(status, REVIEW_ACTION_BY_STATUS[status][1]),
        "item": [_item(request, line, status) for line in request.lines],
    }
    if status == AuthStatus.APPROVED:
        body["preAuthRef"] = request.request_id
        body["preAuthPeriod"] = {"start": request.approved_start_date, "end": request.approved_end_date}
    notes = [request.denial_reason] if status == AuthStatus.DENIED and request.denial_reason else []
    notes += list(request.pend_reasons) if not decided else []
    if status == AuthStatus.MORE_INFO_REQUESTED and request.information_requested:
        notes.append(f"Information requested: {request.information_requested}")
    if notes:
        body["processNote"] = [{"number": index + 1, "type": "display", "text": text}
                               for index, text in enumerate(notes)]
    return ClaimResponse.model_validate(body).model_dump(mode="json", exclude_none=True)


def response_bundle(request: PriorAuthRequestModel, requestor: Party, plan_name: str, base_url: str,
                    now: datetime, *, inquiry: bool = False) -> dict[str, Any]:
    """A PAS Response Bundle (or Inquiry Response Bundle): the ClaimResponse and every resource it references."""
    from fhir.resources.R4B.bundle import Bundle

    base = f"{base_url}/fhir"
    response = claim_response(request, requestor, inquiry=inquiry)
    resources = [response, _patient(request), requestor.resource(), _insurer(plan_name)]
    profile = "profile-pas-inquiry-response-bundle" if inquiry else "profile-pas-response-bundle"
    bundle = {
        "resourceType": "Bundle",
        "meta": {"profile": [PAS + profile]},
        "identifier": {"system": RESPONSE_BUNDLE_SYSTEM,
                       "value": f"{request.request_id}-{int(request.version)}-{now:%Y%m%d%H%M%S}"},
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": [{"fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}", "resource": resource}
                  for resource in resources],
    }
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)
