"""An account unused for 90 days: the stack's daily job deactivates it and emails its owner, whose login says what to
do; the owner resets the password from the emailed link and logs in again."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.portal import (
    PASSWORD,
    RESET_SUBJECT,
    activate_over_api,
    expect_alert,
    expect_logged_in,
    expect_notice,
    log_in,
    new_identity,
    username_field,
)

DEACTIVATED_SUBJECT = "Your Heartland Health Plan Provider Portal account is deactivated"


def test_an_unused_account_is_deactivated_then_reset_from_the_email_and_logs_in(page, stack, check_page):
    """Setup over the JSON API and the stack's table (the account's last activity 91 days back); the rest is the
    browser. Never a demo user."""
    username, email = new_identity("browser.idle")
    activate_over_api(stack, username, email)
    stack.unused_since(username, days=91)
    forgot_link = stack.wait_for_link(email, DEACTIVATED_SUBJECT, "/forgot-password", timeout=30)

    page.goto("/login")
    log_in(page, username, PASSWORD)
    expect_alert(page, "Your account is deactivated")
    expect(page.get_by_role("alert")).to_contain_text("not used for 90 days")
    check_page(page, "deactivated-unused")

    page.goto(forgot_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot Password")
    username_field(page).fill(username)
    page.get_by_role("button", name="Submit").click()
    expect_notice(page, re.compile("an email with a reset link is on its way"))

    page.goto(stack.wait_for_link(email, RESET_SUBJECT, "/reset-password"))
    new_password = "Cobalt-Lantern-Ridge-62"
    page.get_by_label("New password").fill(new_password)
    page.get_by_label("Confirm password", exact=True).fill(new_password)
    page.get_by_role("button", name="Reset Password").click()
    expect_notice(page, re.compile("Your password is reset"))

    log_in(page, username, new_password)
    expect_logged_in(page, username)
