"""Payments through the browser: a biller's claim approved, plan staff start a payment cycle from Payment Cycles, and
the biller reads the claim paid, its EOP and its 835; and a claim for Liam Carter's coverage gap refused on that line.

The local stack runs its own payment schedule every few seconds (tests/support/local_stack.py). The journey holds the
cycle's lease, as a running cycle would, while the biller submits and plan staff open Payment Cycles: the schedule
skips meanwhile, so the claim is still approved and waiting, and a cycle started then is refused in words. Once the
lease is given back the staff cycle pays it. Should the schedule take the freed lease first (a moment's window), the
staff cycle's answer lists other payments or says "Nothing to pay" and the claim's payment is the schedule's: the
answer is checked against the claim's own payment either way.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.browser.claim_form import CLAIM_PAGE, charge, claim_number, fill_header, fill_line, line, outcome
from tests.browser.member_search import LIAM_GAP, PLAN_TODAY, us
from tests.browser.portal import DEMO_GROUP, PLANADMIN, error_summary, expect_logged_in, log_in, log_out

TAX_ID = "310000001"
BUSY_TRIES = 20


def open_section(page: Page, item: str) -> None:
    page.get_by_role("navigation", name="Portal sections").get_by_role("link", name=item).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(item if item != "Submit a Claim" else
                                                              "Submit a Professional Claim")


def start_a_cycle(page: Page) -> None:
    """Start a payment cycle; while another runs (the schedule's), the page says so and the same form tries again."""
    page.locator("#start-cycle").get_by_role("button").click()
    for _ in range(BUSY_TRIES):
        busy = page.locator("#cycle-busy")
        expect(page.locator("#cycle-result").or_(busy)).to_be_visible()
        if not busy.is_visible():
            return
        page.wait_for_timeout(500)
        page.locator("#start-cycle").get_by_role("button").click()
    raise AssertionError(f"a payment cycle was still running after {BUSY_TRIES} tries")


def cycle_payments(page: Page) -> dict[str, str]:
    """The answer's payments: payment number -> Tax ID."""
    rows = page.locator("#cycle-payments-caption").locator("xpath=..").locator("tbody tr")
    return {row.locator("td").nth(0).inner_text().split()[0]: row.locator("td").nth(1).inner_text()
            for row in rows.all()}


def wait_until_paid(page: Page) -> None:
    """The staff cycle has ended when its page answers, so the claim is paid by it or by the schedule before it."""
    for _ in range(20):
        if page.locator("#claim-status").inner_text() == "Paid":
            return
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#claim-status")).to_have_text("Paid")


def test_a_claim_approved_then_paid_by_a_cycle_plan_staff_start_with_its_eop_and_835(page, check_page, stack):
    day = us(PLAN_TODAY - timedelta(days=2))
    with stack.lease_held("payment-cycle", seconds=120):  # the schedule's cycle skips meanwhile
        page.goto("/login")
        log_in(page, *DEMO_GROUP)
        expect_logged_in(page, DEMO_GROUP[0])
        open_section(page, "Submit a Claim")
        fill_header(page, "10000000001", "100000000001", "E11.9")
        fill_line(page, 0, day, "99213", "A", charge(125))
        page.get_by_role("button", name="Submit the claim").click()
        expect(page).to_have_url(CLAIM_PAGE)
        number = claim_number(page)
        expect(page.locator("#outcome")).to_contain_text(outcome(75))  # 99213, Medicaid: $75
        expect(page.locator("#claim-status")).to_have_text("Approved, to be paid")  # no cycle ran since
        check_page(page, "claim-approved")
        log_out(page)

        log_in(page, *PLANADMIN)
        expect_logged_in(page, PLANADMIN[0])
        open_section(page, "Payment Cycles")
        waiting = page.locator("#waiting-caption").locator("xpath=..").locator("tbody tr").filter(has_text=TAX_ID)
        expect(waiting.locator("td").nth(1)).to_have_text(re.compile(r"^[1-9][\d,]*$"))  # the claim waits
        check_page(page, "payment-cycles")
        page.get_by_role("button", name="Start a payment cycle").click()
        busy = page.locator("#cycle-busy")
        expect(busy).to_contain_text("Another payment cycle is running")  # the lease this test holds
        expect(busy).to_contain_text("Nothing was paid by this request")
        check_page(page, "cycle-busy")
    start_a_cycle(page)  # the same form, so the same cycle: now it runs
    result = page.locator("#cycle-result")
    expect(result).to_contain_text(re.compile(r"\d+ payments? made|Nothing to pay"))
    made = cycle_payments(page)
    check_page(page, "cycle-result")
    if made:
        assert all(re.fullmatch(r"P\d{13}", payment_id) for payment_id in made), made
    log_out(page)

    log_in(page, *DEMO_GROUP)
    page.goto(f"/claims-center/claims/{number}")
    wait_until_paid(page)
    expect(page.locator("#outcome")).to_contain_text("Paid $75.00 in payment")
    link = page.locator("#claim-payment").get_by_role("link")
    payment_id = link.inner_text().split(":")[0].strip()
    if payment_id in made:  # the staff cycle paid it; otherwise the schedule's did, before the staff one started
        assert made[payment_id] == TAX_ID
    check_page(page, "claim-paid")

    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Explanation of Payment {payment_id}")
    expect(page.locator("#payment-facts")).to_contain_text(TAX_ID)
    section = page.locator(f"#claim-{number}")
    expect(section).to_contain_text("Ava Thompson (10000000001)")
    expect(section.locator(f"#lines-{number} tbody tr")).to_have_count(1)
    expect(section.locator(f"#lines-{number}")).to_contain_text("99213")
    expect(section.locator(f"#lines-{number}")).to_contain_text("$75.00")
    expect(page.locator("#eop-totals")).to_contain_text(re.compile(r"Paid\s*\$[\d,]+\.\d\d"))
    check_page(page, "eop")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the 835").click()
    assert download.value.suggested_filename == f"{payment_id}.835"
    remittance = download.value.path().read_text()
    clp = [segment.strip() for segment in remittance.split("~") if segment.strip().startswith("CLP*")]
    assert any(segment.split("*")[7] == number and segment.split("*")[2] == "1" for segment in clp), clp
    assert f"TRN*1*{payment_id[1:]}" in remittance


def test_a_claim_on_a_date_in_liam_carters_coverage_gap_is_refused_beside_that_lines_date(page, check_page):
    covered = us(PLAN_TODAY - timedelta(days=5))
    page.goto("/login")
    log_in(page, *DEMO_GROUP)
    expect_logged_in(page, DEMO_GROUP[0])
    open_section(page, "Submit a Claim")
    fill_header(page, "10000000002", "100000000002", "J06.9")  # Liam Carter: Medicaid ID 700000000002
    fill_line(page, 0, covered, "99213", "A", charge(125))
    fill_line(page, 1, us(LIAM_GAP), "99214", "A", charge(175))
    page.get_by_role("button", name="Submit the claim").click()

    expect(error_summary(page)).to_be_visible()
    gap_error = page.locator("[id='serviceLines.1.serviceDate-error']")
    expect(gap_error).to_contain_text(f"Line 2 date of service the member is not eligible on {LIAM_GAP.isoformat()}")
    expect(page.locator("[id='serviceLines.0.serviceDate-error']")).to_have_count(0)
    expect(error_summary(page).get_by_role("link")).to_have_count(1)
    expect(line(page, 1).get_by_label("Date of service", exact=True)).to_have_value(us(LIAM_GAP))
    expect(line(page, 1).get_by_label("Procedure code", exact=True)).to_have_value("99214")
    expect(line(page, 0).get_by_label("Date of service", exact=True)).to_have_value(covered)
    expect(page.get_by_label("Member ID", exact=True)).to_have_value("10000000002")
    expect(page.get_by_label("Diagnosis A", exact=True)).to_have_value("J06.9")
    check_page(page, "coverage-gap-refused")
    assert not CLAIM_PAGE.search(page.url)  # no claim was made
