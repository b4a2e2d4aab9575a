"""MEMBER REPORTS pages: the Provider Membership List, a member's detail, exports and scheduled exports."""

from __future__ import annotations

import csv
import io

import pytest
import requests

from chalicelib.reports import roster
from chalicelib.reports.store import ExportJobModel, ExportSubscriptionModel, group_view, member_sort_key

pytestmark = pytest.mark.usefixtures("roster_members")

LIST = "/member-reports/membership"
SEED_COLUMNS = ["Alerts", "Details", "First Name", "Last Name", "Plan Member ID", "Medicaid ID", "Gender",
                "Birth Date", "Lang Type", "Member Phone", "Program Name"]


def rows(soup):
    return [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in soup.select("table tbody tr")]


def sort_keys(soup):
    """The roster's own order: last name, first name, member ID, folded as the store keys them."""
    return [member_sort_key(row[3], row[2], row[4]) for row in rows(soup)]


def member_ids(soup):
    return [row[4] for row in rows(soup)]


def records(soup):
    return soup.select_one(".portal-table__total").get_text(" ", strip=True)


def pager(soup):
    return {a.get_text(strip=True): a["href"] for a in soup.select(".usa-pagination a")}


def test_the_list_shows_the_maintained_record_count_and_the_seed_columns(logged_in):
    soup = logged_in("demo.group").get(LIST).html
    expected = roster.view_count(group_view("310000001")).members
    assert expected > 50
    assert records(soup) == f"Records: {expected:,}"
    assert [h.get_text(strip=True) for h in soup.find_all("h1")] == ["Provider Membership List"]
    labels = [th.get_text(" ", strip=True) for th in soup.select("table thead th")]
    assert [label.split(" (sorted")[0].replace("▲", "").strip() for label in labels] == SEED_COLUMNS
    assert len(rows(soup)) == 50
    legend = soup.find(id="legend-heading").find_parent("section").get_text(" ", strip=True)
    for label in ("New Assessment", "New Care Treatment Plan", "Updated Care Treatment Plan", "BH Clinical Info"):
        assert label in legend
    assert soup.find(id="provider-selector").find("option", selected=True)["value"] == "999999999999"
    assert "Entire Group's Member List as CSV" in soup.find(id="export-heading").find_parent("section").get_text()


def test_alerts_show_their_labels_on_the_list(logged_in):
    browser = logged_in("demo.group")
    soup = browser.get(LIST).html
    while "10000000001" not in member_ids(soup):
        soup = browser.get(pager(soup)["Next"]).html
    ava = next(row for row in rows(soup) if row[4] == "10000000001")
    assert "New Assessment" in ava[0]
    assert "BH Clinical Info" in ava[0]
    assert ava[1] == "View Details of Ava Thompson"


def test_next_and_previous_move_through_pages_of_different_rows(logged_in):
    browser = logged_in("demo.group")
    first = browser.get(LIST).html
    assert "Previous" not in pager(first)
    assert first.select_one(".usa-pagination [aria-current=page]").get_text(strip=True).startswith("Page 1 of ")
    second = browser.get(pager(first)["Next"]).html
    assert set(member_ids(second)).isdisjoint(member_ids(first))
    assert records(second) == records(first)
    keys = sort_keys(first) + sort_keys(second)
    assert keys == sorted(keys)
    assert second.select_one(".usa-pagination [aria-current=page]").get_text(strip=True).startswith("Page 2 of ")
    back = browser.get(pager(second)["Previous"]).html
    assert member_ids(back) == member_ids(first)


def test_last_name_z_to_a_reads_the_roster_backwards(logged_in):
    browser = logged_in("demo.group")
    ascending = browser.get(LIST).html
    sort_link = ascending.select_one("table thead th[aria-sort] a")["href"]
    assert "order=desc" in sort_link
    descending = browser.get(f"{LIST}?order=desc").html
    keys = sort_keys(descending)
    assert keys == sorted(keys, reverse=True)
    assert keys[0] > max(sort_keys(ascending))
    assert descending.find("th", attrs={"aria-sort": "descending"}) is not None
    assert records(descending) == records(ascending)


def test_program_filter_and_a_bad_program_shows_the_field_error(logged_in):
    browser = logged_in("demo.group")
    soup = browser.get(LIST).html
    programs = [o["value"] for o in soup.find("select", id="program").find_all("option") if o["value"]]
    assert programs
    filtered = browser.get(f"{LIST}?program={requests.utils.quote(programs[0])}").html
    assert {row[10] for row in rows(filtered)} == {programs[0]}
    bad = browser.get(f"{LIST}?program=Nothing+Like+It").html
    assert "is not a program on this roster" in bad.find(id="program-error").get_text()
    assert bad.find(id="error-summary").find("a")["href"] == "#program"
    forged = browser.get(f"{LIST}?trail=bm90LWEtdG9rZW4").html
    assert forged.find(id="error-summary") is not None
    assert len(rows(forged)) == 50  # the first page, as the form shows


def test_a_group_user_picks_one_of_its_providers(logged_in):
    browser = logged_in("demo.group")
    browser.submit("/providers/select", {"providerId": "100000000001", "next": LIST}, form_page=LIST)
    soup = browser.get(LIST).html
    assert records(soup) == f"Records: {roster.view_count(roster.provider_view('100000000001')).members:,}"
    assert "Jane Doe - 100000000001" in soup.find("main").get_text()


