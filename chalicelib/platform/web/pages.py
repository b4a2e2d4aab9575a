"""The one place where a browser meets the domain: ``page_route``, the pages' ``api_route``.

It reads Chalice's request once on arrival (as ``api_route`` does) into a ``PageRequest``;
parses the cookies; authenticates the session cookie through the same authenticator the bearer
API uses; on every POST checks the Origin and the CSRF token before the view runs; renders the
view's ``Page`` (a template and its context) inside the base layout; and sets the headers every
HTML response carries (CSP without inline scripts, frame-ancestors 'none', Referrer-Policy
same-origin, Cache-Control no-store; HSTS and nosniff come with every response, ``edge``). Errors
become pages in one place: a domain NOT_FOUND the 404 page, FORBIDDEN the 403 page, a session that
ended a redirect to the login page with ``next=``, anything unforeseen the 500 page with a
reference ID that is logged.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, urlencode

from chalice import Blueprint, Response

from chalicelib.platform import metrics
from chalicelib.platform.access import Principal
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import ErrorKind, MfaEnrolmentRequired, PortalError, ValidationFailed
from chalicelib.platform.logs import bind_correlation_id, bind_route, logger
from chalicelib.platform.permissions import Needs, Permission
from chalicelib.platform.web import browser
from chalicelib.platform.web.api import (
    MAX_BODY_BYTES,
    MAX_TOKEN_LENGTH,
    ROUTE_CONTRACTS,
    Headers,
    RouteContract,
    _correlation_id,
    admit,
    authenticator,
    client_address,
    route_needs,
)
from chalicelib.platform.web.input_checks import TEXT_PROBLEM, disallowed_field
from chalicelib.platform.web.templating import render

LOGIN_PATH = "/login"
HOME_PATH = "/home"
REFRESH_PATH = "/session/refresh"
LOGOUT_PATH = "/logout"
MFA_ENROL_PATH = "/mfa/enrol"
"""Where a page sends a session that still has to enrol its second factor (MFA_ENROLMENT_REQUIRED)."""
END_IMPERSONATION_PATH = "/impersonate/end"
_PATH_PARAMETER = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'{form_action}; frame-ancestors 'none'; base-uri 'none'"
)


class PageNotFound(PortalError):
    kind = ErrorKind.NOT_FOUND
    code = "PAGE_NOT_FOUND"
    default_message = "Page not found."


class FormRefused(PortalError):
    """A POST whose CSRF token or Origin is not this site's: a 403 page, nothing changed."""

    kind = ErrorKind.FORBIDDEN
    code = "FORM_REFUSED"
    default_message = "This form could not be accepted. It may have expired, or it did not come from this site."


class FormData(Mapping[str, str]):
    """An urlencoded form: ``form[name]`` is the first value, ``form.all(name)`` every value (checkboxes)."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, list[str]]) -> None:
        self._values = {name: list(items) for name, items in values.items()}

    def __getitem__(self, name: str) -> str:
        return self._values[name][0]

    def __iter__(self) -> Any:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def all(self, name: str) -> list[str]:
        return list(self._values.get(name, []))

    def __repr__(self) -> str:
        return f"FormData({sorted(self._values)})"  # names only: forms carry passwords


@dataclass(frozen=True)
class Page:
    """What a view answers: a template under chalicelib/templates and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    """Added to the answer's headers (``Retry-After`` on a 429)."""


@dataclass(frozen=True)
class Redirect:
    """Post/Redirect/Get: a 303 to a same-origin path."""

    location: str


