"""Account journeys through the browser: activation from the email, lockout and reset from the email."""

import re

from playwright.sync_api import expect

from tests.browser.portal import (
    ACTIVATION_SUBJECT,
    PASSWORD,
    RESET_SUBJECT,
    activate_over_api,
    error_summary,
    expect_alert,
    expect_logged_in,
    expect_notice,
    log_in,
    new_identity,
    register_over_api,
    username_field,
)


def test_a_new_office_activates_from_the_email_and_logs_in(page, stack, check_page):
    """Registration goes through the JSON API as setup only (the /register form comes with the next screens);
    from the activation email on, everything happens in the browser."""
    username, email = new_identity("browser.office")
    register_over_api(stack, username, email)

    page.goto("/login")
    log_in(page, username, PASSWORD)
    expect_alert(page, "Your account is not active yet")
    check_page(page, "not-activated")

    page.goto(stack.wait_for_link(email, ACTIVATION_SUBJECT, "/activate"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Activate Your Account")
    check_page(page, "activate")
    page.get_by_role("button", name="Activate Account").click()
    expect_notice(page, "Your account is active")
    check_page(page, "activated")

    log_in(page, username, "Wrong-Password-1!")
    expect(error_summary(page)).to_contain_text("The username or password is incorrect")
    expect(username_field(page)).to_have_value(username)
    check_page(page, "wrong-password")

    log_in(page, username, PASSWORD)
    expect_logged_in(page, username)
    check_page(page, "home")


def test_a_locked_account_is_reset_from_the_email_and_logs_in(page, stack, check_page):
    """The account is registered and activated over the JSON API as setup; the rest is the browser."""
    username, email = new_identity("browser.locked")
    activate_over_api(stack, username, email)

    page.goto("/login")
    for attempt in range(5):
        log_in(page, username, f"Nope-{attempt}-Nope!")
    expect_alert(page, "Your account is locked")
    check_page(page, "locked")

    page.get_by_role("link", name="reset your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot Password")
    page.get_by_role("button", name="Submit").click()
    expect(error_summary(page)).to_contain_text("Enter your username")
    check_page(page, "forgot-empty")
    username_field(page).fill(username)
    page.get_by_role("button", name="Submit").click()
    expect_notice(page, re.compile("an email with a reset link is on its way"))

    page.goto(stack.wait_for_link(email, RESET_SUBJECT, "/reset-password"))
    check_page(page, "reset")
    new_password = "Saffron-Meadow-19?"
    page.get_by_label("New password").fill(new_password)
    page.get_by_label("Confirm password").fill(new_password + "x")
    page.get_by_role("button", name="Reset Password").click()
    expect(error_summary(page)).to_contain_text("The two passwords do not match")
    check_page(page, "reset-mismatch")
    page.get_by_label("New password").fill(new_password)
    page.get_by_label("Confirm password").fill(new_password)
    page.get_by_role("button", name="Reset Password").click()
    expect_notice(page, "Your password is reset and your account unlocked")

    log_in(page, username, new_password)
    expect_logged_in(page, username)
