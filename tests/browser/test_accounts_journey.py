"""Account journeys through the browser: registration to a consent form on file, lockout and reset."""

import re

from playwright.sync_api import expect

from tests.browser.member_search import (
    AVA_COVERED,
    LIAM_GAP,
    check_eligibility,
    expect_answer,
    upload_a_sterilization_form,
)
from tests.browser.portal import (
    ACTIVATION_SUBJECT,
    PASSWORD,
    RESET_SUBJECT,
    activate_over_api,
    approve_over_api,
    error_summary,
    expect_alert,
    expect_logged_in,
    expect_notice,
    expect_waiting_notice,
    log_in,
    new_identity,
    password_field,
    username_field,
)


def test_a_new_group_office_registers_activates_checks_eligibility_and_sends_a_consent_form(page, stack, check_page,
                                                                                          tmp_path):
    """Everything in the browser: the registration form (live password rules), the activation email's link, the
    Email Verification page, login (waiting for the Tax ID's administrator, who approves it: setup over the API),
    Ava Thompson eligible and Liam Carter in his gap, a sterilization form on file."""
    username, email = new_identity("browser.office")
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Register for an account").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register for an Account")
    page.locator("label", has_text="Group").first.click()  # USWDS draws the radio on its label
    page.get_by_label("Group name (Group)").fill("Default Provider")
    page.get_by_label("Tax ID", exact=True).fill("310000001")
    page.get_by_label("Provider ID", exact=True).fill("999999999999")
    page.get_by_label("ZIP code", exact=True).fill("46204")
    username_field(page).fill(username)
    page.get_by_label("Email", exact=True).fill(email)

    rules = page.locator("#password-rules")
    password_field(page).fill("juniper")
    for met in ("lowercase", "not-username", "not-email"):
        expect(rules.locator(f"[data-rule={met}]")).to_have_class(re.compile("usa-checklist__item--checked"))
        expect(rules.locator(f"[data-rule={met}] [data-rule-state]")).to_have_text(" (done)")
    for unmet in ("length", "uppercase", "digit", "symbol", "match"):
        expect(rules.locator(f"[data-rule={unmet}]")).not_to_have_class(re.compile("--checked"))
        expect(rules.locator(f"[data-rule={unmet}] [data-rule-state]")).to_have_text(" (not yet)")
    expect(page.locator("#password-rules-status")).to_have_text("Password: 3 of 8 rules met.")
    password_field(page).fill(f"Juniper-{username}")
    expect(rules.locator("[data-rule=not-username]")).not_to_have_class(re.compile("--checked"))
    check_page(page, "register-password-rules")
    password_field(page).fill(PASSWORD)
    page.get_by_label("Confirm password", exact=True).fill(PASSWORD)
    expect(rules.locator(".usa-checklist__item--checked")).to_have_count(rules.locator("[data-rule]").count())

    page.get_by_role("button", name="Register").click()  # no question, no answer, no agreement
    expect(error_summary(page)).to_be_visible()
    expect(page.locator("#acceptAgreement-error")).to_contain_text("Provider Agreement")
    expect(username_field(page)).to_have_value(username)
    check_page(page, "register-refused")
    password_field(page).fill(PASSWORD)
    page.get_by_label("Confirm password", exact=True).fill(PASSWORD)
    page.get_by_label("Security question").select_option("What city were you born in?")
    page.get_by_label("Security answer", exact=True).fill("Carmel")
    page.locator("label", has_text="I have read and accept the Provider Agreement").click()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check Your Email")
    check_page(page, "check-your-email")

    page.goto("/login")
    log_in(page, username, PASSWORD)
    expect_alert(page, "Your account is not active yet")
    check_page(page, "not-activated")

    page.goto(stack.wait_for_link(email, ACTIVATION_SUBJECT, "/activate"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Activate Your Account")
    check_page(page, "activate")
    page.get_by_role("button", name="Activate Account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email Verification")
    check_page(page, "email-verification")
    assert stack.wait_for_email(email, "Email Verification").links
    page.get_by_role("main").get_by_role("link", name="Log In", exact=True).click()

    log_in(page, username, "Wrong-Password-1!")
    expect(error_summary(page)).to_contain_text("The username or password is incorrect")
    expect(username_field(page)).to_have_value(username)
    check_page(page, "wrong-password")
    log_in(page, username, PASSWORD)
    expect_logged_in(page, username)
    expect_waiting_notice(page, "Waiting for your administrator's approval")  # 310000001 has one: demo.group
    check_page(page, "home-waiting")
    approve_over_api(stack, username, ["ELIGIBILITY", "MEMBER_DOCUMENTS"])
    page.reload()
    check_page(page, "home")

    page.get_by_role("link", name="Check Member Eligibility").click()
    check_eligibility(page, "700000000002", LIAM_GAP)  # Liam Carter by Medicaid ID, a date in his gap
    expect_answer(page, "Liam Carter", "Not eligible")
    check_eligibility(page, "10000000001", AVA_COVERED)
    expect_answer(page, "Ava Thompson", "Eligible")
    upload_a_sterilization_form(page, check_page, tmp_path)


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
    page.get_by_label("Confirm password", exact=True).fill(new_password + "x")
    page.get_by_role("button", name="Reset Password").click()
    expect(error_summary(page)).to_contain_text("The two passwords do not match")
    check_page(page, "reset-mismatch")
    page.get_by_label("New password").fill(new_password)
    page.get_by_label("Confirm password", exact=True).fill(new_password)
    page.get_by_role("button", name="Reset Password").click()
    expect_notice(page, "Your password is reset and your account unlocked")

    log_in(page, username, new_password)
    expect_logged_in(page, username)
