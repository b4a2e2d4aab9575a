"""MEMBER REPORTS and the audit trail through the browser, as a person uses them: the Provider Membership
List (Records 2,079, paging, Export CSV now through the stack's real queue and pump, the downloaded file),
the Clinical Practice Registry with a measure and the Red criterion, and plan staff reading a member's trail.
"""

from __future__ import annotations

import csv
import re
import time

from playwright.sync_api import Page, expect

from tests.browser.portal import DEMO_GROUP, PLANADMIN, expect_logged_in, log_in

GROUP_MEMBERS = 2079
"""The demo group's roster (README: Demo data)."""


def open_section(page: Page, item: str) -> None:
    page.get_by_role("navigation", name="Portal sections").get_by_role("link", name=item, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(item)


def member_ids(page: Page) -> list[str]:
    return page.locator(".portal-table table tbody tr td:nth-child(5)").all_inner_texts()


def wait_until_ready(page: Page, timeout: float = 120.0) -> None:
    """The status page refreshes itself; a person who waits longer reloads it. Either way, until Ready."""
    status = page.locator("#export-status .usa-tag")

    def shown() -> str:
        return (status.text_content() or "").strip()  # the tag's words (its CSS shows them in capitals)

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if shown() == "Ready":
            return
        time.sleep(3)
        if shown() != "Ready":
            page.reload()
    raise AssertionError(f"the export was not ready within {timeout}s: {shown()}")


def test_the_group_pages_the_membership_list_and_downloads_the_whole_roster(page, check_page, tmp_path):
    page.goto("/login")
    log_in(page, *DEMO_GROUP)
    expect_logged_in(page, DEMO_GROUP[0])
    open_section(page, "Provider Membership List")
    expect(page.locator(".portal-table__total")).to_have_text(f"Records: {GROUP_MEMBERS:,}")
    expect(page.get_by_text("Providers:")).to_be_attached()
    first = member_ids(page)
    assert len(first) == 50
    check_page(page, "membership-list")

    page.get_by_role("link", name="Next").click()
    expect(page.locator(".usa-pagination [aria-current=page]")).to_have_text(re.compile(r"^Page 2 of 42$"))
    second = member_ids(page)
    assert second
    assert set(second).isdisjoint(first)
    check_page(page, "membership-list-page-2")
    page.get_by_role("link", name="Previous").click()
    expect(page.locator(".portal-table table tbody tr").first).to_contain_text(first[0])

    page.get_by_role("link", name="View Details of", exact=False).first.click()
    expect(page.get_by_role("heading", name="Coverage")).to_be_visible()
    check_page(page, "member-detail")
    page.go_back()

    page.get_by_role("button", name="Entire Group's Member List as CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Membership List export")
    check_page(page, "export-queued")
    wait_until_ready(page)
    check_page(page, "export-ready")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the CSV file").click()
    saved = tmp_path / "members.csv"
    download_info.value.save_as(saved)
    with saved.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0][:3] == ["Alerts", "First Name", "Last Name"]
    assert len(rows) - 1 == GROUP_MEMBERS

    page.get_by_role("link", name="Your downloads and scheduled exports").click()
    expect(page.locator("#downloads")).to_contain_text("Ready")
    page.locator("label", has_text="Weekly").click()  # USWDS draws the radio on its label
    expect(page.get_by_role("radio", name="Weekly")).to_be_checked()
    page.get_by_role("button", name="Schedule the export").click()
    expect(page.locator("#subscriptions")).to_contain_text("Weekly")
    check_page(page, "downloads-and-schedules")
    scheduled = page.locator("#subscriptions tbody tr")
    before = scheduled.count()  # the run's other journeys share the demo group and may have scheduled some too
    page.locator("#subscriptions").get_by_role("button", name=re.compile("^Cancel")).first.click()
    expect(scheduled).to_have_count(before - 1)
    page.get_by_role("button", name="Schedule the export").click()
    expect(page.get_by_role("alert").first).to_contain_text("Choose how often")
    check_page(page, "schedule-without-frequency")


def test_the_registry_with_a_measure_and_red_shows_only_red_rows(page, check_page):
    page.goto("/login")
    log_in(page, *DEMO_GROUP)
    open_section(page, "Clinical Practice Registry")
    expect(page.locator("#registry-legend")).to_contain_text("Service Past Due")
    check_page(page, "registry")

    page.get_by_label("Select Measures").select_option(label="Adult Access")
    page.get_by_label("Select Criteria").select_option(label="Red")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_label("Select Criteria")).to_have_value("RED")
    rows = page.locator("#rows-heading ~ .portal-table table tbody tr")
    expect(rows.first).to_be_visible()
    headers = page.locator("#rows-heading ~ .portal-table table thead th").all_inner_texts()
    column = headers.index("Adult Access") + 1
    cells = page.locator(f"#rows-heading ~ .portal-table table tbody tr td:nth-child({column}) .usa-tag")
    letters = {text.split()[0] for text in cells.all_inner_texts()}
    assert letters == {"R"}
    check_page(page, "registry-adult-access-red")

    page.goto("/member-reports/registry?criteria=PURPLE")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#criteria-error")).to_contain_text("must be one of")
    check_page(page, "registry-bad-filters")


def test_plan_staff_open_a_members_audit_trail(page, check_page):
    page.goto("/login")
    log_in(page, *PLANADMIN)
    expect_logged_in(page, PLANADMIN[0])
    open_section(page, "Audit Trail")
    check_page(page, "audit-search")
    page.get_by_label("Member ID").fill("10000000001")
    page.get_by_label("Username").fill("demo.group")
    page.get_by_role("button", name="Show the audit trail").click()
    expect(page.locator("#memberId-error")).to_contain_text("not both")
    check_page(page, "audit-search-both")
    page.get_by_label("Username").fill("")
    page.get_by_role("button", name="Show the audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit Trail: member 10000000001")
    expect(page.locator("table tbody tr").first).to_be_visible()
    check_page(page, "audit-member")
