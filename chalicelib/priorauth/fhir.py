"""FHIR R4 prior authorization in the Da Vinci PAS shape (STU 2.0.1, and the 1.1.0 examples' shape): reading.

``$submit`` takes a Bundle whose first Claim (use ``preauthorization``) names its Patient, the
requesting provider (``Claim.provider``: Organization, Practitioner or PractitionerRole) and the
care team in the bundle. Identifiers are read by system (``identifiers.py``): providers by NPI
or by our provider ID, resolved through the directory by the service. Dates come from each
item's ``servicedPeriod``/``servicedDate``, else the Claim's ``billablePeriod``, else the request's
own date (``Claim.created``, not before the day it is received). Item codes may be CPT, HCPCS,
NUBC revenue codes or X12 service types (``codes.py``); another code system pends for review.
Clinical criteria travel as ``supportingInfo`` with category ``criterion`` (code = criterion ID,
``valueBoolean`` = met) and the history as category ``medical-history`` (``valueString``).
Validated with the ``R4B`` models of ``fhir.resources``, imported on first use.

Problems name the FHIR element (``Claim.item[0].productOrService``); ``fhir_fields`` renames the
service's field names (``serviceLines.0.code``) to the elements they were read from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.platform.errors import ProviderNotFound, ValidationFailed
from chalicelib.priorauth.codes import kind_of_system
from chalicelib.priorauth.enums import CodeKind, RequestType, Urgency
from chalicelib.priorauth.identifiers import MEMBER_ID_SYSTEM, PRIOR_AUTH_SYSTEM
from chalicelib.priorauth.submission import ServiceLineInput, Submission

LEVEL_OF_SERVICE = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-levelOfServiceCode"
AUTHORIZATION_NUMBER = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-authorizationNumber"
EXPEDITED_LEVELS = frozenset({"U", "03"})  # X12 1338: urgent, emergency
MAX_CODE_LENGTH = 20
MAX_IDENTIFIER_LENGTH = 200
ProviderResolver = Callable[[list[tuple[str | None, str]]], str | None]


def _fail(path: str, problem: str) -> ValidationFailed:
    return ValidationFailed("The FHIR bundle is not a prior authorization request this server can read.",
                            {path: problem})


def element_path(location: Iterable[Any]) -> str:
    """A place in the Bundle's JSON (or a pydantic location) as a FHIR element: ``Bundle.entry[0].resource``."""
    path = "Bundle"
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _validated_bundle(payload: Any) -> Any:
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    if not isinstance(payload, dict) or payload.get("resourceType") != "Bundle":
        raise _fail("Bundle.resourceType", "must be Bundle")
    try:
        return Bundle.model_validate(payload)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        raise _fail(element_path(first["loc"]), str(first["msg"])) from None


def _resolve(bundle: Any, reference: Any, path: str) -> Any:
    target = getattr(reference, "reference", None) if reference else None
    if not target:
        raise _fail(path, "must reference a resource in the bundle")
    for entry in bundle.entry or []:
        resource = entry.resource
        if resource is None:
            continue
        local = f"{resource.get_resource_type()}/{resource.id}"
        if entry.fullUrl == target or local == target or (entry.fullUrl or "").endswith("/" + target):
            return resource
    raise _fail(path, f"{target} is not in the bundle")


def _identifiers(resource: Any) -> list[tuple[str | None, str]]:
    return [(identifier.system, str(identifier.value)[:MAX_IDENTIFIER_LENGTH])
            for identifier in getattr(resource, "identifier", None) or [] if identifier.value]


def _provider_identifiers(bundle: Any, resource: Any, path: str) -> list[tuple[str | None, str]]:
    """A PractitionerRole names its practitioner and organization: their identifiers follow its own."""
    found = _identifiers(resource)
    if resource.get_resource_type() == "PractitionerRole":
        for part in ("practitioner", "organization"):
            reference = getattr(resource, part, None)
            if reference is not None and reference.reference:
                found += _identifiers(_resolve(bundle, reference, f"{path}.{part}"))
    return found


def _provider(bundle: Any, reference: Any, path: str, resolve: ProviderResolver) -> str:
    identifiers = _provider_identifiers(bundle, _resolve(bundle, reference, path), path)
    if not identifiers:
        raise _fail(path, "needs an identifier (NPI, http://hl7.org/fhir/sid/us-npi)")
    provider_id = resolve(identifiers)
    if provider_id is None:
        named = ", ".join(f"{system or 'no system'}|{value}" for system, value in identifiers)
        raise ProviderNotFound("No provider in the plan's directory has these identifiers.",
                               {path: f"no provider in the plan's directory is {named}"})
    return provider_id


