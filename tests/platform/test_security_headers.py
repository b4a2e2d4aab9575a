"""HSTS and nosniff on every response (pages, JSON, FHIR, assets, errors); JSON answers carry their own strict CSP,
pages keep theirs."""

from __future__ import annotations

import pytest

from chalicelib.platform.web import assets

HSTS = "max-age=63072000; includeSubDomains"
API_CSP = "default-src 'none'; frame-ancestors 'none'"
ACCEPT_ANY = {"Accept": "*/*"}


def assert_transport_headers(header) -> None:
    """``header(name)``: the response's value of a header."""
    assert header("Strict-Transport-Security") == HSTS
    assert header("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize(("path", "status"), [("/", 200), ("/login", 200), ("/register", 200), ("/home", 303)])
def test_pages_carry_hsts_and_keep_their_own_csp(browser, path, status):
    answer = browser.get(path)
    assert answer.status == status
    assert_transport_headers(answer.header)
    csp = answer.header("Content-Security-Policy")
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


def test_json_answers_carry_hsts_and_a_csp_that_allows_nothing(offline_api):
    for response in (offline_api.get("/openapi.json"), offline_api.get("/me"),
                     offline_api.post("/auth/login", "{not json")):
        assert_transport_headers(response.headers.get)
        assert response.headers["Content-Security-Policy"] == API_CSP
    assert [offline_api.get("/me").status_code, offline_api.post("/auth/login", "{").status_code] == [401, 400]


def test_fhir_answers_carry_them_too(api):
    response = api.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/fhir+json"
    assert_transport_headers(response.headers.get)
    assert response.headers["Content-Security-Policy"] == API_CSP


@pytest.mark.parametrize("logical", ["uswds.css", "portal.js",
                                     "fonts/source-sans-pro/sourcesanspro-regular-webfont.woff2"])
def test_assets_carry_hsts_and_nosniff(browser, logical):
    answer = browser.get(assets.asset_url(logical), headers=ACCEPT_ANY)
    assert answer.status == 200
    assert_transport_headers(answer.header)
    assert answer.header("Cache-Control") == "public, max-age=31536000, immutable"
