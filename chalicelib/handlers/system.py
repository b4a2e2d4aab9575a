"""Health and the API description."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.platform.web.api import api_route

system_routes = Blueprint(__name__)
API_TITLE = "Provider Portal API"
API_VERSION = "0.1.0"


@api_route(system_routes, "/health", permission=None,
           summary="Liveness", tag="System", response="base:StatusBody", auth=False)
def health() -> dict[str, Any]:
    return {"status": "ok"}


@api_route(system_routes, "/openapi.json", permission=None,
           summary="This API's OpenAPI 3 document", tag="System", auth=False)
def openapi() -> Response:
    from chalicelib.platform.web.openapi import openapi_document

    return Response(body=openapi_document(API_TITLE, API_VERSION), status_code=200,
                    headers={"Content-Type": "application/json"})