def _member_id(patient: Any) -> str:
    """Our member ID system first, then an identifier typed MB (member number), then the first with a value."""
    identifiers = getattr(patient, "identifier", None) or []
    for identifier in identifiers:
        if identifier.system == MEMBER_ID_SYSTEM and identifier.value:
            return str(identifier.value)
    for identifier in identifiers:
        codes = {coding.code for coding in (identifier.type.coding or [])} if identifier.type else set()
        if "MB" in codes and identifier.value:
            return str(identifier.value)
    for identifier in identifiers:
        if identifier.value:
            return str(identifier.value)
    raise _fail("Patient.identifier", "needs the member ID on the member's card")


def _first_code(concept: Any, path: str) -> str:
    for coding in (getattr(concept, "coding", None) or []) if concept else []:
        if coding.code:
            return str(coding.code)
    raise _fail(path, "needs a coding with a code")


def _service_code(concept: Any, path: str) -> tuple[str, CodeKind | None]:
    """The coding of a kind our rules list first (CPT, HCPCS, revenue, X12 service type), else the first one."""
    codings = [coding for coding in (getattr(concept, "coding", None) or []) if coding.code] if concept else []
    if not codings:
        raise _fail(path, "needs a coding with a code")
    chosen = next((coding for coding in codings if kind_of_system(coding.system) not in (None, CodeKind.OTHER)),
                  codings[0])
    code = str(chosen.code).strip()
    if len(code) > MAX_CODE_LENGTH:
        raise _fail(path, f"codes are at most {MAX_CODE_LENGTH} characters")
    kind = kind_of_system(chosen.system)
    return (code.upper() if kind != CodeKind.OTHER else code), kind


def _as_date(value: Any) -> date:
    """FHIR dateTime arrives as a date ("2026-11-25") or a datetime; either is a day of service."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class ParsedRequest:
    submission: Submission
    paths: dict[str, str] = field(default_factory=dict)
    """The service's field names -> the FHIR elements they were read from."""


def _item_dates(items: list[Any]) -> tuple[list[date], list[date], str | None]:
    starts, ends, path = [], [], None
    for index, item in enumerate(items):
        if item.servicedPeriod and (item.servicedPeriod.start or item.servicedPeriod.end):
            start = item.servicedPeriod.start or item.servicedPeriod.end
            starts.append(_as_date(start))
            ends.append(_as_date(item.servicedPeriod.end or start))
            path = path or f"Claim.item[{index}].servicedPeriod"
        elif item.servicedDate:
            starts.append(_as_date(item.servicedDate))
            ends.append(_as_date(item.servicedDate))
            path = path or f"Claim.item[{index}].servicedDate"
    return starts, ends, path


def _dates(claim: Any, today: date) -> tuple[date, date, str]:
    starts, ends, path = _item_dates(list(claim.item or []))
    if starts and path:
        return min(starts), max(ends), path
    period = claim.billablePeriod
    if period and (period.start or period.end):
        start = _as_date(period.start or period.end)
        return start, _as_date(period.end or period.start), "Claim.billablePeriod"
    if claim.created:
        day = max(_as_date(claim.created), today)
        return day, day, "Claim.created"
    raise _fail("Claim.item[0].servicedPeriod", "no date of service: give item.servicedPeriod or servicedDate, "
                "Claim.billablePeriod, or Claim.created")


def _urgency(claim: Any) -> Urgency:
    priority = _first_code(claim.priority, "Claim.priority") if claim.priority else "normal"
    levels = {coding.code for extension in claim.extension or [] if extension.url == LEVEL_OF_SERVICE
              and extension.valueCodeableConcept for coding in extension.valueCodeableConcept.coding or []}
    return Urgency.EXPEDITED if priority == "stat" or levels & EXPEDITED_LEVELS else Urgency.STANDARD


def _claim(bundle: Any) -> Any:
    entries = bundle.entry or []
    claim = entries[0].resource if entries else None
    if claim is None or claim.get_resource_type() != "Claim":
        raise _fail("Bundle.entry[0].resource", "must be the Claim")
    if claim.use != "preauthorization":
        raise _fail("Claim.use", "must be preauthorization")
    return claim


