"""The fingerprinted assets (immutable, the bytes the build wrote) and the 404, 403 and 500 pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.platform.web import assets
from local.environment import PROJECT_DIR

ACCEPT_ANY = {"Accept": "*/*"}


def test_the_stylesheet_is_served_immutable_with_its_type_and_its_url_references_are_fingerprinted(browser):
    href = browser.get("/").html.find("link", rel="stylesheet")["href"]
    assert re.fullmatch(r"/assets/uswds\.[0-9a-f]{10}\.css", href)
    answer = browser.get(href, headers=ACCEPT_ANY)
    assert answer.status == 200
    assert answer.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert answer.header("Content-Type") == "text/css; charset=utf-8"
    referenced = set(re.findall(r"url\(([^)]+)\)", answer.text)) - {""}
    assert referenced
    assert "../fonts" not in answer.text
    built = set(assets.manifest().values())
    assert {name for name in referenced if not name.startswith("data:")} <= built


def test_a_font_travels_as_the_exact_bytes_of_the_npm_package(browser, app):
    logical = "fonts/source-sans-pro/sourcesanspro-regular-webfont.woff2"
    url = assets.asset_url(logical)
    answer = browser.get(url, headers=ACCEPT_ANY)
    assert answer.status == 200
    assert answer.header("Content-Type") == "font/woff2"
    original = (PROJECT_DIR / "node_modules/@uswds/uswds/dist" / logical).read_bytes()
    assert answer.body == original
    assert "font/woff2" in app.api.binary_types


def test_our_own_script_is_served_and_every_page_script_exists(browser):
    for script in browser.get("/").html.find_all("script"):
        answer = browser.get(script["src"], headers=ACCEPT_ANY)
        assert answer.status == 200
        assert answer.header("Content-Type") == "text/javascript; charset=utf-8"
    assert "idle-timeout-config" in browser.get(assets.asset_url("portal.js"), headers=ACCEPT_ANY).text


def test_an_unknown_asset_is_a_json_404(browser):
    answer = browser.get("/assets/uswds.0000000000.css", headers=ACCEPT_ANY)
    assert answer.status == 404
    assert json.loads(answer.body)["code"] == "NOT_FOUND"
    assert browser.get("/assets/manifest.json", headers=ACCEPT_ANY).status == 404


@pytest.fixture
def failing_pages(aws: None, caplog: pytest.LogCaptureFixture) -> Iterator[Any]:
    """A small app with page routes that fail as views do: an unknown ID, a refusal, a bug."""
    from chalice import Blueprint, Chalice
    from chalice.test import Client

    import chalicelib.handlers  # noqa: F401 - the authenticator, clock and layout the pages use
    from chalicelib.platform.errors import Forbidden, NotFound
    from chalicelib.platform.web import api, openapi
    from chalicelib.platform.web.pages import Page, page_route

    contracts = list(api.ROUTE_CONTRACTS)
    blueprint = Blueprint("failing")

    @page_route(blueprint, "/things/{thing_id}", permission=None, summary="a thing", tag="Test", auth=False)
    def thing(thing_id: str) -> Page:
        if thing_id != "known":
            raise NotFound()
        return Page("errors/error.html", {"title": "Known", "message": "known"})

    @page_route(blueprint, "/forbidden", permission=None, summary="refused", tag="Test", auth=False)
    def refused() -> Page:
        raise Forbidden("Only plan staff may see this.")

    @page_route(blueprint, "/broken", permission=None, summary="a bug", tag="Test", auth=False)
    def broken() -> Page:
        raise RuntimeError("the database melted")

    app = Chalice(app_name="failing")
    app.register_blueprint(blueprint)
    try:
        with Client(app, stage_name="test", project_dir=str(PROJECT_DIR)) as client:
            yield client
    finally:
        api.ROUTE_CONTRACTS[:] = contracts
        openapi.openapi_document.cache_clear()


def test_an_unknown_id_under_a_page_route_is_the_404_page(failing_pages):
    from bs4 import BeautifulSoup

    for path in ("/things/unknown", "/things/bad%20id"):
        answer = failing_pages.http.get(path)
        assert answer.status_code == 404, path
        soup = BeautifulSoup(answer.body, "html.parser")
        assert soup.find("h1").get_text(strip=True) == "Page not found"
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert failing_pages.http.get("/things/known").status_code == 200


def test_a_refusal_is_the_403_page(failing_pages):
    answer = failing_pages.http.get("/forbidden")
    assert answer.status_code == 403
    assert b"Only plan staff may see this." in answer.body


def test_a_bug_is_the_500_page_with_a_reference_id_that_is_in_the_log(failing_pages, caplog):
    from bs4 import BeautifulSoup

    answer = failing_pages.http.get("/broken")
    assert answer.status_code == 500
    soup = BeautifulSoup(answer.body, "html.parser")
    reference = soup.find(id="reference-id").get_text(strip=True)
    assert re.fullmatch(r"[0-9a-f-]{36}", reference)
    assert "the database melted" not in answer.body.decode()
    logged = [r for r in caplog.records if getattr(r, "reference_id", None) == reference]
    assert logged
    assert logged[0].exc_info is not None
    assert "the database melted" in str(logged[0].exc_info[1])
    assert answer.headers["Cache-Control"] == "no-store"


def test_page_routes_are_in_the_openapi_document_as_html(offline_api):
    document = offline_api.get("/openapi.json").data
    login = document["paths"]["/login"]
    assert set(login) == {"get", "post"}
    assert "text/html" in login["get"]["responses"]["200"]["content"]
    assert document["paths"]["/home"]["get"]["security"] == [{"session": []}]
    assert "security" not in login["get"]
    assert "/assets/{name}" in document["paths"]
