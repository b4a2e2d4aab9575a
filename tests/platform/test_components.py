"""The macros every page composes (one per component, each taking one params dict), and the browser rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from chalicelib.platform.web import browser
from chalicelib.platform.web.assets_build import build
from chalicelib.platform.web.forms import parse_us_date
from chalicelib.platform.web.templating import environment


def render(source: str, **context) -> BeautifulSoup:
    return BeautifulSoup(environment().from_string(source).render(**context), "html.parser")


def test_a_field_ties_its_hint_and_error_with_aria_describedby():
    soup = render('{% from "components/field.html" import field %}{{ field(p) }}', p={
        "name": "taxId", "label": "Tax ID", "hint": "9 digits", "error": "Tax ID is required", "value": "<b>"})
    control = soup.find("input", id="taxId")
    assert control["aria-describedby"].split() == ["taxId-hint", "taxId-error"]
    assert soup.find("label", attrs={"for": "taxId"}).get_text(strip=True) == "Tax ID"
    assert soup.find(id="taxId-error").get_text(strip=True) == "Tax ID is required"
    assert control["value"] == "<b>"
    assert soup.find("b") is None
    plain = render('{% from "components/field.html" import field %}{{ field(p) }}', p={"name": "x", "label": "X"})
    assert not plain.find("input").has_attr("aria-describedby")


def test_radios_select_and_checkboxes_label_every_option():
    soup = render('{% from "components/choices.html" import radios, checkboxes %}'
                  '{% from "components/select.html" import select %}{{ radios(r) }}{{ checkboxes(c) }}{{ select(s) }}',
                  r={"name": "providerType", "label": "Provider type", "value": "Group", "error": "Choose one",
                     "items": [{"value": "Practitioner", "text": "Practitioner"}, {"value": "Group", "text": "Group"}]},
                  c={"name": "plans", "label": "Plans", "values": ["A"], "items": [{"value": "A", "text": "A"}]},
                  s={"name": "state", "label": "State", "value": "OH",
                     "items": [{"value": "IN", "text": "Indiana"}, {"value": "OH", "text": "Ohio"}]})
    for control in soup.find_all("input"):
        assert soup.find("label", attrs={"for": control["id"]})
    assert soup.find("input", attrs={"value": "Group"}).has_attr("checked")
    assert soup.find("fieldset")["aria-describedby"] == "providerType-error"
    assert soup.find("option", selected=True)["value"] == "OH"


def test_the_error_summary_links_to_each_field():
    soup = render('{% from "components/error_summary.html" import error_summary %}{{ error_summary(p) }}',
                  p={"errors": [{"text": "Enter a date", "href": "#dateOfService"}]})
    assert soup.find("a")["href"] == "#dateOfService"
    assert soup.find(role="alert")


def test_the_data_table_sorts_pages_counts_and_scrolls_inside_itself():
    soup = render('{% from "components/table.html" import data_table %}{{ data_table(p) }}', p={
        "caption": "Provider Membership List", "url": "/reports/membership", "query": {"providerId": "999999999999"},
        "columns": [{"key": "lastName", "label": "Last Name", "sortable": True}, {"key": "gender", "label": "Gender"}],
        "rows": [[{"text": "Thompson", "href": "/members/1"}, "F"]], "sort": "lastName", "order": "asc",
        "page": 2, "pages": 104, "total": 2079})
    assert "Records: 2,079" in soup.get_text(" ", strip=True)
    assert "usa-table-container--scrollable" in soup.find("table").parent["class"]
    header = soup.find("th")
    assert header["aria-sort"] == "ascending"
    assert header.find("a")["href"] == "/reports/membership?providerId=999999999999&sort=lastName&order=desc&page=1"
    pages = {a.get_text(strip=True): a["href"] for a in soup.select(".usa-pagination a")}
    assert pages["Next"].endswith("page=3")
    assert pages["Previous"].endswith("page=1")
    assert soup.find("a", attrs={"aria-current": "page"}).get_text(strip=True) == "2"


def test_the_date_input_shows_us_dates_and_the_server_reads_both_forms():
    soup = render('{% from "components/date_input.html" import date_input %}{{ date_input(p) }}',
                  p={"name": "dateOfService", "label": "Date of Service", "value": "2031-11-23", "min": "2029-11-23"})
    assert soup.find("input")["value"] == "11/23/2031"
    assert soup.find(class_="usa-date-picker")["data-default-value"] == "2031-11-23"
    assert "mm/dd/yyyy" in soup.find(id="dateOfService-hint").get_text()
    assert parse_us_date("11/23/2031") == parse_us_date("2031-11-23") == date(2031, 11, 23)
    assert parse_us_date("02/30/2031") is None
    assert parse_us_date("tomorrow") is None


def test_the_provider_selector_reads_as_the_seed_does():
    soup = render('{% from "components/provider_selector.html" import provider_selector %}{{ provider_selector(p) }}',
                  p={"providers": [{"provider_id": "999999999999", "name": "Default Provider"}],
                     "selected": "999999999999", "csrf_token": "t", "return_to": "/home"})
    assert soup.get_text(" ", strip=True) == "Providers: Default Provider - 999999999999"


@pytest.mark.parametrize(("target", "expected"), [
    ("/home", "/home"), ("/members?id=1&x=%2F", "/members?id=1&x=%2F"), ("//evil.example", None),
    ("https://evil.example/x", None), ("/\\evil", None), ("\\\\evil", None), ("", None), (None, None),
    ("/a\nb", None), ("home", None), ("/" + "a" * 600, None),
])
def test_safe_next(target, expected):
    assert browser.safe_next(target) == expected


def test_csrf_tokens_are_derived_from_the_cookie_secret_and_never_equal_it():
    secret = browser.new_secret()
    token = browser.csrf_token(secret)
    assert token != secret
    assert secret not in token
    assert browser.csrf_matches(token, ["", secret])
    assert not browser.csrf_matches(token, [browser.new_secret()])
    assert not browser.csrf_matches("", [secret])


def test_signed_values_refuse_tampering():
    cookie = browser.signed("session", "provider", "100000000001")
    assert browser.unsigned("session", "provider", cookie) == "100000000001"
    assert browser.unsigned("other-session", "provider", cookie) is None
    assert browser.unsigned("session", "provider", "200000000001" + cookie[12:]) is None


def test_cookies_are_secure_with_the_host_prefix_except_on_the_local_stage():
    deployed, local = browser.CookiePolicy(secure=True), browser.CookiePolicy(secure=False)
    assert deployed.set("portal_session", "v").startswith("__Host-portal_session=v; Path=/; HttpOnly; SameSite=Lax")
    assert deployed.set("portal_session", "v").endswith("Secure")
    assert local.set("portal_session", "v") == "portal_session=v; Path=/; HttpOnly; SameSite=Lax"
    assert browser.parse_cookies('a=1; broken="') == {} or "a" in browser.parse_cookies('a=1; broken="')


def test_the_build_fingerprints_every_file_and_rewrites_the_css(tmp_path: Path):
    dist = tmp_path / "dist"
    (dist / "css").mkdir(parents=True)
    (dist / "js").mkdir()
    (dist / "img").mkdir()
    (dist / "fonts").mkdir()
    (dist / "fonts" / "a.woff2").write_bytes(b"\x00font")
    (dist / "img" / "sprite.svg").write_text("<svg/>")
    (dist / "css" / "uswds.min.css").write_text('@font-face{src:url(../fonts/a.woff2)}.x{background:url("data:x")}')
    (dist / "js" / "uswds.min.js").write_text("1")
    (dist / "js" / "uswds-init.min.js").write_text("2")
    own = tmp_path / "own"
    own.mkdir()
    (own / "portal.css").write_text(".y{}")
    manifest = build(dist, own, tmp_path / "out")
    font = manifest["fonts/a.woff2"]
    assert font.startswith("fonts-a.")
    assert font.endswith(".woff2")
    css = (tmp_path / "out" / manifest["uswds.css"]).read_text()
    assert f"url({font})" in css
    assert 'url("data:x")' in css
    assert (tmp_path / "out" / font).read_bytes() == b"\x00font"
    changed = build(dist, own, tmp_path / "out2") | {}
    (own / "portal.css").write_text(".y{color:red}")
    assert build(dist, own, tmp_path / "out3")["portal.css"] != changed["portal.css"]
