"""What every HTTP response gets, whichever route helper (or Chalice itself) made it: app.py registers
``every_response`` as the app's one HTTP middleware.

The security headers go on pages, JSON, FHIR and assets alike, each only where the route did not set
its own (pages keep their CSP with its ``form-action``). The access log line names the route
template (``/members/{memberId}``), never the concrete path or its query string: those carry
member IDs, names and birth dates.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.platform.logs import logger

HSTS = "max-age=63072000; includeSubDomains"
API_CSP = "default-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "Strict-Transport-Security": HSTS,
    "Content-Security-Policy": API_CSP,
    "X-Content-Type-Options": "nosniff",
}
UNKNOWN_ROUTE = "-"


def every_response(event: Request, get_response: Callable[[Request], Response]) -> Response:
    response = get_response(event)
    present = {name.lower() for name in response.headers}
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in present:
            response.headers[name] = value
    logger.info("request", extra={"method": event.method, "route": route_template(event),
                                  "status": response.status_code})
    return response


def route_template(event: Request) -> str:
    """The route as registered (API Gateway's ``resourcePath``), not the path as requested."""
    return str((event.context or {}).get("resourcePath") or UNKNOWN_ROUTE)
