"""Account Linker, as pages (the user's own, under USERS): the providers linked to the login with their status, the
facts form to link another (registration's), the out-of-band check of a link into a Tax ID with no administrator,
and unlinking. Plain forms (Post/Redirect/Get) through the service the JSON routes call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.handlers.accounts.pages import REGISTER_LABELS, named_by_label
from chalicelib.platform.errors import (
    ErrorKind,
    Forbidden,
    LinkNotFound,
    PortalError,
    TooManyRequests,
    ValidationFailed,
)
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route, retry_after

if TYPE_CHECKING:
    from chalicelib.accounts.linker import LinkView

linker_pages = Blueprint(__name__)
TAG = "Pages"
ACCOUNT_LINKER = "/account-linker"
LINK = ACCOUNT_LINKER + "/{providerId}"
FACT_FIELDS = ("providerType", "firstName", "lastName", "groupName", "taxId", "providerId", "zipCode")
LABELS = {**REGISTER_LABELS, "code": "Code"}
STATUS = {
    "HOME": ("Registered", "info", "the provider your account registered for"),
    "ACTIVE": ("Linked", "success", ""),
    "PENDING_APPROVAL": ("Waiting for approval", "warning", "by its Tax ID's administrator"),
    "CONFIRMATION_REQUIRED": ("Waiting for confirmation", "warning", "by its practice"),
}
DONE = {
    "PENDING_APPROVAL": "The link waits for the approval of that Tax ID's administrators, who were emailed. Until "
                        "then your login acts for nothing more; your other providers are as they were.",
    "CONFIRMATION_REQUIRED": "That Tax ID has no administrator in the portal yet, so its practice confirms you "
                             "first: email the code to the practice's address on record below.",
    "sent": "A code is on its way to the practice's address on record. Ask whoever reads that mailbox for it.",
    "confirmed": "The provider is linked and you are its Tax ID's Provider Administrator. Choose it in the provider "
                 "selector to act for it.",
    "removed": "The link is removed: your login no longer acts for that provider.",
}
"""What the page says after a change (``?done=``): a fixed list, never the query's own text."""
PROBLEM_HEADINGS = {"PROVIDER_NOT_FOUND": "We could not find the provider", "ALREADY_LINKED": "Already linked",
                    "LINK_PENDING": "Another link waits", "TOO_MANY_LINKS": "Too many links",
                    "TOO_MANY_REQUESTS": "Too many attempts", "HOME_PROVIDER": "This provider stays",
                    "LAST_ADMINISTRATOR": "The Tax ID needs an administrator", "FORBIDDEN": "Not allowed"}


def _rows(links: list[LinkView]) -> list[list[Any]]:
    rows = []
    for view in links:
        words, tone, label = STATUS[view.status]
        action: Any = "" if view.status == "HOME" else {
            "text": "Remove" if view.status == "ACTIVE" else "Withdraw", "href": f"{ACCOUNT_LINKER}/{view.provider_id}"
            "/remove", "sr": f"the link to {view.name}"}
        rows.append([f"{view.name} ({view.provider_id})", view.tax_id, view.state or "",
                     {"tags": [{"text": words, "tone": tone, "label": label}]}, action])
    return rows


def _linker_page(page: PageRequest, *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                 problem: PortalError | None = None, status: int = 200) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    if page.principal.is_plan_staff:
        raise Forbidden("Account Linker is for office users: plan staff act for no provider.")
    links = wiring.current().links().links(page.principal)
    waiting = [view for view in links if view.status in ("PENDING_APPROVAL", "CONFIRMATION_REQUIRED")]
    errors = errors or {}
    return Page("accounts/account_linker.html", {
        "title": "Account Linker", "values": values or {"providerType": "Group"}, "errors": errors,
        "summary_errors": summary(errors, LABELS),
        "problem": None if problem is None else {"heading": PROBLEM_HEADINGS.get(problem.code, "This could not be "
                                                                                 "done"), "text": problem.message},
        "notice": DONE.get(page.query.get("done") or "") if problem is None and not errors else None,
        "table": {"id": "links", "caption": "The providers your login acts for", "total": None, "rows": _rows(links),
                  "columns": [{"key": key, "label": label} for key, label in (
                      ("provider", "Provider"), ("taxId", "Tax ID"), ("state", "State"), ("status", "Status"),
                      ("action", "Change"))]},
        "confirming": [view for view in waiting if view.status == "CONFIRMATION_REQUIRED"],
        "waiting": bool(waiting), "action": ACCOUNT_LINKER,
        "link_action": lambda view, what: f"{ACCOUNT_LINKER}/{view.provider_id}/{what}",
    }, status=status)


@page_route(linker_pages, ACCOUNT_LINKER, permission=None, tag=TAG,
            summary="Account Linker: the providers linked to your login, and a form to link another",
            description="The user's own page (no permission needed: a logged-in office user's own account). Plan "
            "staff get the 403 page.")
