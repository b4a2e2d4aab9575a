"""What the journeys know about the portal's pages, in one place: the steps a person takes on them.

Locators go by role and label (what a screen reader announces), so markup can change under them.
When a page changes its words, change them here, not in every journey.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, expect

from tests.support import mfa
from tests.support.local_stack import LocalStack

PASSWORD = "Juniper-Harbor-81!"
DEMO_GROUP = ("demo.group", "Demo-Portal-2026!")
PLANADMIN = ("planadmin", "PlanAdmin-Local-2026!")
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


DEVICE_COOKIE = "portal_device"
"""The remembered-browser cookie on the local stack's plain http (no __Host- prefix there)."""
BROWSER_DEVICES: dict[str, str] = {}
"""username -> the last remembered-browser cookie a journey's login left: a later journey's fresh browser gets it,
so a second login of a demo user skips the code step (the code of a 30-second step is good once)."""


def remembered_browser(page: Page, username: str) -> None:
    """Give the page's browser the user's remembered-browser cookie, when one is known (the stack remembered the demo
    users at its start: the cookie holds the device token the API answers), so its login skips the code step."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    device = BROWSER_DEVICES.get(username.lower()) or mfa.device_token(username, origin)
    if device:
        page.context.add_cookies([{"name": DEVICE_COOKIE, "value": device, "url": page.url}])


def log_in(page: Page, username: str, password: str, *, remember: bool = True) -> None:
    """On a page with the login form (/ or /login): type both and select Log In, then the second factor as a
    person takes it: the code page (the code computed from the account's secret, "Remember this browser" ticked),
    or for an account without one its set-up and recovery codes. A browser remembered earlier skips the code."""
    if remember:
        remembered_browser(page, username)
    username_field(page).fill(username)
    password_field(page).fill(password)
    with page.expect_navigation():
        log_in_button(page).click()
    path = urlsplit(page.url).path
    if path == "/login/code":
        enter_code(page, username, remember=remember)
    elif path == "/mfa/enrol":
        enrol(page, username)


def code_field(page: Page) -> Locator:
    return page.get_by_label("6-digit code", exact=True)


def verify_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Verify", exact=True)


def remember_browser(page: Page) -> Locator:
    return page.locator("label", has_text="Remember this browser for 30 days")


def enter_code(page: Page, username: str, *, remember: bool = True) -> None:
    """On the code page: this step's code, or the next step's when another login has just used this one."""
    for code in mfa.codes_to_try(username, datetime.now(UTC)):
        code_field(page).fill(code)
        if remember and not page.get_by_label("Remember this browser for 30 days").is_checked():
            remember_browser(page).click()
        with page.expect_navigation():
            verify_button(page).click()
        if urlsplit(page.url).path != "/login/code":
            break
    if remember:
        kept = [c["value"] for c in page.context.cookies() if c["name"] == DEVICE_COOKIE]
        if kept:
            BROWSER_DEVICES[username.lower()] = kept[0]


def setup_key(page: Page) -> str:
    """The secret the set-up page prints for typing into an app, as an app takes it (no spaces)."""
    return page.locator("#mfa-secret").inner_text().replace(" ", "")


def enrol(page: Page, username: str) -> list[str]:
    """On the set-up page: add the printed key to "the app" (pyotp here), confirm with its code, note the recovery
    codes, continue. Returns the recovery codes."""
    mfa.SECRETS[username.lower()] = setup_key(page)
    code_field(page).fill(mfa.code_for(username, datetime.now(UTC)))
    page.get_by_role("button", name="Turn On Two-Step Verification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save Your Recovery Codes")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem").all_inner_texts()
    page.get_by_role("link", name="I saved my codes: Continue").click()
    return codes


def log_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Log out").click()


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


BLUEGRASS = {"groupName": "Bluegrass Pediatrics", "taxId": "310000003", "providerId": "300000000001",
             "zipCode": "40202"}
"""A practice with no account in the demo data (DECISIONS): its first registration goes through the out-of-band
check."""
BLUEGRASS_CONTACT = "office@bluegrass-pediatrics.example.org"
MOUNTAIN_STATE = {"groupName": "Mountain State Clinic", "taxId": "310000004", "providerId": "400000000001",
                  "zipCode": "25301"}
PRACTICE_CODE_SUBJECT = "Confirm your practice's Provider Portal administrator"
APPROVAL_SUBJECT = "A new user waits for your approval in the Heartland Health Plan Provider Portal"


def register_group_over_api(stack: LocalStack, username: str, email: str, practice: dict[str, str]) -> None:
    """Setup only: a Group registration for ``practice`` through the JSON API, activated with the emailed token."""
    response = stack.call("POST", "/auth/register", {
        "providerType": "Group", **practice, "acceptAgreement": True, "username": username, "password": PASSWORD,
        "email": email, "securityQuestion": "What city were you born in?", "securityAnswer": "Lexington"})
    assert response.status_code == 201, response.text
    token = stack.wait_for_email(email, ACTIVATION_SUBJECT).token()
    assert stack.call("POST", "/auth/activate", {"token": token}).status_code == 200


def register_group_in_browser(page: Page, username: str, email: str, practice: dict[str, str]) -> None:
    """The registration form for a Group, filled and sent as a person does (the Check Your Email page follows)."""
    page.goto("/register")
    page.locator("label", has_text="Group").first.click()  # USWDS draws the radio on its label
    page.get_by_label("Group name (Group)").fill(practice["groupName"])
    page.get_by_label("Tax ID", exact=True).fill(practice["taxId"])
    page.get_by_label("Provider ID", exact=True).fill(practice["providerId"])
    page.get_by_label("ZIP code", exact=True).fill(practice["zipCode"])
    username_field(page).fill(username)
    page.get_by_label("Email", exact=True).fill(email)
    password_field(page).fill(PASSWORD)
    page.get_by_label("Confirm password", exact=True).fill(PASSWORD)
    page.get_by_label("Security question").select_option("What city were you born in?")
    page.get_by_label("Security answer", exact=True).fill("Lexington")
    page.locator("label", has_text="I have read and accept the Provider Agreement").click()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check Your Email")


def practice_code(stack: LocalStack, contact: str, count: int = 1) -> str:
    """The one-time code in the email to the practice's address on record, as whoever reads that mailbox sees it."""
    code = stack.wait_for_email(contact, PRACTICE_CODE_SUBJECT, count=count).code()
    assert code, f"no code in the email to {contact}"
    return code


def approve_over_api(stack: LocalStack, username: str, permissions: list[str]) -> None:
    """Setup only: demo.group, the Provider Administrator of 310000001, approves a registration waiting there."""
    approved = stack.call("POST", f"/users/{username}/approve", {"permissions": permissions},
                          token=stack.login(*DEMO_GROUP))
    assert approved.status_code == 200, approved.text


def expect_waiting_notice(page: Page, heading: str) -> None:
    """What a registered account still waits for (its practice's confirmation, its administrator's approval): the
    notice home and every page with data show instead of the data."""
    expect(page.get_by_role("status").get_by_role("heading", name=heading)).to_be_visible()


def choose_permissions(page: Page, legend: str, wanted: set[str]) -> None:
    """Check exactly the permissions named (their words) in the fieldset ``legend``; USWDS draws each box on its label,
    so the label is what a person clicks."""
    for label in page.get_by_role("group", name=legend).locator("label.usa-checkbox__label").all():
        box = page.locator(f"#{label.get_attribute('for')}")
        if box.is_checked() != (label.inner_text().strip() in wanted):
            label.click()
