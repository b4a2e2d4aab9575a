"""PRIOR AUTHORIZATION in the browser: the requirements lookup, the search, a request's page and its letter."""

import re

from playwright.sync_api import expect

from tests.browser.member_search import PDF
from tests.browser.portal import expect_logged_in, log_in

JDOE = ("demo.jdoe", "Demo-Portal-2026!")


def test_a_nurse_looks_up_requirements_then_reads_a_request_and_its_letter(page, check_page):
    page.goto("/login")
    log_in(page, *JDOE)
    expect_logged_in(page, JDOE[0])
    sections = page.get_by_role("navigation", name="Portal sections")
    sections.get_by_role("link", name="Requirements Lookup").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prior Authorization Requirements")
    page.get_by_label("Codes", exact=True).fill("E0601, 99213, 99999")
    page.get_by_role("button", name="Check").click()
    rows = page.locator("#requirements tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="E0601")).to_contain_text("Needed")
    expect(rows.filter(has_text="99213")).to_contain_text("Not needed")
    expect(rows.filter(has_text="99999")).to_contain_text("Not on our list")
    check_page(page, "requirements")
    page.get_by_label("Codes", exact=True).fill("E06;01")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#codes-error")).to_be_visible()
    check_page(page, "requirements-refused")

    sections.get_by_role("link", name="Prior Authorization Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prior Authorization Search")
    check_page(page, "search")
    page.get_by_label("Status", exact=True).select_option("APPROVED")
    page.get_by_role("button", name="Search", exact=True).click()
    first = page.locator("#prior-auths-caption").locator("xpath=..").locator("tbody tr").first
    expect(first).to_contain_text("Approved")
    first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/prior-authorization/requests/PA[0-9A-Z]+$"))
    expect(page.locator("#decision")).to_contain_text("Approved")
    check_page(page, "request")
    page.get_by_role("link", name="Decision letter (printable)").click()
    expect(page.locator("#letter-decision")).to_contain_text("Decision: Approved")
    check_page(page, "letter")


def request_form(page, code, units, diagnosis, start, end):
    page.get_by_label("Member ID", exact=True).fill("10000000001")
    page.get_by_label("Start date", exact=True).fill(start.strftime("%m/%d/%Y"))
    page.get_by_label("End date", exact=True).fill(end.strftime("%m/%d/%Y"))
    page.get_by_label("Line 1 code", exact=True).fill(code)
    page.locator("[id='serviceLines.0.units']").fill(units)
    page.get_by_label("Diagnosis codes", exact=True).fill(diagnosis)
    page.get_by_role("button", name="Continue to the clinical questions").click()
    expect(page.locator("#clinical-questions")).to_be_visible()


def test_a_nurse_requests_a_cpap_approved_at_once_and_a_facet_ablation_pended(page, check_page):
    from datetime import timedelta

    from tests.browser.member_search import PLAN_TODAY

    start, end = PLAN_TODAY + timedelta(days=3), PLAN_TODAY + timedelta(days=60)
    page.goto("/login")
    log_in(page, *JDOE)
    expect_logged_in(page, JDOE[0])
    sections = page.get_by_role("navigation", name="Portal sections")
    sections.get_by_role("link", name="Submit a Prior Authorization").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit a Prior Authorization")
    check_page(page, "new-request")
    page.get_by_role("button", name="Continue to the clinical questions").click()  # nothing entered
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    check_page(page, "new-request-refused")

    page.get_by_role("button", name="More service lines").click()
    expect(page.get_by_label("Line 6 code", exact=True)).to_be_visible()
    request_form(page, "E0601", "3", "G47.33", start, end)
    check_page(page, "new-request-questions")
    questions = page.locator("#clinical-questions")
    for fieldset in questions.locator("fieldset").all():
        if "AHI" in fieldset.inner_text() and "5" in fieldset.inner_text() and "15" not in fieldset.inner_text():
            continue
        fieldset.locator("label", has_text="Yes").click()
    page.get_by_role("button", name="Submit the request").click()
    expect(page).to_have_url(re.compile(r"/prior-authorization/requests/PA[0-9A-Z]+$"))
    expect(page.locator("#decision")).to_contain_text("Approved")
    check_page(page, "cpap-approved")
    page.get_by_role("link", name="Decision letter (printable)").click()
    expect(page.locator("#letter-decision")).to_contain_text("Decision: Approved")

    page.goto("/prior-authorization/new")
    request_form(page, "64635", "1", "M47.816", start, start + timedelta(days=10))
    page.get_by_role("button", name="Submit the request").click()
    expect(page.locator("#decision")).to_contain_text("Pended for clinical review")
    expect(page.locator("#pend-reasons")).to_contain_text("64635")
    check_page(page, "facet-pended")


def test_planadmin_denies_a_pended_request_from_the_queue_and_the_office_appeals(page, check_page, tmp_path):
    from datetime import timedelta

    from tests.browser.member_search import PLAN_TODAY

    page.goto("/login")
    log_in(page, *JDOE)
    page.goto("/prior-authorization/new")
    start = PLAN_TODAY + timedelta(days=5)
    request_form(page, "64635", "1", "M47.816", start, start + timedelta(days=10))
    page.get_by_role("button", name="Submit the request").click()
    expect(page.locator("#decision")).to_contain_text("Pended for clinical review")
    number = page.url.rsplit("/", 1)[1]
    page.get_by_role("banner").get_by_role("button", name="Log out").click()

    log_in(page, "planadmin", "PlanAdmin-Local-2026!")
    page.get_by_role("navigation", name="Portal sections").get_by_role("link", name="Review Queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review Queue")
    check_page(page, "review-queue")
    sections = page.get_by_role("navigation", name="Portal sections")
    sections.get_by_role("link", name="Prior Authorization Metrics").click()
    expect(page.locator("figure svg[role=img]")).to_have_count(2)
    expect(page.locator("#metrics tbody tr").first).to_be_visible()  # the demo year's decisions
    check_page(page, "metrics")
    page.goto(f"/prior-authorization/requests/{number}")  # the queue is by due time: this one may be pages on
    form = page.locator("#decision-form")
    form.locator("label", has_text="Deny").click()
    form.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#denialReasonCode-error")).to_contain_text("required to deny")
    check_page(page, "decision-refused")
    form.locator("label", has_text="Deny").click()
    form.get_by_label("Denial reason").select_option("NOT_MEDICALLY_NECESSARY")
    form.get_by_label("Reason or what is needed").fill("Six months of conservative care are not documented.")
    form.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#decision")).to_contain_text("Denied")
    page.get_by_role("banner").get_by_role("button", name="Log out").click()

    log_in(page, *JDOE)
    page.goto(f"/prior-authorization/requests/{number}")
    expect(page.locator("#denial-reason")).to_have_text("Six months of conservative care are not documented.")
    check_page(page, "denied")
    appeal = page.locator("#appeal-form")
    appeal.get_by_label("Reason for the appeal").fill("Physical therapy notes from March to August show the care.")
    appeal.get_by_role("button", name="Send the appeal").click()
    expect(page.locator("#decision")).to_contain_text("Appeal received")
    expect(page.locator("#appeal-form")).to_have_count(0)

    page.get_by_role("button", name="Continue to choose the file").click()  # the PDF the appeal names
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a Clinical Document")
    check_page(page, "add-document")
    notes = tmp_path / "therapy-notes.pdf"
    notes.write_bytes(PDF)
    page.get_by_label("Clinical document file").set_input_files(notes)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/prior-authorization/requests/{number}(\?.*)?$"))  # S3 adds key, bucket
    for _ in range(40):  # the upload event is checked within a second or two
        if "received" in page.locator("#documents").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#documents")).to_contain_text("clinical-document.pdf: received")