@dataclass
class PageRequest:
    """One browser request as ``page_route`` read it; the view's ``page`` parameter."""

    method: str
    path: str
    """The path and query the browser asked for (for ``next=``), rebuilt from the route and its parameters."""
    headers: Headers
    query: Mapping[str, str]
    form: FormData
    cookies: Mapping[str, str]
    correlation_id: str
    now: datetime
    principal: Principal | None = None
    session_token: str | None = None
    cookie_policy: browser.CookiePolicy = field(default_factory=lambda: browser.CookiePolicy(secure=True))
    set_cookies: list[str] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)
    """What the entry points computed once for this request (e.g. the providers acted for)."""
    lambda_context: Any = field(default=None, repr=False, compare=False)
    """The Lambda context (Powertools idempotency reads the time left from it)."""
    client_address: str = ""
    """API Gateway's ``identity.sourceIp`` (never a header): what the account routes throttle by."""
    resumed_own_session: bool = False
    """The session cookie's session had ended and the actor's own session, kept beside it, came back (an
    impersonation's time is up): a form made in the ended view is not sent (``_check_resumed``)."""
    _pre_session: str | None = None

    @property
    def csrf_token(self) -> str:
        """The token this page's forms carry: from the session, else from the pre-session cookie (made on use)."""
        if self.session_token:
            return browser.csrf_token(self.session_token)
        if self._pre_session is None:
            self._pre_session = self.cookies.get(self.cookie_policy.name(browser.PRE_SESSION)) or browser.new_secret()
            if self.cookies.get(self.cookie_policy.name(browser.PRE_SESSION)) != self._pre_session:
                self.set_cookies.append(self.cookie_policy.set(browser.PRE_SESSION, self._pre_session))
        return browser.csrf_token(self._pre_session)

    def cookie(self, base: str) -> str | None:
        return self.cookies.get(self.cookie_policy.name(base))

    def start_session(self, token: str) -> None:
        """After login: the session cookie; the pre-session and any earlier choice of provider go."""
        self.set_cookies.extend([
            self.cookie_policy.set(browser.SESSION, token),
            self.cookie_policy.clear(browser.PRE_SESSION),
            self.cookie_policy.clear(browser.PROVIDER),
        ])

    def end_session(self) -> None:
        self.set_cookies.extend([self.cookie_policy.clear(browser.SESSION), self.cookie_policy.clear(browser.PROVIDER)])
        if self.cookie(browser.OWN_SESSION):
            self.set_cookies.append(self.cookie_policy.clear(browser.OWN_SESSION))

    def remember(self, base: str, purpose: str, value: str) -> None:
        """A small choice kept in a cookie signed with the session (e.g. the selected provider)."""
        if self.session_token:
            self.set_cookies.append(self.cookie_policy.set(base, browser.signed(self.session_token, purpose, value)))

    def remembered(self, base: str, purpose: str) -> str | None:
        raw = self.cookie(base)
        if not raw or not self.session_token:
            return None
        return browser.unsigned(self.session_token, purpose, raw)


LayoutHook = Callable[[PageRequest], dict[str, Any]]
_layout: LayoutHook = lambda page: {}  # noqa: E731 - replaced by the entry points on import
_clock: Callable[[], datetime] | None = None


def use_layout(hook: LayoutHook) -> None:
    """The entry points say what every logged-in page's layout shows (navigation, provider selector)."""
    global _layout
    _layout = hook


def use_clock(clock: Callable[[], datetime]) -> None:
    global _clock
    _clock = clock


def _now() -> datetime:
    if _clock is None:
        raise RuntimeError("no clock for pages: chalicelib.handlers sets it on import")
    return _clock()


