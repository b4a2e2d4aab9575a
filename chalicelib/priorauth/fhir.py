"""FHIR R4 prior authorization in the Da Vinci PAS shape: a Claim bundle in, a ClaimResponse out.

``$submit`` takes a Bundle whose first entry is a Claim (use ``preauthorization``) with the
Patient, the requesting Organization or Practitioner, and the care team in the bundle. Both
directions are validated with the ``R4B`` models of ``fhir.resources`` (loaded on first use).
Clinical criteria travel as ``supportingInfo`` with category ``criterion`` (code = criterion ID,
``valueBoolean`` = met) and the history as category ``medical-history`` (``valueString``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib.platform.errors import ValidationFailed
from chalicelib.priorauth.enums import AuthStatus, RequestType, Urgency
from chalicelib.priorauth.store import PriorAuthRequestModel
from chalicelib.priorauth.submission import ServiceLineInput, Submission

PAS_REVIEW_ACTION = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction"
X12_REVIEW_ACTIONS = "https://codesystem.x12.org/005010/306"
CLAIM_TYPES = "http://terminology.hl7.org/CodeSystem/claim-type"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
REVIEW_ACTION_BY_STATUS = {
    AuthStatus.APPROVED: ("A1", "Certified in total"),
    AuthStatus.DENIED: ("A3", "Not certified"),
    AuthStatus.PENDED: ("A4", "Pended"),
    AuthStatus.MORE_INFO_REQUESTED: ("A4", "Pended"),
    AuthStatus.APPEALED: ("A4", "Pended"),
}
REQUEST_TYPE_BY_CLAIM_TYPE = {"professional": RequestType.OUTPATIENT, "institutional": RequestType.INPATIENT}


def _fail(path: str, problem: str) -> ValidationFailed:
    return ValidationFailed("The FHIR bundle is not a prior authorization request this server can read.",
                            {path: problem})


def _validated_bundle(payload: Any) -> Any:
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    if not isinstance(payload, dict) or payload.get("resourceType") != "Bundle":
        raise _fail("resourceType", "must be Bundle")
    try:
        return Bundle.model_validate(payload)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        path = "Bundle." + ".".join(str(part) for part in first["loc"])
        raise _fail(path, str(first["msg"])) from None


def _referenced(bundle: Any, reference: Any, path: str) -> Any:
    target = getattr(reference, "reference", None) if reference else None
    if not target:
        raise _fail(path, "must reference a resource in the bundle")
    for entry in bundle.entry or []:
        resource = entry.resource
        if entry.fullUrl == target or f"{resource.get_resource_type()}/{resource.id}" == target:
            return resource
    raise _fail(path, f"{target} is not in the bundle")


def _identifier(resource: Any, path: str) -> str:
    for identifier in getattr(resource, "identifier", None) or []:
        if identifier.value:
            return str(identifier.value)
    raise _fail(path, "needs an identifier with a value")


def _first_code(concept: Any, path: str) -> str:
    for coding in (getattr(concept, "coding", None) or []) if concept else []:
        if coding.code:
            return str(coding.code)
    raise _fail(path, "needs a coding with a code")


def _as_date(value: Any) -> date:
    """FHIR dateTime arrives as a date ("2026-11-25") or a datetime; either is a day of service."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def submission_from_bundle(payload: Any) -> Submission:
    bundle = _validated_bundle(payload)
    entries = bundle.entry or []
    claim = entries[0].resource if entries else None
    if claim is None or claim.get_resource_type() != "Claim":
        raise _fail("Bundle.entry[0]", "must be the Claim")
    if claim.use != "preauthorization":
        raise _fail("Claim.use", "must be preauthorization")
    claim_type = _first_code(claim.type, "Claim.type")
    if claim_type not in REQUEST_TYPE_BY_CLAIM_TYPE:
        raise _fail("Claim.type", "must be professional or institutional")
    member_id = _identifier(_referenced(bundle, claim.patient, "Claim.patient"), "Patient.identifier")
    requesting = _identifier(_referenced(bundle, claim.provider, "Claim.provider"), "Claim.provider.identifier")
    servicing = requesting
    if claim.careTeam:
        servicing = _identifier(_referenced(bundle, claim.careTeam[0].provider, "Claim.careTeam[0].provider"),
                                "Claim.careTeam[0].provider.identifier")
    priority = _first_code(claim.priority, "Claim.priority")
    lines, starts, ends = [], [], []
    for index, item in enumerate(claim.item or []):
        path = f"Claim.item[{index}]"
        code = _first_code(item.productOrService, f"{path}.productOrService")
        units = int(item.quantity.value) if item.quantity and item.quantity.value else 1
        if item.servicedPeriod and item.servicedPeriod.start:
            starts.append(_as_date(item.servicedPeriod.start))
            ends.append(_as_date(item.servicedPeriod.end or item.servicedPeriod.start))
        elif item.servicedDate:
            starts.append(_as_date(item.servicedDate))
            ends.append(_as_date(item.servicedDate))
        else:
            raise _fail(f"{path}.servicedPeriod", "is required (or servicedDate)")
        lines.append(ServiceLineInput(code.upper(), units))
    if not lines:
        raise _fail("Claim.item", "needs at least one service")
    diagnoses = tuple(_first_code(diagnosis.diagnosisCodeableConcept, f"Claim.diagnosis[{index}]").upper()
                      for index, diagnosis in enumerate(claim.diagnosis or []))
    if not diagnoses:
        raise _fail("Claim.diagnosis", "needs at least one ICD-10-CM code")
    met, not_met, history = [], [], None
    for index, info in enumerate(claim.supportingInfo or []):
        category = _first_code(info.category, f"Claim.supportingInfo[{index}].category")
        if category == "criterion":
            criterion = _first_code(info.code, f"Claim.supportingInfo[{index}].code")
            (met if info.valueBoolean else not_met).append(criterion)
        elif category == "medical-history":
            history = (info.valueString or "")[:4000] or None
    return Submission(
        request_type=REQUEST_TYPE_BY_CLAIM_TYPE[claim_type],
        urgency=Urgency.EXPEDITED if priority == "stat" else Urgency.STANDARD,
        member_id=member_id, requesting_provider_id=requesting, servicing_provider_id=servicing,
        start_date=min(starts), end_date=max(ends), lines=tuple(lines), diagnosis_codes=diagnoses,
        medical_history=history, criteria_met=tuple(met), criteria_not_met=tuple(not_met),
    )