def claim_identifiers(claim: Any) -> tuple[str, ...]:
    return tuple(f"{system or ''}|{value}" for system, value in _identifiers(claim))


def submission_from_bundle(payload: Any, today: date, resolve: ProviderResolver) -> ParsedRequest:
    bundle = _validated_bundle(payload)
    claim = _claim(bundle)
    claim_type = _first_code(claim.type, "Claim.type")
    request_type = RequestType.INPATIENT if claim_type == "institutional" else RequestType.OUTPATIENT
    member_id = _member_id(_resolve(bundle, claim.patient, "Claim.patient"))
    requesting = _provider(bundle, claim.provider, "Claim.provider", resolve)
    servicing, servicing_path = requesting, "Claim.provider"
    if claim.careTeam:
        servicing_path = "Claim.careTeam[0].provider"
        servicing = _provider(bundle, claim.careTeam[0].provider, servicing_path, resolve)
    lines = []
    for index, item in enumerate(claim.item or []):
        code, kind = _service_code(item.productOrService, f"Claim.item[{index}].productOrService")
        units = int(item.quantity.value) if item.quantity and item.quantity.value else 1
        lines.append(ServiceLineInput(code, max(units, 1), kind=kind))
    if not lines:
        raise _fail("Claim.item", "needs at least one service")
    start, end, dates_path = _dates(claim, today)
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
    submission = Submission(
        request_type=request_type, urgency=_urgency(claim), member_id=member_id,
        requesting_provider_id=requesting, servicing_provider_id=servicing, start_date=start, end_date=end,
        lines=tuple(lines), diagnosis_codes=diagnoses, medical_history=history, criteria_met=tuple(met),
        criteria_not_met=tuple(not_met), claim_identifiers=claim_identifiers(claim),
    )
    paths = {"memberId": "Claim.patient", "requestingProviderId": "Claim.provider", "providerId": "Claim.provider",
             "servicingProviderId": servicing_path, "startDate": dates_path, "endDate": dates_path,
             "clinicalCriteria": "Claim.supportingInfo", "serviceLines": "Claim.item",
             "diagnosisCodes": "Claim.diagnosis"}
    return ParsedRequest(submission, paths)


_LISTED = re.compile(r"^(serviceLines|diagnosisCodes)\.(\d+)(?:\.(\w+))?$")
_LISTED_ELEMENTS = {"serviceLines": ("Claim.item", {"code": "productOrService", "units": "quantity"}),
                    "diagnosisCodes": ("Claim.diagnosis", {})}


def fhir_fields(fields: dict[str, str], paths: dict[str, str]) -> dict[str, str]:
    """The problems renamed to the FHIR elements (``serviceLines.0.code`` -> ``Claim.item[0].productOrService``)."""
    renamed: dict[str, str] = {}
    for name, problem in fields.items():
        listed = _LISTED.match(name)
        if listed:
            base, parts = _LISTED_ELEMENTS[listed.group(1)]
            element = f"{base}[{listed.group(2)}]"
            if listed.group(1) == "diagnosisCodes":
                element += ".diagnosisCodeableConcept"
            elif listed.group(3):
                element += "." + parts.get(listed.group(3), listed.group(3))
            renamed[element] = problem
        else:
            renamed[paths.get(name, name)] = problem
    return renamed


@dataclass(frozen=True)
class Inquiry:
    member_id: str
    claim_identifiers: tuple[str, ...]
    authorization_numbers: tuple[str, ...]


def inquiry_from_bundle(payload: Any) -> Inquiry:
    """A PAS inquiry: the Claim's identifiers (as submitted), our authorization number if it names one."""
    bundle = _validated_bundle(payload)
    claim = _claim(bundle)
    member_id = _member_id(_resolve(bundle, claim.patient, "Claim.patient"))
    numbers = [value for system, value in _identifiers(claim) if system == PRIOR_AUTH_SYSTEM]
    for item in claim.item or []:
        numbers += [str(extension.valueString) for extension in item.extension or []
                    if extension.url == AUTHORIZATION_NUMBER and extension.valueString]
    identifiers = claim_identifiers(claim)
    if not identifiers and not numbers:
        raise _fail("Claim.identifier", "name the request: the identifier it was submitted with, or "
                    f"{PRIOR_AUTH_SYSTEM}|<authorization number>")
    return Inquiry(member_id, identifiers, tuple(dict.fromkeys(numbers)))
