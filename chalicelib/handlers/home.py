"""The front door and home: the landing page with the state portals, home after login, the provider selector."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.handlers.layout import PROVIDER_PURPOSE, Audience, NavItem, office_providers, state_portal
from chalicelib.messages.service import messages_for, portal, portals
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import Forbidden
from chalicelib.platform.web import browser
from chalicelib.platform.web.browser import safe_next
from chalicelib.platform.web.pages import HOME_PATH, Page, PageRequest, Redirect, page_route

home_pages = Blueprint(__name__)
TAG = "Pages"

TILES = (
    NavItem("Check Member Eligibility", "/member-search/eligibility"),
    NavItem("Search Claims", "/claims-center/claims"),
    NavItem("Run Member Reports", "/member-reports/membership", audience=Audience.OFFICE),
    NavItem("Submit Prior Authorizations", "/prior-authorization/new", audience=Audience.OFFICE),
    NavItem("Access Documents", audience=Audience.OFFICE),
    NavItem("Review Pharmacy, Radiology, and Dental Info"),
    NavItem("Access Assessments & Progress Notes", audience=Audience.OFFICE),
    NavItem("Submit Updates to Your Provider Roster", audience=Audience.OFFICE),
)


@page_route(home_pages, "/", permission=None,
            summary="Landing: the state portals, their messages, log in", tag=TAG, auth=False)
def landing(page: PageRequest) -> Page | Redirect:
    if page.principal is not None:
        return Redirect(HOME_PATH)
    state = portal(page.query.get("state")) or portals()[0]
    return Page("home/landing.html", {
        "title": "Provider Portal", "portals": portals(), "state": state,
        "messages": messages_for(state, get_settings().plan_name),
        "username": "", "next": "", "errors": {},
    })


@page_route(home_pages, HOME_PATH, permission=None, summary="Home after login: tiles, messages, the sections", tag=TAG)
def home(page: PageRequest) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    state = state_portal(page)
    return Page("home/home.html", {
        "title": f"{state.name} Provider Portal", "state": state, "portals": portals(),
        "tiles": [tile for tile in TILES if tile.visible_to(page.principal)],
        "messages": messages_for(state, get_settings().plan_name),
        "acts_for_provider": True,
    })


@page_route(home_pages, "/providers/select", permission=None, while_impersonating=True,
            method="POST", summary="Choose the provider the pages act for",
            tag=TAG, description="Only a provider the user acts for (a group: its Tax ID's); another is refused, 403. "
            "A view as another user may choose too: the choice is a cookie, nothing is stored.")
def select_provider(page: PageRequest) -> Redirect:
    chosen = (page.form.get("providerId") or "").strip()
    if chosen not in {p["provider_id"] for p in office_providers(page)}:
        raise Forbidden("You do not act for this provider.")
    page.remember(browser.PROVIDER, PROVIDER_PURPOSE, chosen)
    return Redirect(safe_next(page.form.get("next")) or HOME_PATH)
