"""Keyboard only (Tab, Enter, typing; no mouse): the journeys UI.md names."""

from playwright.sync_api import expect

from tests.browser.portal import (
    DEMO_GROUP,
    error_summary,
    expect_logged_in,
    log_in_button,
    password_field,
    username_field,
)


def test_log_in_with_the_keyboard_only(page, keyboard):
    username, password = DEMO_GROUP
    page.goto("/login")
    keyboard.press(page.get_by_role("link", name="Skip to main content"))
    keyboard.type_into(username_field(page), username)
    keyboard.type_into(password_field(page), password)
    keyboard.press(log_in_button(page))
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
