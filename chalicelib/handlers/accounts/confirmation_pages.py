"""Who gets in, as pages: Confirm your practice (a waiting account's own page: ask for the code sent to the practice's
address on record, enter it) and the review desk of unconfirmed first administrators (plan support staff)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.handlers.accounts import user_paths as paths
from chalicelib.platform.errors import ErrorKind, PortalError, ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route
from chalicelib.platform.web.trail import PageTrail

confirmation_pages = Blueprint(__name__)
TAG = "Pages"
LABELS = {"code": "Code", "nextToken": "Page"}
PAGE_SIZE = 50
SENT = "A code is on its way to your practice's address on record. Ask whoever reads that mailbox for it."
DESK_DONE = {"approved": "The account is its Tax ID's Provider Administrator now.",
             "denied": "The account is closed and its registrant was emailed.",
             "link-approved": "The provider is linked and the user is its Tax ID's Provider Administrator now.",
             "link-denied": "The link is denied and the user was emailed."}


def _confirm_page(page: PageRequest, *, errors: dict[str, str] | None = None, problem: str | None = None,
                  status: int = 200) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    access = wiring.current().approvals().access(page.principal)
    return Page("accounts/confirm_practice.html", {
        "title": "Confirm Your Practice", "access": access, "errors": errors or {},
        "summary_errors": summary(errors or {}, LABELS), "problem": problem,
        "notice": SENT if page.query.get("sent") == "1" and not (errors or problem) else None,
        "code_action": paths.CONFIRM_PRACTICE, "send_action": paths.CONFIRM_PRACTICE + "/code",
    }, status=status)


@page_route(confirmation_pages, paths.CONFIRM_PRACTICE, permission=None, tag=TAG,
            summary="Confirm your practice: what this account waits for before it sees any data",
            description="The first account of a Tax ID asks for a code emailed to the practice's address on record "
            "and enters it here; a later one is told it waits for its administrator.")
def confirm_practice_page(page: PageRequest) -> Page:
    return _confirm_page(page)


@page_route(confirmation_pages, paths.CONFIRM_PRACTICE + "/code", permission=None, method="POST", tag=TAG,
            summary="Email the one-time code to the practice's address on record")
def send_code_submit(page: PageRequest) -> Page | Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    try:
        wiring.current().approvals().send_code(page.principal)
    except PortalError as error:
        if error.kind != ErrorKind.CONFLICT:
            raise
        return _confirm_page(page, problem=error.message, status=409)
    return Redirect(f"{paths.CONFIRM_PRACTICE}?sent=1")


@page_route(confirmation_pages, paths.CONFIRM_PRACTICE, permission=None, method="POST", tag=TAG,
            summary="Confirm the practice with the emailed code", description="On success the account is the Tax "
            "ID's Provider Administrator and the browser goes home.")
def confirm_submit(page: PageRequest) -> Page | Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    code = (page.form.get("code") or "").strip()
    if not code.isdigit() or len(code) != 6:
        return _confirm_page(page, errors={"code": "Enter the 6 digits of the code from the email"}, status=400)
    try:
        wiring.current().approvals().confirm(page.principal, code)
    except ValidationFailed as error:
        return _confirm_page(page, errors=field_errors(error, LABELS), status=400)
    except PortalError as error:
        if error.kind not in (ErrorKind.INVALID, ErrorKind.CONFLICT):
            raise
        if error.fields.get("code"):
            return _confirm_page(page, errors=field_errors(error, LABELS), status=400)
        return _confirm_page(page, problem=error.message, status=400 if error.kind == ErrorKind.INVALID else 409)
    return Redirect(f"{paths.CONFIRM_PRACTICE}?confirmed=1")


# The review desk (plan support staff)

@page_route(confirmation_pages, paths.CONFIRMATIONS, permission=Permission.SUPPORT, tag=TAG,
            summary="Practice confirmations: unconfirmed first administrators, oldest first (plan support staff)")
def confirmations_page(page: PageRequest) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    errors: dict[str, str] = {}
    approvals = wiring.current().approvals()
    try:
        trail = PageTrail.from_query(page.query)
        found = approvals.awaiting_confirmation(page.principal, PAGE_SIZE, trail.token)
    except ValidationFailed as error:
        errors, trail = field_errors(error, LABELS), PageTrail()
        found = approvals.awaiting_confirmation(page.principal, PAGE_SIZE, None)
    problem = page.query.get("problem")
    links = wiring.current().links().awaiting_confirmation(page.principal, PAGE_SIZE, None)
    return Page("users/confirmations.html", {
        "title": "Practice Confirmations", "items": found.items, "errors": errors,
        "links": links.items, "more_links": bool(links.next_token),
        "link_action": lambda item, what: f"{paths.CONFIRMATIONS}/links/{item.username}/{item.provider_id}/{what}",
        "summary_errors": summary(errors, LABELS), "notice": DESK_DONE.get(page.query.get("done") or ""),
        "problem": PROBLEMS.get(problem or ""),
        "action": lambda username, what: f"{paths.CONFIRMATIONS}/{username}/{what}",
        "previous_link": trail.previous_href(paths.CONFIRMATIONS, {}),
        "next_link": trail.next_href(paths.CONFIRMATIONS, {}, found.next_token), "position": f"Page {trail.number}",
    })


PROBLEMS = {"decided": "That account no longer waits for its practice's confirmation (another decision came first, "
                       "or its Tax ID has an administrator now, who approves it). Nothing was changed.",
            "link-decided": "That link no longer waits for its practice's confirmation (another decision came first, "
                            "it was withdrawn, or its Tax ID has an administrator now, who approves it). Nothing was "
                            "changed."}


def _desk(page: PageRequest, username: str, done: str, approve: bool) -> Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    approvals = wiring.current().approvals()
    try:
        (approvals.support_confirm if approve else approvals.support_deny)(page.principal, username)
    except PortalError as error:
        if error.kind != ErrorKind.CONFLICT:
            raise
        return Redirect(f"{paths.CONFIRMATIONS}?problem=decided")
    return Redirect(f"{paths.CONFIRMATIONS}?done={done}")


@page_route(confirmation_pages, paths.CONFIRMATIONS + "/{username}/approve", permission=Permission.SUPPORT,
            method="POST", tag=TAG, summary="Make the account its Tax ID's Provider Administrator (plan support staff)")
def confirmation_approve_submit(page: PageRequest, username: str) -> Redirect:
    return _desk(page, username, "approved", approve=True)


@page_route(confirmation_pages, paths.CONFIRMATIONS + "/{username}/deny", permission=Permission.SUPPORT,
            method="POST", tag=TAG, summary="Close an unconfirmed first administrator's account (plan support staff)")
def confirmation_deny_submit(page: PageRequest, username: str) -> Redirect:
    return _desk(page, username, "denied", approve=False)


def _link_desk(page: PageRequest, username: str, provider_id: str, approve: bool) -> Redirect:
    assert page.principal is not None  # page_route lets no request without a session through
    links = wiring.current().links()
    try:
        (links.support_confirm if approve else links.support_deny)(page.principal, username, provider_id)
    except PortalError as error:
        if error.kind != ErrorKind.CONFLICT:
            raise
        return Redirect(f"{paths.CONFIRMATIONS}?problem=link-decided")
    return Redirect(f"{paths.CONFIRMATIONS}?done={'link-approved' if approve else 'link-denied'}")


@page_route(confirmation_pages, paths.CONFIRMATIONS + "/links/{username}/{providerId}/approve",
            permission=Permission.SUPPORT, method="POST", tag=TAG,
            summary="Link the provider and make the user its Tax ID's Provider Administrator (plan support staff)")
def link_confirmation_approve_submit(page: PageRequest, username: str, providerId: str) -> Redirect:
    return _link_desk(page, username, providerId, approve=True)


@page_route(confirmation_pages, paths.CONFIRMATIONS + "/links/{username}/{providerId}/deny",
            permission=Permission.SUPPORT, method="POST", tag=TAG,
            summary="Deny a link into a Tax ID with no administrator (plan support staff)")
def link_confirmation_deny_submit(page: PageRequest, username: str, providerId: str) -> Redirect:
    return _link_desk(page, username, providerId, approve=False)
