"""Update My Account in the browser: a front desk changes its password (its other browser and its API token stop at
once), its security question, its email address through the link the local inbox shows (opened in the other browser:
login first, then the confirmation), sees its other session and ends it, and reads its sign-in history.

The account is registered, activated and approved over the JSON API as setup; everything else is a person's steps.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.harness import DESKTOP, WINDOW_HEIGHT
from tests.browser.portal import (
    PASSWORD,
    activate_over_api,
    approve_over_api,
    error_summary,
    expect_alert,
    expect_logged_in,
    log_in,
    new_identity,
)
from tests.support.local_stack import LocalStack

NEW_PASSWORD = "Quartz-Meadow-Fern-77"
CONFIRM_SUBJECT = "Confirm your new email address for the Heartland Health Plan Provider Portal"
REQUESTED_SUBJECT = "A new email address was asked for your Heartland Health Plan Provider Portal account"
PASSWORD_SUBJECT = "Your Heartland Health Plan Provider Portal password was changed"
CODE_STEP_SECONDS = 30


@pytest.fixture
def other_page(browser: Browser, stack: LocalStack) -> Iterator[Page]:
    """The same person's other browser (its own cookies: another session of the account)."""
    context = browser.new_context(base_url=stack.api_url, user_agent="Other Browser/1.0",
                                  viewport={"width": DESKTOP, "height": WINDOW_HEIGHT[DESKTOP]})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def wait_for_a_fresh_code(last_step: int) -> None:
    """A code of a 30-second step is good once per account, and a login may have taken the next step's: from the
    step after ``last_step`` on, the authenticator's code (or the next one) is one no login used yet."""
    while int(time.time()) // CODE_STEP_SECONDS <= last_step:
        time.sleep(1)


def heading(page: Page) -> object:
    return expect(page.get_by_role("heading", level=1))


def open_my_account(page: Page) -> None:
    page.get_by_role("navigation", name="Portal sections").get_by_role("link", name="Update My Account").click()
    heading(page).to_have_text("Update My Account")