def page_route(
    blueprint: Blueprint,
    path: str,
    *,
    permission: Permission | Needs | None,
    method: str = "GET",
    summary: str,
    tag: str,
    auth: bool = True,
    description: str = "",
    form_action: str = "",
    produces: str = "text/html",
    before_mfa: bool = False,
    while_impersonating: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a page. The view gets ``page`` (a ``PageRequest``) and the path parameters, and returns a
    ``Page``, a ``Redirect`` or a Chalice ``Response``. ``auth`` pages need a live session; POSTs are checked
    for Origin and CSRF before the view runs. ``form_action`` adds origins a page's forms may post to (S3).
    ``permission`` and ``while_impersonating`` as ``api_route``'s: a logged-in user without the permission gets the
    403 page naming it, an impersonation session's POST the 403 page saying the view is read-only (``admit``; a
    public page's POST too, when the browser holds an impersonation session); a session that still has to enrol its
    second factor is sent to the enrolment page unless ``before_mfa``."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        parameters = inspect.signature(view).parameters
        contract = RouteContract(
            path=path, method=method, summary=summary, tag=tag, view_name=view.__name__, auth=False,
            produces=produces, description=description, browser_session=auth, permission=route_needs(permission),
            before_mfa=before_mfa,
            while_impersonating=while_impersonating,
        )
        ROUTE_CONTRACTS.append(contract)
        csp = CSP.format(form_action=f" {form_action}" if form_action else "")

        @functools.wraps(view)
        def handler(**uri_params: str) -> Response:
            incoming = blueprint.current_request  # the one read of Chalice's request (see api.RequestInfo)
            headers = Headers(incoming.headers)
            correlation_id = _correlation_id(headers, incoming.context)
            bind_correlation_id(correlation_id)
            bind_route(path)
            page: PageRequest | None = None
            try:
                page = _page_request(incoming, headers, path, method, uri_params, correlation_id)
                if any(not _PATH_PARAMETER.match(value) for value in uri_params.values()):
                    raise PageNotFound()
                if method == "POST":
                    _check_form(page)
                    _check_form_text(page.form)
                    _check_resumed(page, contract)
                if auth and page.principal is None:
                    return _finish(_to_login(page), page, csp)
                if page.principal is not None:
                    admit(page.principal, contract)
                kwargs: dict[str, Any] = dict(uri_params)
                if "page" in parameters:
                    kwargs["page"] = page
                return _finish(view(**kwargs), page, csp)
            except PortalError as error:
                return _finish(_error_result(error, page), page, csp)
            except Exception:  # noqa: BLE001 - the edge: anything unforeseen is a logged 500 page, never a trace
                logger.exception("unhandled error on a page", extra={"path": path, "method": method,
                                                                     "reference_id": correlation_id})
                return _server_error(correlation_id, csp)
            finally:
                metrics.flush()

        blueprint.route(path, methods=[method], content_types=["*/*"])(handler)
        return handler

    return decorator


def _page_request(incoming: Any, headers: Headers, route: str, method: str, uri_params: Mapping[str, str],
                  correlation_id: str) -> PageRequest:
    settings = get_settings()
    policy = browser.CookiePolicy.for_stage(settings)
    query = dict(incoming.query_params or {})
    cookies = browser.parse_cookies(headers.get("cookie") or "")
    form = FormData({})
    if method == "POST":
        raw = incoming.raw_body or b""
        if len(raw) > MAX_BODY_BYTES:
            raise FormRefused("The form is too large.")
        form = FormData(parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    page = PageRequest(
        method=method, path=_requested_path(route, uri_params, query), headers=headers,
        query=MappingProxyType(query), form=form, cookies=MappingProxyType(cookies), correlation_id=correlation_id,
        now=_now(), cookie_policy=policy, lambda_context=getattr(incoming, "lambda_context", None),
        client_address=client_address(incoming.context),
    )
    token = cookies.get(policy.name(browser.SESSION))
    if token and len(token) <= MAX_TOKEN_LENGTH:
        page.session_token = token
        page.principal = _principal_of(token, page.remembered(browser.PROVIDER, browser.PROVIDER_PURPOSE))
        if page.principal is None:
            _resume_own_session(page)
    return page


def _principal_of(token: str, acting_provider_id: str | None = None) -> Principal | None:
    """The session's principal, acting in the Tax ID of the provider chosen in the selector (Account Linker); None
    when the session is over."""
    try:
        return authenticator()(token, acting_provider_id)
    except PortalError as error:
        if error.kind != ErrorKind.UNAUTHENTICATED:
            raise
        return None


def _resume_own_session(page: PageRequest) -> None:
    """The session cookie's session ended while the browser kept the one it came from (an impersonation whose 30
    minutes are up, or whose actor or user lost the right): that own session again, while it is live."""
    own = page.cookie(browser.OWN_SESSION)
    if not own or len(own) > MAX_TOKEN_LENGTH:
        return
    page.set_cookies.append(page.cookie_policy.clear(browser.OWN_SESSION))
    principal = _principal_of(own)
    if principal is None:
        return
    page.session_token, page.principal, page.resumed_own_session = own, principal, True
    page.set_cookies.extend([page.cookie_policy.set(browser.SESSION, own), page.cookie_policy.clear(browser.PROVIDER)])


def _check_resumed(page: PageRequest, contract: RouteContract) -> None:
    """A form made in a view that has ended (its CSRF token is the ended session's) is never sent as the actor; only
    ending the view or logging out go through."""
    if page.resumed_own_session and not contract.while_impersonating:
        raise FormRefused("The view as another user has ended, so this form, made in that view, was not sent. You "
                          "are yourself again.")


def _requested_path(route: str, uri_params: Mapping[str, str], query: Mapping[str, str]) -> str:
    path = route
    for name, value in uri_params.items():
        path = path.replace("{" + name + "}", value)
    return path + (f"?{urlencode(query)}" if query else "")


def _check_form(page: PageRequest) -> None:
    if not browser.same_origin_post(page.headers, get_settings()):
        logger.warning("form refused: foreign or missing origin")  # the route is on the line, never the path
        raise FormRefused()
    supplied = page.form.get(browser.CSRF_FIELD) or page.headers.get("x-csrf-token") or ""
    held = [page.cookie(browser.SESSION) or "", page.cookie(browser.PRE_SESSION) or ""]
    if not browser.csrf_matches(supplied, held):
        logger.warning("form refused: CSRF token")
        raise FormRefused()


def _check_form_text(form: FormData) -> None:
    """Every form's free text, in one place: no control or text-direction characters (``input_checks``)."""
    name = disallowed_field((name, form.all(name)) for name in form)
    if name is not None:
        raise ValidationFailed(f"The field {name} contains a control or text-direction character. Remove it and "
                               "send the form again.", {name: TEXT_PROBLEM})


def _to_login(page: PageRequest) -> Redirect:
    """A page that needs a session, without one: the login page, with the reason and where to come back."""
    params = {"reason": "ended" if page.session_token else "required"}
    if page.method == "GET":
        params["next"] = page.path
    if page.session_token:
        page.end_session()
    return Redirect(f"{LOGIN_PATH}?{urlencode(params)}")


def _error_result(error: PortalError, page: PageRequest | None) -> Page | Redirect:
    if error.kind == ErrorKind.UNAUTHENTICATED and page is not None:
        page.principal = None
        return _to_login(page)
    if error.code == MfaEnrolmentRequired.code and page is not None:
        back = {"next": page.path} if page.method == "GET" else {}
        return Redirect(f"{MFA_ENROL_PATH}?{urlencode(back)}" if back else MFA_ENROL_PATH)
    if error.kind == ErrorKind.NOT_FOUND:
        return Page("errors/404.html", {"title": "Page not found"}, status=404)
    if error.kind == ErrorKind.FORBIDDEN:
        return Page("errors/403.html", {"title": "Not allowed", "message": error.message}, status=403)
    return Page("errors/error.html", {"title": "Something is not right", "message": error.message},
                status=_status_of(error.kind), headers=retry_after(error))


def retry_after(error: PortalError) -> dict[str, str]:
    return {} if error.retry_after_seconds is None else {"Retry-After": str(error.retry_after_seconds)}


def _status_of(kind: ErrorKind) -> int:
    from chalicelib.platform.web.api import STATUS_BY_KIND

    return STATUS_BY_KIND[kind]


def html_headers(csp: str, correlation_id: str) -> dict[str, str]:
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": csp,
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
        "X-Correlation-Id": correlation_id,
    }


def _finish(result: Any, page: PageRequest | None, csp: str) -> Response:
    correlation_id = page.correlation_id if page else ""
    if isinstance(result, Redirect):
        location = browser.safe_next(result.location) or HOME_PATH
        response = Response(body="", status_code=303, headers={**html_headers(csp, correlation_id),
                                                               "Location": location})
    elif isinstance(result, Page):
        body = render(result.template, _context(result, page))
        response = Response(body=body, status_code=result.status,
                            headers={**html_headers(csp, correlation_id), **result.headers})
    elif isinstance(result, Response):
        response = result
        response.headers = {**html_headers(csp, correlation_id), **(result.headers or {})}
    else:
        raise TypeError(f"a page view returned {type(result).__name__}")
    if page is not None and page.set_cookies:
        response.headers["Set-Cookie"] = list(page.set_cookies)  # type: ignore[assignment]
    return response


def _context(result: Page, page: PageRequest | None) -> dict[str, Any]:
    context: dict[str, Any] = {"page": page, "principal": page.principal if page else None,
                               "idle_timeout": None, "layout": {}}
    if page is not None and page.principal is not None:
        viewing_as = page.principal.impersonation is not None
        context["idle_timeout"] = {
            "ends_at": page.principal.session_ends_at.isoformat(),
            "server_now": page.now.isoformat(),
            "refresh_url": REFRESH_PATH,
            "login_url": HOME_PATH if viewing_as else
            f"{LOGIN_PATH}?{urlencode({'reason': 'ended', 'next': page.path})}",
            "end_url": END_IMPERSONATION_PATH if viewing_as else LOGOUT_PATH,
            "warn": not viewing_as,  # an impersonation's end is fixed: the banner says when, nothing extends it
        }
        if not result.template.startswith("errors/") and not page.principal.mfa_pending:
            context["layout"] = _layout(page)
    context.update(result.context)
    return context


def _server_error(reference_id: str, csp: str) -> Response:
    headers = html_headers(csp, reference_id)
    try:
        body = render("errors/500.html", {"page": None, "principal": None, "idle_timeout": None, "layout": {},
                                          "title": "Something went wrong", "reference_id": reference_id})
    except Exception:  # noqa: BLE001 - the error page itself failed: plain text, still with the reference
        logger.exception("the 500 page failed to render", extra={"reference_id": reference_id})
        headers["Content-Type"] = "text/plain; charset=utf-8"
        body = f"Something went wrong on our side. Reference ID: {reference_id}"
    return Response(body=body, status_code=500, headers=headers)


def json_answer(payload: dict[str, Any], status: int = 200) -> Response:
    """For the few page endpoints scripts call (the idle-timeout refresh)."""
    return Response(body=payload, status_code=status, headers={"Content-Type": "application/json"})


def portal_url_for(page: PageRequest, path: str) -> str:
    """This portal's own URL of ``path`` for another site (S3 after an upload) to send the browser to: the portal's
    origin (on the local stage the Host the browser used, so its cookies go with it: localhost or 127.0.0.1)."""
    settings = get_settings()
    host = page.headers.get("host") or ""
    if settings.stage == browser.LOCAL_STAGE and host:
        return f"http://{host}{path}"
    return f"{settings.portal_url}{path}"
