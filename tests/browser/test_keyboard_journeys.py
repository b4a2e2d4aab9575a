"""Keyboard only (Tab, Enter, typing; no mouse): the journeys UI.md names."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.portal import (
    DEMO_GROUP,
    code_field,
    error_summary,
    expect_logged_in,
    log_in_button,
    password_field,
    username_field,
    verify_button,
)
from tests.support.mfa import codes_to_try


def test_log_in_with_the_keyboard_only(page, keyboard):
    username, password = DEMO_GROUP
    page.goto("/login")
    keyboard.press(page.get_by_role("link", name="Skip to main content"))
    keyboard.type_into(username_field(page), username)
    keyboard.type_into(password_field(page), password)
    keyboard.press(log_in_button(page))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter Your Code")
    for code in codes_to_try(username, datetime.now(UTC)):  # the next step's when this one was just used
        keyboard.type_into(code_field(page), code)
        with page.expect_navigation():
            keyboard.press(verify_button(page))
        if urlsplit(page.url).path != "/login/code":
            break
    expect_logged_in(page, username)


def test_the_keyboard_reaches_the_error_summary_after_a_wrong_password(page, keyboard):
    username, _ = DEMO_GROUP
    page.goto("/login")
    keyboard.type_into(username_field(page), username)
    keyboard.type_into(password_field(page), "Not-The-Password-1!")
    keyboard.press(log_in_button(page))
    summary = error_summary(page)
    expect(summary).to_contain_text("The username or password is incorrect")
    keyboard.press(summary.get_by_role("link"))
    expect(password_field(page)).to_be_focused()