def claim_response(request: PriorAuthRequestModel, insurer: str) -> dict[str, Any]:
    """The request as a PAS ClaimResponse, checked against the R4B model before it leaves."""
    from fhir.resources.R4B.claimresponse import ClaimResponse

    status = AuthStatus(request.status)
    action_code, action_display = REVIEW_ACTION_BY_STATUS[status]
    decided = status in (AuthStatus.APPROVED, AuthStatus.DENIED)
    claim_type = "institutional" if request.request_type != RequestType.OUTPATIENT.value else "professional"
    body: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "id": request.request_id,
        "identifier": [{"system": "urn:portal:prior-auth", "value": request.request_id}],
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPES, "code": claim_type}]},
        "use": "preauthorization",
        "patient": {"identifier": {"value": request.member_id},
                    "display": f"{request.member_first_name} {request.member_last_name}"},
        "created": request.received_at.isoformat(),
        "insurer": {"display": insurer},
        "requestor": {"identifier": {"value": request.requesting_provider_id}},
        "outcome": "complete" if decided else "queued",
        "disposition": action_display,
        "item": [
            {
                "itemSequence": int(line.line),
                "extension": [{"url": PAS_REVIEW_ACTION, "extension": [{
                    "url": "code",
                    "valueCodeableConcept": {"coding": [{"system": X12_REVIEW_ACTIONS, "code": action_code,
                                                         "display": action_display}]},
                }]}],
                "adjudication": [{
                    "category": {"coding": [{"system": ADJUDICATION, "code": "submitted"}]},
                    "value": float(line.approved_units if line.approved_units is not None else line.units),
                }],
            }
            for line in request.lines
        ],
    }
    if status == AuthStatus.APPROVED:
        body["preAuthRef"] = request.request_id
        body["preAuthPeriod"] = {"start": request.approved_start_date, "end": request.approved_end_date}
    notes = [request.denial_reason] if status == AuthStatus.DENIED and request.denial_reason else []
    notes += list(request.pend_reasons) if not decided else []
    if notes:
        body["processNote"] = [{"number": index + 1, "type": "display", "text": text}
                               for index, text in enumerate(notes)]
    return ClaimResponse.model_validate(body).model_dump(mode="json", exclude_none=True)


def response_bundle(request: PriorAuthRequestModel, insurer: str, base_url: str) -> dict[str, Any]:
    from fhir.resources.R4B.bundle import Bundle

    response = claim_response(request, insurer)
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": request.received_at.isoformat(),
        "entry": [{"fullUrl": f"{base_url}/fhir/ClaimResponse/{request.request_id}", "resource": response}],
    }
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)
