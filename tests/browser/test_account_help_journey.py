"""Account Help in the browser: plan support (planadmin) helps a caller whose account is locked.

The test registers and activates its own account over the JSON API and locks it with 5 wrong logins (no demo user
is locked or changed). planadmin opens Account Help from the nav, finds the account (an empty search first: the
field's error in place), checks a wrong and then the right security answer, unlocks the account (its owner is
emailed), and the account then logs in.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.portal import (
    PASSWORD,
    PLANADMIN,
    activate_over_api,
    error_summary,
    expect_logged_in,
    fact,
    log_in,
    log_out,
    new_identity,
    username_field,
)

UNLOCKED_SUBJECT = "Your Heartland Health Plan Provider Portal account was unlocked"


def sections(page: Page):
    return page.get_by_role("navigation", name="Portal sections")


def answer_field(page: Page):
    return page.get_by_label("Security answer", exact=True)


def facts(page: Page):
    return page.locator("#account-facts")


def test_support_finds_a_locked_account_verifies_the_caller_unlocks_it_and_it_logs_in(page, check_page, stack):
    username, email = new_identity("browser.help")
    activate_over_api(stack, username, email)  # its security answer: Carmel
    for attempt in range(5):
        stack.call("POST", "/auth/login", {"username": username, "password": f"Wrong-{attempt}-Guess!"})
    refused = stack.call("POST", "/auth/login", {"username": username, "password": PASSWORD})
    assert refused.status_code == 423, refused.text  # locked: even the right password

    page.goto("/login")
    log_in(page, *PLANADMIN)
    expect_logged_in(page, PLANADMIN[0])
    sections(page).get_by_role("link", name="Account Help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account Help")
    page.get_by_role("button", name="Find account").click()
    expect(error_summary(page)).to_contain_text("Enter the caller's username")
    expect(page.locator("#username-error")).to_contain_text("Enter the caller's username")
    check_page(page, "find-empty")

    username_field(page).fill(username)
    page.get_by_role("button", name="Find account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Account {username}")
    expect(page.get_by_role("region", name="The account")).to_contain_text("Locked")
    expect(fact(facts(page), "Locked")).to_contain_text("Yes, until")
    expect(fact(facts(page), "Provider and Tax ID")).to_contain_text("Tax ID 310000001")
    expect(page.get_by_role("main")).to_contain_text("Ask the caller: What city were you born in?")
    check_page(page, "locked-account")

    answer_field(page).fill("Indianapolis")
    page.get_by_role("button", name="Check the answer").click()
    expect(page.get_by_role("status").get_by_role("heading", name="The answer does not match")).to_be_visible()
    expect(answer_field(page)).to_have_value("")  # never echoed back
    expect(page.get_by_role("main")).not_to_contain_text("Indianapolis")
    check_page(page, "answer-wrong")

    answer_field(page).fill("carmel")
    page.get_by_role("button", name="Check the answer").click()
    expect(page.get_by_role("status").get_by_role("heading", name="The answer matches")).to_be_visible()
    expect(answer_field(page)).to_have_value("")
    check_page(page, "answer-right")

    page.get_by_role("button", name="Unlock the account").click()
    expect(page).to_have_url(re.compile(r"\?done=unlocked$"))
    expect(page.get_by_role("status")).to_contain_text("The account is unlocked: it can log in again")
    expect(fact(facts(page), "Locked")).to_have_text("No")
    expect(page.get_by_role("button", name="Unlock the account")).to_have_count(0)
    check_page(page, "unlocked")
    assert "unlocked by planadmin (plan support staff)" in stack.wait_for_email(email, UNLOCKED_SUBJECT).body

    log_out(page)
    page.goto("/login")
    log_in(page, username, PASSWORD)  # its first login: it sets up its second factor on the way
    expect(page).to_have_url(re.compile(r"/home\b"))
    expect(page.get_by_text(f"Logged in as {username}")).to_be_attached()
