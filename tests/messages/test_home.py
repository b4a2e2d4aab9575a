"""Home after login: the state portal, the tiles, the sections by role, the provider selector."""

from __future__ import annotations

from tests.support.pages import SESSION_COOKIE


def sections(soup):
    nav = soup.find("nav", attrs={"aria-label": "Portal sections"})
    return [span.get_text(strip=True) for span in nav.select(".portal-sidenav__section")]


def test_home_shows_the_state_portal_tiles_and_messages(logged_in):
    soup = logged_in("demo.group").get("/home").html
    assert [h.get_text(strip=True) for h in soup.find_all("h1")] == ["Indiana Provider Portal"]
    tiles = [t.get_text(" ", strip=True) for t in soup.select(".portal-tile")]
    for tile in ("Check Member Eligibility", "Search Claims", "Run Member Reports", "Submit Prior Authorizations",
                 "Access Documents"):
        assert any(t.startswith(tile) for t in tiles), tile
    assert soup.find(id="messages-heading").get_text(strip=True) == "Messages for Indiana"
    for landmark in ("header", "main", "footer"):
        assert soup.find(landmark) is not None
    assert len(soup.find_all("nav")) >= 2


def test_an_office_sees_every_section_and_plan_staff_not_the_offices_own(logged_in, browser):
    office = logged_in("demo.group").get("/home").html
    assert sections(office) == ["MEMBER SEARCH", "CLAIMS", "PRIOR AUTHORIZATION", "MEMBER REPORTS", "USERS",
                                "PROVIDERS"]
    items = office.find("nav", attrs={"aria-label": "Portal sections"}).get_text(" ", strip=True)
    for item in ("Member Eligibility", "Coordination of Benefits", "Member File Upload", "Provider Membership List",
                 "Clinical Practice Registry"):
        assert item in items
    assert "Review Queue" not in items
    browser.cookies.clear()
    staff = logged_in("planadmin").get("/home").html
    assert "MEMBER REPORTS" not in sections(staff)
    assert "PROVIDERS" not in sections(staff)
    assert "Review Queue" in staff.find("nav", attrs={"aria-label": "Portal sections"}).get_text()
    assert staff.find(id="provider-selector") is None


def test_the_group_user_switches_among_its_tax_ids_providers(logged_in):
    browser = logged_in("demo.group")
    soup = browser.get("/home").html
    select = soup.find("select", id="provider-selector")
    assert soup.find("label", attrs={"for": "provider-selector"}).get_text(strip=True) == "Providers:"
    options = {o["value"]: o.get_text(strip=True) for o in select.find_all("option")}
    assert options["999999999999"] == "Default Provider - 999999999999"
    assert set(options) == {"999999999999", "100000000001", "100000000002"}
    assert select.find("option", selected=True)["value"] == "999999999999"
    answer = browser.submit("/providers/select", {"providerId": "100000000001", "next": "/home"}, form_page="/home")
    assert answer.status == 303
    assert answer.location == "/home"
    again = browser.get("/home").html.find("select", id="provider-selector")
    assert again.find("option", selected=True)["value"] == "100000000001"


def test_a_provider_outside_the_scope_is_refused_and_nothing_changes(logged_in):
    browser = logged_in("demo.group")
    refused = browser.submit("/providers/select", {"providerId": "200000000001"}, form_page="/home")
    assert refused.status == 403
    assert not any("portal_provider=" in c and "Max-Age=0" not in c for c in refused.set_cookies())
    selected = browser.get("/home").html.find("select", id="provider-selector").find("option", selected=True)
    assert selected["value"] == "999999999999"


def test_a_tampered_provider_cookie_is_ignored(logged_in):
    browser = logged_in("demo.group")
    browser.cookies["__Host-portal_provider"] = "200000000001.forged"
    selected = browser.get("/home").html.find("select", id="provider-selector").find("option", selected=True)
    assert selected["value"] == "999999999999"
    assert SESSION_COOKIE in browser.cookies


def test_a_practitioner_sees_its_one_provider_without_a_choice(logged_in):
    soup = logged_in("demo.jdoe").get("/home").html
    assert soup.find("select", id="provider-selector") is None
    assert soup.find(id="provider-selector").get_text(" ", strip=True) == "Providers: Jane Doe - 100000000001"


def test_a_logged_in_visitor_of_the_landing_page_goes_home(logged_in):
    assert logged_in("demo.group").get("/").location == "/home"
