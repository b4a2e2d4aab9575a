"""What the journeys know about the portal's pages, in one place: the steps a person takes on them.

Locators go by role and label (what a screen reader announces), so markup can change under them.
When a page changes its words, change them here, not in every journey.
"""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Locator, Page, expect

from tests.support.local_stack import LocalStack

PASSWORD = "Juniper-Harbor-81!"
DEMO_GROUP = ("demo.group", "Demo-Portal-2026!")
ACTIVATION_SUBJECT = "Activate Your Provider Portal Account"
RESET_SUBJECT = "Heartland Health Plan Provider Portal Password"


def new_identity(prefix: str) -> tuple[str, str]:
    """A username and email no earlier run used, so a journey also runs against a long-lived `make run` stack."""
    username = f"{prefix}.{secrets.token_hex(3)}"
    return username, f"{username}@example.org"


def register_over_api(stack: LocalStack, username: str, email: str) -> None:
    """Setup only, for journeys about something else: a Group office registers through the JSON API."""
    response = stack.call("POST", "/auth/register", {
        "providerType": "Group", "groupName": "Default Provider", "taxId": "310000001",
        "providerId": "999999999999", "zipCode": "46204", "acceptAgreement": True, "username": username,
        "password": PASSWORD, "email": email, "securityQuestion": "What city were you born in?",
        "securityAnswer": "Carmel",
    })
    assert response.status_code == 201, response.text


def activate_over_api(stack: LocalStack, username: str, email: str) -> None:
    """Setup only: register, then activate with the emailed token, without the browser."""
    register_over_api(stack, username, email)
    token = stack.wait_for_email(email, ACTIVATION_SUBJECT).token()
    assert stack.call("POST", "/auth/activate", {"token": token}).status_code == 200


def username_field(page: Page) -> Locator:
    return page.get_by_label("Username", exact=True)


def password_field(page: Page) -> Locator:
    return page.get_by_label("Password", exact=True)


def log_in_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Log In", exact=True)


def log_in(page: Page, username: str, password: str) -> None:
    """On a page with the login form (/ or /login): type both and select Log In."""
    username_field(page).fill(username)
    password_field(page).fill(password)
    log_in_button(page).click()


def expect_logged_in(page: Page, username: str) -> None:
    expect(page).to_have_url(re.compile(r"/home\b"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Provider Portal")
    expect(page.get_by_text(f"Logged in as {username}")).to_be_attached()


def expect_notice(page: Page, text: str | re.Pattern[str]) -> None:
    """The login page's status message after a redirect (?reason=...)."""
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def error_summary(page: Page) -> Locator:
    """The "There is a problem" box a refused form shows first, linking to each field in error."""
    return page.get_by_role("alert", name="There is a problem")


def expect_alert(page: Page, heading: str) -> None:
    expect(page.get_by_role("alert").get_by_role("heading", name=heading)).to_be_visible()


def fact(facts: Locator, term: str) -> Locator:
    """The value (<dd>) of one term (<dt>) in a list of facts such as a file's counts."""
    return facts.locator("dt", has_text=re.compile(f"^{re.escape(term)}$")).locator("xpath=following-sibling::dd[1]")
