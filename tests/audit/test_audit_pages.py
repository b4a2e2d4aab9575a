"""Plan staff's audit trail pages: of a member, of a user; paged without a total; offices refused."""

from __future__ import annotations

import pytest

from tests.audit.test_audit_trail import BUSY, busy_trail  # noqa: F401 - a fixture, shared

pytestmark = pytest.mark.usefixtures("roster_members")


def rows(soup):
    return [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in soup.select("table tbody tr")]


def test_plan_staff_read_a_members_trail_newest_first(logged_in, browser, clock):
    office = logged_in("demo.group")
    office.get("/member-reports/members/10000000001")
    clock.advance(minutes=1)
    office.get("/member-reports/members/10000000001")
    browser.cookies.clear()
    staff = logged_in("planadmin")
    nav = {a.get_text(strip=True): a["href"] for a in staff.get("/home").html.select(
        "nav[aria-label='Portal sections'] a")}
    assert nav["Audit Trail"] == "/audit-trail"
    found = staff.get("/audit-trail?memberId=10000000001")
    assert found.status == 303
    assert found.location == "/audit-trail/members/10000000001"
    soup = staff.get(found.location).html
    assert soup.find("h1").get_text(strip=True) == "Audit Trail: member 10000000001"
    trail = rows(soup)
    assert [row[5] for row in trail] == ["Member Viewed", "Member Viewed"]
    assert trail[0][0] > trail[1][0]
    assert {row[1] for row in trail} == {"demo.group"}
    assert soup.find(class_="portal-table__total") is None  # no total (DECISIONS: audit trails)


def test_a_users_trail_pages_with_more_results(logged_in, browser, clock):
    office = logged_in("demo.group")
    office.get("/member-reports/membership")  # 50 members shown, each audited
    clock.advance(seconds=1)
    office.get("/member-reports/members/10000000002")
    browser.cookies.clear()
    staff = logged_in("planadmin")
    soup = staff.get(staff.get("/audit-trail?username=demo.group").location).html
    first = rows(soup)
    assert len(first) == 50
    assert first[0][5] == "Member Viewed"
    more = soup.find("a", rel="next")
    assert more.get_text(strip=True) == "More results"
    second = staff.get(more["href"]).html
    assert rows(second)
    assert {row[0] + row[4] for row in rows(second)}.isdisjoint({row[0] + row[4] for row in first})
    assert second.find("a", rel="prev") is not None


def test_the_search_form_checks_its_input(logged_in):
    staff = logged_in("planadmin")
    assert staff.get("/audit-trail").status == 200
    both = staff.get("/audit-trail?memberId=10000000001&username=demo.group")
    assert both.status == 400
    assert "not both" in both.html.find(id="memberId-error").get_text()
    assert both.html.find(id="memberId")["value"] == "10000000001"
    bad = staff.get("/audit-trail?memberId=1000%200001")
    assert bad.status == 400
    assert bad.html.find(id="error-summary").find("a")["href"] == "#memberId"
    assert staff.get("/audit-trail/members/10000000001?trail=forged%20token").html.find(id="error-summary")


def test_an_office_is_refused_the_audit_trail(logged_in):
    office = logged_in("demo.group")
    for path in ("/audit-trail", "/audit-trail/members/10000000001", "/audit-trail/users/demo.group"):
        answer = office.get(path)
        assert answer.status == 403, path
        assert "does not have the permission \u201cAudit reader (audit trails, accounting of disclosures)\u201d" in \
            answer.text


@pytest.mark.usefixtures("busy_trail")
def test_a_busy_users_trail_page_reads_at_most_a_page_plus_one(logged_in, items_read):
    staff = logged_in("planadmin")
    items_read.reset()
    page = staff.get(f"/audit-trail/users/{BUSY}")
    assert page.status == 200
    assert len(rows(page.html)) == 50
    assert page.html.find("a", rel="next").get_text(strip=True) == "More results"
    queries = [(operation, items) for operation, items in items_read.calls if operation in ("Query", "Scan")]
    assert [operation for operation, _ in queries] == ["Query"]
    assert queries[0][1] <= 51


def test_a_members_trail_shows_it_left_in_an_export(logged_in, browser, pump):
    office = logged_in("demo.group")
    export_page = office.submit("/member-reports/exports", {}, form_page="/member-reports/membership").location
    export_id = export_page.rsplit("/", 1)[1]
    pump.drain_queues()
    browser.cookies.clear()
    staff = logged_in("planadmin")
    trail = rows(staff.get("/audit-trail/members/10000000001").html)
    exported = [row for row in trail if row[5] == "Member Exported"]
    assert [(row[1], row[6]) for row in exported] == [("demo.group", f"left in export {export_id}")]
