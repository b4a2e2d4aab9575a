"""The idle-timeout dialog (HIPAA automatic logoff) and the error pages a person can reach, in the browser.

The dialog runs on the page's clock: Playwright's clock moves it forward, so the test waits seconds, not the
30 minutes; the session's end comes from the server (data-ends-at), and "Stay logged in" asks the server again.
"""

import re

from playwright.sync_api import expect

from tests.browser.portal import DEMO_GROUP, expect_logged_in, expect_notice, log_in


def log_in_as_the_group(page):
    page.goto("/login")
    log_in(page, *DEMO_GROUP)
    expect_logged_in(page, DEMO_GROUP[0])


def test_the_idle_warning_opens_before_the_end_and_stay_logged_in_keeps_the_session(page, check_page):
    page.clock.install()
    log_in_as_the_group(page)
    dialog = page.get_by_role("dialog", name="Your session is about to end")
    warning = dialog.get_by_role("heading", name="Your session is about to end")  # USWDS's wrapper has no box
    expect(warning).to_be_hidden()
    page.clock.fast_forward("27:00")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("01:30")  # 28.5 minutes idle: inside the two-minute warning
    expect(warning).to_be_visible()
    expect(page.locator("#idle-timeout-countdown")).to_have_text(re.compile(r"^1 minute( \d+ seconds)?$"))
    expect(page.locator("#idle-timeout")).to_have_css("opacity", "1")  # faded in: axe measures what is seen
    check_page(page, "idle-warning")
    with page.expect_response(lambda response: response.url.endswith("/session/refresh")) as refreshed:
        dialog.get_by_role("button", name="Stay logged in").click()
    assert refreshed.value.status == 200
    assert refreshed.value.json()["expiresAt"]
    expect(warning).to_be_hidden()
    page.clock.fast_forward("05:00")
    expect(warning).to_be_hidden()  # the refresh moved the end: no warning five minutes later
    page.reload()
    expect_logged_in(page, DEMO_GROUP[0])


def test_idle_to_the_end_sends_the_browser_to_log_in_again(page):
    page.clock.install()
    log_in_as_the_group(page)
    page.clock.fast_forward("30:30")
    expect(page).to_have_url(re.compile(r"/login\?"))
    expect(page.get_by_label("Username", exact=True)).to_be_editable()


def test_a_missing_page_and_a_forbidden_one_are_pages_with_a_way_on(page, check_page):
    log_in_as_the_group(page)
    response = page.goto("/member-search/documents/00000000-0000-0000-0000-000000000000")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("main").get_by_role("link", name=re.compile("home", re.IGNORECASE)).first).to_be_visible()
    check_page(page, "not-found")

    response = page.goto("/audit-trail")  # plan staff only
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    check_page(page, "forbidden")


def test_a_page_asked_for_before_login_opens_after_it(page):
    page.goto("/member-reports/membership")
    expect_notice(page, "Log in to continue.")
    log_in(page, *DEMO_GROUP)
    expect(page).to_have_url(re.compile(r"/member-reports/membership$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Membership")