def account_linker_page(page: PageRequest) -> Page:
    return _linker_page(page)


@page_route(linker_pages, ACCOUNT_LINKER, permission=None, method="POST", tag=TAG,
            summary="Link another provider with the facts registration asks for",
            description="The same checks as POST /me/links, with their words beside the fields; a link that waits "
            "is shown on the page with its status.")
def link_submit(page: PageRequest) -> Page | Redirect:
    from pydantic import ValidationError

    from chalicelib.accounts.schemas import ProviderFacts
    from chalicelib.handlers.accounts.link_routes import claimed_from
    from chalicelib.platform.web.api import field_errors as schema_errors

    assert page.principal is not None  # page_route lets no request without a session through
    values = {name: (page.form.get(name) or "").strip() for name in FACT_FIELDS}
    is_group = values["providerType"] == "Group"
    body = {name: values[name] for name in ("providerType", "taxId", "providerId", "zipCode")} | (
        {"groupName": values["groupName"]} if is_group else
        {"firstName": values["firstName"], "lastName": values["lastName"]})
    try:
        facts = ProviderFacts.model_validate(body)
    except ValidationError as error:
        return _linker_page(page, values=values, errors=named_by_label(schema_errors(error)), status=400)
    try:
        view = wiring.current().links().request(page.principal, claimed_from(facts),
                                                client_address=page.client_address)
    except ValidationFailed as error:
        return _linker_page(page, values=values, errors=field_errors(error, LABELS), status=400)
    except TooManyRequests as error:
        answer = _linker_page(page, values=values, problem=error, status=429)
        answer.headers.update(retry_after(error))
        return answer
    except PortalError as error:
        if error.kind not in (ErrorKind.NOT_FOUND, ErrorKind.CONFLICT, ErrorKind.FORBIDDEN):
            raise
        status = {ErrorKind.NOT_FOUND: 404, ErrorKind.CONFLICT: 409}.get(error.kind, 403)
        return _linker_page(page, values=values, problem=error, status=status)
    return Redirect(f"{ACCOUNT_LINKER}?done={view.status}")


def _own_change(page: PageRequest, done: str, change: Any) -> Page | Redirect:
    """A change of the user's own link: back to the page, or the page with the reason (a missing link: 404)."""
    assert page.principal is not None  # page_route lets no request without a session through
    try:
        change(page.principal)
    except ValidationFailed as error:
        return _linker_page(page, errors=field_errors(error, LABELS), status=400)
    except PortalError as error:
        if error.kind == ErrorKind.INVALID and error.fields.get("code"):
            return _linker_page(page, errors=field_errors(error, LABELS), status=400)
        if error.kind != ErrorKind.CONFLICT:
            raise
        return _linker_page(page, problem=error, status=409)
    return Redirect(f"{ACCOUNT_LINKER}?done={done}")


@page_route(linker_pages, LINK + "/code", permission=None, method="POST", tag=TAG,
            summary="Email the code for a link into a Tax ID with no administrator to its practice's address")
def link_code_submit(page: PageRequest, providerId: str) -> Page | Redirect:
    return _own_change(page, "sent", lambda principal: wiring.current().links().send_code(principal, providerId))


@page_route(linker_pages, LINK + "/confirmation", permission=None, method="POST", tag=TAG,
            summary="Confirm a link with the emailed code: you become its Tax ID's Provider Administrator")
def link_confirm_submit(page: PageRequest, providerId: str) -> Page | Redirect:
    code = (page.form.get("code") or "").strip()
    if not code.isdigit() or len(code) != 6:
        return _linker_page(page, errors={"code": "Enter the 6 digits of the code from the email"}, status=400)
    return _own_change(page, "confirmed",
                       lambda principal: wiring.current().links().confirm(principal, providerId, code))


@page_route(linker_pages, LINK + "/remove", permission=None, tag=TAG,
            summary="Remove a linked provider, or withdraw a link request: the confirmation")
def unlink_page(page: PageRequest, providerId: str) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    view = next((view for view in wiring.current().links().links(page.principal)
                 if view.provider_id == providerId and view.status != "HOME"), None)
    if view is None:
        raise LinkNotFound()
    return Page("accounts/unlink.html", {"title": f"Remove {view.name}", "view": view,
                                         "action": f"{ACCOUNT_LINKER}/{view.provider_id}/remove",
                                         "keep_link": ACCOUNT_LINKER})


@page_route(linker_pages, LINK + "/remove", permission=None, method="POST", tag=TAG,
            summary="Remove a linked provider, or withdraw a link request")
def unlink_submit(page: PageRequest, providerId: str) -> Page | Redirect:
    return _own_change(page, "removed", lambda principal: wiring.current().links().remove(principal, providerId))