def test_member_detail_shows_identity_pcp_alerts_coverage_and_other_insurance(logged_in):
    browser = logged_in("demo.group")
    ava = browser.get("/member-reports/members/10000000001")
    assert ava.status == 200
    text = ava.html.find("main").get_text(" ", strip=True)
    assert ava.html.find("h1").get_text(strip=True) == "Ava Thompson"
    for expected in ("700000000001", "04/12/1990", "Jane Doe - 100000000001", "New Assessment", "BH Clinical Info",
                     "Healthy Indiana Plan"):
        assert expected in text
    liam = browser.get("/member-reports/members/10000000002").html.find("main").get_text(" ", strip=True)
    assert "Anthem Blue Cross" in liam
    assert browser.get("/member-reports/members/20000000001").status == 404  # Ohio: not this office's
    assert browser.get("/member-reports/members/bad%20id").status == 404


def test_member_detail_page_is_the_attributed_panels_only(logged_in, members):
    from local.demo_members import member

    member("10000009001", "70000009001", "Casey", "Panel", "1988-03-04", "F", "Indiana", "English", "317-555-0190",
           ("100000000002", "Robert Smith"), [("2029-01-01", None, "Indiana - Marketplace", "Marketplace")], [],
           [("BH_CLINICAL_INFO", "2031-10-01")]).save()
    browser = logged_in("demo.jdoe")  # Jane Doe: Robert Smith's member is not on her panel
    refused = browser.get("/member-reports/members/10000009001")
    assert refused.status == 404
    assert "BH Clinical Info" not in refused.text
    assert "Casey" not in refused.text
    assert "BH Clinical Info" in browser.get("/member-reports/members/10000000001").text  # her own member


def test_export_now_queues_a_job_and_the_page_shows_the_ready_download(logged_in, pump):
    browser = logged_in("demo.group")
    answer = browser.submit("/member-reports/exports", {}, form_page=LIST)
    assert answer.status == 303
    assert answer.location.startswith("/member-reports/exports/")
    queued = browser.get(answer.location).html
    assert queued.select_one("#export-status .usa-tag").get_text(strip=True) == "Queued"
    assert queued.find(id="export-status").has_attr("data-poll")
    assert queued.find("a", string="Download the CSV file") is None
    assert browser.get(answer.location + "/download").status == 409

    pump.drain_queues()
    ready = browser.get(answer.location).html
    assert ready.select_one("#export-status .usa-tag").get_text(strip=True) == "Ready"
    link = ready.find("a", string="Download the CSV file")
    download = browser.get(link["href"])
    assert download.status == 302
    body = requests.get(download.location, timeout=10).content.decode("utf-8")
    data = list(csv.reader(io.StringIO(body, newline="")))
    assert len(data) - 1 == roster.view_count(group_view("310000001")).members

    listed = browser.get("/member-reports/exports").html
    assert "Ready" in listed.find(id="downloads").get_text()


def test_export_without_csrf_is_refused_and_no_job_is_written(logged_in):
    browser = logged_in("demo.group")
    refused = browser.post("/member-reports/exports", {})
    assert refused.status == 403
    assert list(ExportJobModel.scan()) == []
    foreign = browser.post("/member-reports/exports", {"csrf_token": browser.csrf(LIST)},
                           origin="https://evil.example")
    assert foreign.status == 403
    assert list(ExportJobModel.scan()) == []


def test_scheduled_exports_are_created_listed_and_cancelled(logged_in):
    browser = logged_in("demo.group")
    bad = browser.submit("/member-reports/subscriptions", {"frequency": "DAILY"}, form_page="/member-reports/exports")
    assert bad.status == 400
    assert "Choose how often" in bad.html.find(id="frequency-error").get_text()
    assert list(ExportSubscriptionModel.scan()) == []

    made = browser.submit("/member-reports/subscriptions", {"frequency": "MONTHLY"},
                          form_page="/member-reports/exports")
    assert made.status == 303
    page = browser.get("/member-reports/exports").html
    table = page.find(id="subscriptions")
    assert "Monthly" in table.get_text()
    cancel = table.find("form")["action"]
    assert browser.post(cancel, {}).status == 403  # no CSRF token: nothing changes
    assert browser.submit(cancel, {}, form_page="/member-reports/exports").status == 303
    assert browser.get("/member-reports/exports").html.find(id="subscriptions") is None
    [subscription] = list(ExportSubscriptionModel.scan())
    assert subscription.active is None


def test_another_offices_export_is_the_404_page(logged_in, browser):
    group = logged_in("demo.group")
    location = group.submit("/member-reports/exports", {}, form_page=LIST).location
    browser.cookies.clear()
    other = logged_in("demo.buckeye")
    assert other.get(location).status == 404
    assert other.get(location + "/download").status == 404


def test_plan_staff_have_no_roster_and_the_nav_links_the_screens(logged_in, browser):
    office = logged_in("demo.group").get("/home").html
    nav = {a.get_text(strip=True): a["href"] for a in office.select("nav[aria-label='Portal sections'] a")}
    assert nav["Provider Membership List"] == LIST
    assert nav["Clinical Practice Registry"] == "/member-reports/registry"
    assert "Audit Trail" not in nav
    tile = office.find("a", class_="portal-tile", string="Run Member Reports")
    assert tile["href"] == LIST