def notice(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def test_a_front_desk_changes_password_security_question_and_email_ends_a_session_and_reads_its_sign_ins(
        page, other_page, stack, check_page):
    username, email = new_identity("my.account")
    activate_over_api(stack, username, email)
    approve_over_api(stack, username, ["ELIGIBILITY"])
    api_token = stack.login(username, PASSWORD)
    other_page.goto("/login")
    log_in(other_page, username, PASSWORD)
    expect_logged_in(other_page, username)

    page.goto("/login")
    log_in(page, username, "Not-The-Password-1!")  # a failed attempt the history will show
    expect(error_summary(page)).to_be_visible()
    log_in(page, username, PASSWORD)
    expect_logged_in(page, username)
    last_code_step = int(time.time()) // CODE_STEP_SECONDS  # its code (or the next step's) is spent now
    open_my_account(page)
    facts = page.locator("#account-facts")
    expect(facts).to_contain_text(email)
    check_page(page, "my-account")

    # Password: the current one is checked, then every other session ends
    page.get_by_role("link", name="Change your password").click()
    heading(page).to_have_text("Change Your Password")
    page.get_by_label("Current password", exact=True).fill("Not-The-Password-2!")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(error_summary(page)).to_contain_text("Current password does not match your account's password")
    expect(page.get_by_label("New password", exact=True)).to_have_value("")  # passwords are never sent back
    check_page(page, "password-wrong-current")
    page.get_by_label("Current password", exact=True).fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    notice(page, "Every other session of your account ended")
    check_page(page, "password-changed")
    assert stack.call("GET", "/me", token=api_token).status_code == 401  # the API token ended too
    other_page.reload()
    expect(other_page).to_have_url(re.compile(r"/login\?reason=ended"))
    assert stack.wait_for_email(email, PASSWORD_SUBJECT).links

    # Security question: a refusal keeps the question, then the change
    page.get_by_role("link", name="Change your security question and answer").click()
    heading(page).to_have_text("Change Your Security Question")
    page.get_by_label("Security question").select_option("What was the make of your first car?")
    page.get_by_label("Security answer", exact=True).fill("ab")
    page.get_by_label("Current password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change security question").click()
    expect(error_summary(page)).to_contain_text("Security answer must be at least 3 characters")
    expect(page.get_by_label("Security question")).to_have_value("What was the make of your first car?")
    check_page(page, "security-question-refused")
    page.get_by_label("Security answer", exact=True).fill("Studebaker")
    page.get_by_label("Current password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change security question").click()
    notice(page, "Your security question and answer are changed")
    expect(facts).to_contain_text("What was the make of your first car?")

    # Email: a link to the new address, a notice to the old one; it changes when the link is opened
    new_email = f"{username}.moved@example.org"
    page.get_by_role("link", name="Change your email address").click()
    heading(page).to_have_text("Change Your Email Address")
    check_page(page, "email-form")
    page.get_by_label("New email address", exact=True).fill("not-an-address")
    page.get_by_label("Current password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Send the link").click()
    expect(error_summary(page)).to_contain_text("New email address has the wrong format")
    expect(page.get_by_label("New email address", exact=True)).to_have_value("not-an-address")
    check_page(page, "email-refused")
    page.get_by_label("New email address", exact=True).fill(new_email)
    page.get_by_label("Current password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Send the link").click()
    notice(page, "A link to confirm your new email address is on its way there")
    expect(page.locator("#pending-email")).to_contain_text(new_email)
    expect(facts).to_contain_text(email)  # not changed yet
    assert not stack.wait_for_email(email, REQUESTED_SUBJECT).links  # the old address: a notice, no link
    link = stack.wait_for_link(new_email, CONFIRM_SUBJECT, "/my-account/email/verify")

    other_page.goto(link)  # the other browser, logged out: login first, then back to the link
    expect(other_page).to_have_url(re.compile(r"/login\?"))
    wait_for_a_fresh_code(last_code_step)  # the new password forgot the remembered browser: a code is asked
    log_in(other_page, username, NEW_PASSWORD)
    heading(other_page).to_have_text("Confirm Your New Email Address")
    expect(other_page.get_by_role("main")).to_contain_text(new_email)
    check_page(other_page, "confirm-email")
    other_page.get_by_role("button", name="Confirm email address").click()
    notice(other_page, "Your email address is changed")
    expect(other_page.locator("#account-facts")).to_contain_text(new_email)
    other_page.goto(link)  # a link works once
    expect_alert(other_page, "This link does not work")
    check_page(other_page, "confirm-email-used-link")

    # Sessions: this one and the other browser's; end the other
    page.goto("/my-account")
    expect(facts).to_contain_text(new_email)
    page.get_by_role("link", name="Active sessions").click()
    heading(page).to_have_text("Active Sessions")
    rows = page.locator("#sessions tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#this-session")).to_contain_text("This session")
    other_row = rows.filter(has_text="Other Browser/1.0")
    expect(other_row).to_have_count(1)
    check_page(page, "sessions")
    other_row.get_by_role("button", name=re.compile("End this session")).click()
    notice(page, "The session is ended")
    expect(rows).to_have_count(1)
    other_page.reload()
    expect(other_page).to_have_url(re.compile(r"/login\?reason=ended"))

    # Sign-in history: the failed attempt, the wrong current password, the sign-ins
    page.goto("/my-account")
    page.get_by_role("link", name="Sign-in history").click()
    heading(page).to_have_text("Sign-in History")
    history = page.locator("#sign-ins-caption").locator("xpath=..")
    expect(history.locator("tbody tr").first).to_contain_text("Signed in")  # the other browser's, last
    expect(history).to_contain_text("Wrong password")
    expect(history).to_contain_text("Wrong current password on Update My Account")
    expect(history).to_contain_text("Other Browser/1.0")
    check_page(page, "sign-ins")
