"""Code sets the forms look codes up in: ICD-10-CM diagnoses (the diagnosis fields' combo box).

One lookup, two doors: ``GET /codesets/icd10cm`` for the JSON API (bearer token) and
``GET /portal/codesets/icd10cm`` for the portal's own script, which has the browser session's cookie and
no token. Both read the query with the same schema and answer the same body.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.platform.codesets import icd10cm
from chalicelib.platform.errors import ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import api_route, error_response, parse_query
from chalicelib.platform.web.pages import PageRequest, page_route

if TYPE_CHECKING:
    from chalicelib.platform.access import Principal
    from chalicelib.platform.codesets.schemas import DiagnosisLookupQuery

codeset_routes = Blueprint(__name__)
TAG = "Code sets"
PORTAL_LOOKUP = "/portal/codesets/icd10cm"
DESCRIPTION = ("The code set the claims are checked against. q reading as a code (E11, e11.9) answers the codes "
               "starting with it; otherwise the codes whose description has a word starting with each word of q. In "
               "code order, at most limit; billable on date (default today): a complete code, not a category.")


def _answer(query: DiagnosisLookupQuery) -> dict[str, Any]:
    on = query.date or wiring.current().claims().today()
    return {"release": icd10cm.release(), "items": icd10cm.lookup(query.q, on, query.limit)}


DIAGNOSIS_LOOKUP = (Permission.CLAIMS_SUBMIT, Permission.PRIOR_AUTH_SUBMIT, Permission.CLAIMS_OPERATOR,
                    Permission.PA_REVIEWER)
"""Whoever enters diagnoses: claims and prior authorizations, and the staff who review them."""


@api_route(codeset_routes, "/codesets/icd10cm",
           permission=DIAGNOSIS_LOOKUP, tag=TAG, query="platform.codesets:DiagnosisLookupQuery",
           response="platform.codesets:DiagnosisList", description=DESCRIPTION,
           summary="Look up ICD-10-CM diagnosis codes by code or by words, with whether each is billable")
def lookup_diagnoses(principal: Principal, query: DiagnosisLookupQuery) -> dict[str, Any]:
    return _answer(query)


@page_route(codeset_routes, PORTAL_LOOKUP,
            permission=DIAGNOSIS_LOOKUP, tag="Pages", produces="application/json", description=DESCRIPTION,
            summary="The same ICD-10-CM lookup for the portal's pages (the session cookie): the combo box's options")
def lookup_diagnoses_for_pages(page: PageRequest) -> Response:
    from chalicelib.platform.codesets.schemas import DiagnosisList, DiagnosisLookupQuery

    try:
        query = cast(DiagnosisLookupQuery, parse_query(dict(page.query), DiagnosisLookupQuery))
    except ValidationFailed as error:
        return error_response(error, page.correlation_id)
    answer = DiagnosisList.model_validate(_answer(query)).model_dump(mode="json", by_alias=True)
    return Response(body=json.dumps(answer), status_code=200, headers={"Content-Type": "application/json"})
