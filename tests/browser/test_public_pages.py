"""Every page a visitor can open without logging in: accessible, fits a phone, screenshots for review."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.portal import expect_notice, log_in_button, password_field, username_field

PUBLIC_PAGES = [
    ("/", "landing"),
    ("/login", "login"),
    ("/forgot-password", "forgot-password"),
    ("/register", "register"),
    ("/activate", "activate-without-token"),
    ("/reset-password", "reset-without-token"),
]


def test_landing_page_offers_the_login_form(page, check_page):
    response = page.goto("/")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("Provider Portal")
    expect(username_field(page)).to_be_editable()
    expect(password_field(page)).to_have_attribute("type", "password")
    expect(log_in_button(page)).to_be_enabled()
    check_page(page, "landing")


@pytest.mark.parametrize(("path", "label"), PUBLIC_PAGES[1:])
def test_public_page(page, check_page, path, label):
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, (path, response.status)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    check_page(page, label)


def test_a_page_behind_the_login_sends_a_visitor_to_log_in_first(page, check_page):
    page.goto("/home")
    expect(page).to_have_url(re.compile(r"/login\?.*reason=required"))
    expect_notice(page, "Log in to continue.")
    expect(username_field(page)).to_be_editable()
    check_page(page, "login-required")
