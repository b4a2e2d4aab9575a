"""Service codes: which kind a code is, from its code system (FHIR) or its shape (the portal's JSON).

The requirement rules list CPT, HCPCS, NUBC revenue codes and X12 service-type codes. There is
no licensed CPT list here, so a code is checked for its shape only: "unknown" means "not
listed by a rule", never "invalid". A code of a system the rules do not cover is not refused:
it is pended for a clinical reviewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.priorauth.enums import CodeKind

_CPT = re.compile(r"^\d{4}[0-9FTU]$")
_HCPCS = re.compile(r"^[A-V]\d{4}$")
_REVENUE = re.compile(r"^0\d{3}$")
_SERVICE_TYPE = re.compile(r"^[0-9A-Z]{1,2}$")

CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"
HCPCS_SYSTEMS = frozenset({
    "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "urn:oid:2.16.840.1.113883.6.285",
})
REVENUE_SYSTEMS = frozenset({
    "https://www.nubc.org/CodeSystem/RevenueCodes",
    "http://www.nubc.org/CodeSystem/RevenueCodes",
    "https://www.nubc.org/CodeSystem/RevenueCode",
    "http://terminology.hl7.org/CodeSystem/ex-revenue-center",
})
SERVICE_TYPE_SYSTEMS = frozenset({
    "https://codesystem.x12.org/005010/1365",  # PAS 2.x
    "http://codesystem.x12.org/005010/1365",  # the PAS 1.1.0 examples
})
SYSTEM_BY_KIND = {
    CodeKind.CPT: CPT_SYSTEM,
    CodeKind.HCPCS: "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
    CodeKind.REVENUE: "https://www.nubc.org/CodeSystem/RevenueCodes",
    CodeKind.SERVICE_TYPE: "https://codesystem.x12.org/005010/1365",
}
FORMATS = {
    CodeKind.CPT: "a CPT code is 5 characters: 4 digits and a digit, F, T or U",
    CodeKind.HCPCS: "a HCPCS Level II code is a letter A-V and 4 digits",
    CodeKind.REVENUE: "a revenue code is 4 digits starting with 0",
    CodeKind.SERVICE_TYPE: "an X12 service-type code is 1 or 2 letters or digits",
}
ANY_FORMAT = ("must be a CPT or HCPCS code (5 characters), a 4-digit revenue code, or an X12 service-type code "
              "(1 or 2 characters)")


@dataclass(frozen=True)
class ClassifiedCode:
    kind: CodeKind | None
    """None: not a well-formed code of the kind its system names (or of any kind, when no system is named)."""
    problem: str | None = None


def kind_of_system(system: str | None) -> CodeKind | None:
    """The kind a FHIR code system names; None when no system is given; OTHER for systems the rules do not list."""
    if not system:
        return None
    if system == CPT_SYSTEM:
        return CodeKind.CPT
    if system in HCPCS_SYSTEMS:
        return CodeKind.HCPCS
    if system in REVENUE_SYSTEMS:
        return CodeKind.REVENUE
    if system in SERVICE_TYPE_SYSTEMS:
        return CodeKind.SERVICE_TYPE
    return CodeKind.OTHER


def _shape(code: str) -> CodeKind | None:
    if _CPT.match(code):
        return CodeKind.CPT
    if _HCPCS.match(code):
        return CodeKind.HCPCS
    if _REVENUE.match(code):
        return CodeKind.REVENUE
    if _SERVICE_TYPE.match(code):
        return CodeKind.SERVICE_TYPE
    return None


def classify(code: str, declared: CodeKind | None = None) -> ClassifiedCode:
    """The kind of ``code``: the declared one when the code has its shape, else what its shape says."""
    if declared == CodeKind.OTHER:
        return ClassifiedCode(CodeKind.OTHER)
    if declared is None:
        kind = _shape(code)
        return ClassifiedCode(kind, None if kind else ANY_FORMAT)
    matches = {
        CodeKind.CPT: _CPT, CodeKind.HCPCS: _HCPCS, CodeKind.REVENUE: _REVENUE, CodeKind.SERVICE_TYPE: _SERVICE_TYPE,
    }[declared].match(code)
    if matches:
        return ClassifiedCode(declared)
    if declared in (CodeKind.CPT, CodeKind.HCPCS) and _shape(code) in (CodeKind.CPT, CodeKind.HCPCS):
        return ClassifiedCode(_shape(code))  # CPT and HCPCS travel under each other's system often enough
    return ClassifiedCode(None, FORMATS[declared])
