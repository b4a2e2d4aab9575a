"""The web portal's static assets (USWDS and ours), fingerprinted by the build, so cached for a year."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.platform.errors import NotFound
from chalicelib.platform.web.api import api_route
from chalicelib.platform.web.assets import IMMUTABLE, asset

asset_routes = Blueprint(__name__)


@api_route(asset_routes, "/assets/{name}", permission=None,
           summary="A static asset of the web portal (fingerprinted name)",
           tag="Pages", auth=False, errors=(404,), produces="application/octet-stream",
           description="Names come from the build's manifest; each is immutable, so it is cached for a year.")
def static_asset(name: str) -> Response:
    found = asset(name)
    if found is None:
        raise NotFound("No such asset.")
    body, content_type = found
    return Response(body=body, status_code=200, headers={"Content-Type": content_type, "Cache-Control": IMMUTABLE})
