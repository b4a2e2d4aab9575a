"""Two-step verification in the browser: a new account is sent to the set-up at its first login, reads the QR page,
enrols with a code from the key the page prints, sees its recovery codes; logs in with a code and "Remember this
browser", then without a code; a wrong code is shown in place; a recovery code works once."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.portal import (
    PASSWORD,
    activate_over_api,
    code_field,
    error_summary,
    expect_logged_in,
    log_in_button,
    new_identity,
    password_field,
    remember_browser,
    setup_key,
    username_field,
    verify_button,
)


class AuthenticatorApp:
    """The person's phone: the code of the current step, never one it already showed for a login (a code of a
    step is good once, so a second use waits for the next step, as a person waits for the next code)."""

    def __init__(self, key: str) -> None:
        self.totp = pyotp.TOTP(key)
        self.last_step: int | None = None

    def code(self) -> str:
        while self.last_step is not None and int(time.time()) // 30 <= self.last_step - 1:
            time.sleep(1)
        step = max(int(time.time()) // 30, (self.last_step or 0) + 1)  # the next step's code: the window takes it
        self.last_step = step
        return self.totp.generate_otp(step)

    @staticmethod
    def wrong_code(right: str) -> str:
        return f"{(int(right) + 500_000) % 1_000_000:06d}"


def submit_password(page: Page, username: str) -> None:
    page.goto("/login")
    username_field(page).fill(username)
    password_field(page).fill(PASSWORD)
    log_in_button(page).click()


def log_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Provider Login")


def test_a_new_account_sets_up_two_step_verification_and_logs_in_with_it(page, stack, check_page):
    username, email = new_identity("browser.mfa")
    activate_over_api(stack, username, email)

    submit_password(page, username)
    expect(page).to_have_url(re.compile(r"/mfa/enrol\b"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set Up Two-Step Verification")
    expect(page.get_by_role("img", name=re.compile("^QR code to add"))).to_be_visible()
    check_page(page, "set-up")
    page.goto("/home")  # nothing else opens before the set-up
    expect(page).to_have_url(re.compile(r"/mfa/enrol\?next=%2Fhome$"))

    app = AuthenticatorApp(setup_key(page))  # typed into the app, as a person without a camera would
    code_field(page).fill(app.wrong_code(app.totp.now()))
    page.get_by_role("button", name="Turn On Two-Step Verification").click()
    expect(page.locator("#code-error")).to_contain_text("The code does not match")
    expect(error_summary(page)).to_be_visible()
    check_page(page, "set-up-wrong-code")
    code_field(page).fill(app.code())
    page.get_by_role("button", name="Turn On Two-Step Verification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save Your Recovery Codes")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem").all_inner_texts()
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}", code) for code in codes)
    check_page(page, "recovery-codes")
    page.get_by_role("link", name="I saved my codes: Continue").click()
    expect_logged_in(page, username)
    log_out(page)

    submit_password(page, username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter Your Code")
    check_page(page, "code")
    code = app.code()
    code_field(page).fill(app.wrong_code(code))
    verify_button(page).click()
    expect(page.locator("#code-error")).to_contain_text("The code is not right")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter Your Code")  # in place, not back to the start
    check_page(page, "code-wrong")
    code_field(page).fill(code)
    remember_browser(page).click()
    verify_button(page).click()
    expect_logged_in(page, username)
    log_out(page)

    submit_password(page, username)  # the remembered browser: no code step
    expect_logged_in(page, username)
    log_out(page)

    page.context.clear_cookies()  # another browser: the code step again, this time with a recovery code
    submit_password(page, username)
    page.get_by_role("link", name="Use a recovery code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a Recovery Code")
    check_page(page, "recovery")
    page.get_by_label("Recovery code").fill(codes[0].lower())
    verify_button(page).click()
    expect_logged_in(page, username)
    page.goto("/mfa")
    expect(page.get_by_text("Recovery codes left: 9 of 10")).to_be_visible()
    check_page(page, "settings")
    log_out(page)

    submit_password(page, username)
    page.get_by_role("link", name="Use a recovery code").click()
    page.get_by_label("Recovery code").fill(codes[0])
    verify_button(page).click()
    expect(page.locator("#code-error")).to_contain_text("The recovery code is not right, or it was already used")
    check_page(page, "recovery-used")
