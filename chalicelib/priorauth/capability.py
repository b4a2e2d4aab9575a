"""The CapabilityStatement served at ``GET /fhir/metadata`` (no login): what a PAS client may rely on."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.priorauth.identifiers import MEMBER_ID_SYSTEM, NPI_SYSTEM, PRIOR_AUTH_SYSTEM, PROVIDER_ID_SYSTEM

PAS_VERSION = "2.0.1"
PAS = "http://hl7.org/fhir/us/davinci-pas"
PUBLISHED = date(2031, 1, 1)


def capability_statement(base_url: str, plan_name: str, software_version: str) -> dict[str, Any]:
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    profile = f"{PAS}/StructureDefinition/"
    body = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": PUBLISHED.isoformat(),
        "publisher": plan_name,
        "kind": "instance",
        "software": {"name": f"{plan_name} Provider Portal", "version": software_version},
        "implementation": {"description": f"{plan_name} prior authorization (Da Vinci PAS {PAS_VERSION})",
                           "url": f"{base_url}/fhir"},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "implementationGuide": [f"{PAS}/ImplementationGuide/hl7.fhir.us.davinci-pas|{PAS_VERSION}"],
        "instantiates": [f"{PAS}/CapabilityStatement/PAS-server|{PAS_VERSION}"],
        "rest": [{
            "mode": "server",
            "documentation": (
                "Submit a PAS Request Bundle to Claim/$submit, ask for a request's current state with a PAS "
                "Inquiry Request Bundle at Claim/$inquire, read a decision at ClaimResponse/{id}. Providers are "
                f"named by NPI ({NPI_SYSTEM}) or by the plan's provider ID ({PROVIDER_ID_SYSTEM}); members by "
                f"the member ID on the card ({MEMBER_ID_SYSTEM}); requests by their number ({PRIOR_AUTH_SYSTEM}). "
                "Item codes: CPT, HCPCS, NUBC revenue codes and X12 service types; other code systems are "
                "pended for a clinical reviewer. Errors are OperationOutcome resources."),
            "security": {
                "cors": False,
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                         "code": "OAuth", "display": "OAuth"}],
                             "text": "Bearer token from POST /auth/login (Authorization: Bearer <token>)"}],
                "description": "Every operation but this statement needs a bearer token of a provider office or "
                               "the plan's staff; an office sees only the requests it sent or is to perform.",
            },
            "resource": [
                {"type": "Claim", "supportedProfile": [profile + "profile-claim", profile + "profile-claim-inquiry"],
                 "operation": [
                     {"name": "submit", "definition": f"{PAS}/OperationDefinition/Claim-submit|{PAS_VERSION}"},
                     {"name": "inquire", "definition": f"{PAS}/OperationDefinition/Claim-inquiry|{PAS_VERSION}"},
                 ]},
                {"type": "ClaimResponse", "supportedProfile": [profile + "profile-claimresponse",
                                                               profile + "profile-claiminquiryresponse"],
                 "interaction": [{"code": "read"}]},
                {"type": "Bundle", "supportedProfile": [
                    profile + "profile-pas-request-bundle", profile + "profile-pas-response-bundle",
                    profile + "profile-pas-inquiry-request-bundle", profile + "profile-pas-inquiry-response-bundle"]},
            ],
        }],
    }
    return CapabilityStatement.model_validate(body).model_dump(mode="json", exclude_none=True)
