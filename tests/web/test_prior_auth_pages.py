"""PRIOR AUTHORIZATION pages: the requirements lookup, the search, a request's page and its decision letter."""

from __future__ import annotations

import pytest

from tests.integration.test_prior_auth import cpap, submit

pytestmark = pytest.mark.usefixtures("prior_auth_rules")


def text(soup, element_id):
    return soup.find(id=element_id).get_text(" ", strip=True)


def test_requirements_lookup_shows_needed_not_needed_and_not_listed(logged_in):
    browser = logged_in("demo.jdoe")
    soup = browser.get("/prior-authorization/requirements?state=Indiana&program=Medicaid&codes=E0601, 99213,99999").html
    rows = {tr.find("th").get_text(strip=True): tr.get_text(" ", strip=True)
            for tr in soup.select("#requirements tbody tr")}
    assert list(rows) == ["E0601", "99213", "99999"]
    assert "Needed" in rows["E0601"]
    assert "sleep study" in rows["E0601"].lower()
    assert "Not needed" in rows["99213"]
    assert "Not on our list" in rows["99999"]


def test_requirements_lookup_refuses_bad_codes_beside_the_field(logged_in):
    page = "/prior-authorization/requirements?state=Indiana&program=Medicaid&codes=E06;01"
    soup = logged_in("demo.jdoe").get(page).html
    assert "Codes" in text(soup, "codes-error")
    assert soup.find("input", attrs={"name": "codes"})["value"] == "E06;01"
    assert soup.find(id="requirements") is None


def test_search_lists_the_offices_requests_and_links_each_page(api, token_for, logged_in):
    token = token_for("demo.jdoe")
    approved = submit(api, token, cpap()).data["priorAuth"]
    pended = submit(api, token, cpap(serviceLines=[{"code": "64635", "units": 1}],
                                     diagnosisCodes=["M47.816"], clinicalCriteria=[])).data["priorAuth"]
    browser = logged_in("demo.jdoe")
    soup = browser.get("/prior-authorization/requests").html
    links = [a["href"] for a in soup.select("table tbody tr a")]
    assert {f"/prior-authorization/requests/{made['referenceNumber']}" for made in (approved, pended)} <= set(links)
    assert soup.select_one(".portal-table__total") is None  # no count: DECISIONS, lists and counts

    only_pended = browser.get("/prior-authorization/requests?search=1&status=PENDED").html
    statuses = {tr.select("td")[4].get_text(" ", strip=True) for tr in only_pended.select("table tbody tr")}
    assert statuses == {"Pended for clinical review"}

    refused = browser.get("/prior-authorization/requests?search=1&memberId=abc-1&receivedFrom=13/45/2031").html
    assert "Member ID" in text(refused, "memberId-error")
    assert text(refused, "receivedFrom-error").endswith("Received from must be a date (mm/dd/yyyy)")
    assert refused.find("input", attrs={"name": "memberId"})["value"] == "abc-1"
    assert refused.find(id="prior-auths-caption") is None


def test_a_requests_page_and_its_letter_say_the_decision(api, token_for, logged_in):
    approved = submit(api, token_for("demo.jdoe"), cpap()).data["priorAuth"]
    number = approved["authorizationNumber"]
    browser = logged_in("demo.jdoe")
    soup = browser.get(f"/prior-authorization/requests/{number}").html
    assert number in soup.find("h1").get_text()
    assert "Approved by AutoAuth" in text(soup, "decision")
    assert "E0601" in text(soup, "service-lines")
    assert "AutoAuth" in text(soup, "history")
    letter = browser.get(f"/prior-authorization/requests/{number}/letter").html
    assert "Decision: Approved" in text(letter, "letter-decision")
    assert number in text(letter, "letter-decision")
    assert letter.find("button", attrs={"data-print": True}) is not None


def test_another_offices_request_is_the_404_page(api, token_for, logged_in):
    number = submit(api, token_for("demo.jdoe"), cpap()).data["priorAuth"]["authorizationNumber"]
    answer = logged_in("demo.buckeye").get(f"/prior-authorization/requests/{number}")
    assert answer.status == 404
    assert number not in answer.html.find("main").get_text()  # the page says nothing of it (only its own URL has it)
