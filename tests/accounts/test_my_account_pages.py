"""Update My Account's pages, rendered through the app: the account at a glance, the email form and the page its link
opens, the password and security question forms with their refusals (values kept, never a password), active sessions
and the sign-in history."""

from __future__ import annotations

from chalicelib.accounts.store import AccountModel, account_key
from tests.accounts.test_my_account import CONFIRM_SUBJECT, NEW_EMAIL, NEW_PASSWORD, PASSWORD, emails_to
from tests.support.moto import token_from
from tests.support.pages import Browser


def logged_in_as(client, username: str, password: str, agent: str = "Page Test Browser") -> Browser:
    """A browser called ``agent`` logged in as the user, through the second factor (its set-up at the first login)."""
    browser = Browser(client, user_agent=agent)
    answer = browser.login(username, password)
    assert answer.status == 303, answer.text
    return browser


def alert_text(answer) -> str:
    return " ".join(alert.get_text(" ", strip=True) for alert in answer.html.select(".usa-alert"))


def error_of(answer, field: str) -> str:
    found = answer.html.select_one(f"#{field}-error")
    assert found is not None, f"no error for {field}"
    return found.get_text(" ", strip=True)


def test_every_logged_in_user_finds_update_my_account_in_the_nav(client, logged_in, demo_users):
    for username in ("demo.group", "planadmin"):
        browser = logged_in(username)
        home = browser.get("/home")
        links = {a.get_text(strip=True): a["href"] for a in home.html.select("nav[aria-label='Portal sections'] a")}
        assert links["Update My Account"] == "/my-account", username
        page = browser.get("/my-account")
        assert page.html.h1.get_text(strip=True) == "Update My Account"
        facts = page.html.select_one("#account-facts").get_text(" ", strip=True)
        assert f"Username {username}" in facts
        assert "argon2" not in page.text
        browser.cookies.clear()


def test_the_email_form_keeps_the_address_names_the_field_and_never_echoes_the_password(client, active_user, pump):
    body = active_user()
    browser = logged_in_as(client, body["username"], PASSWORD)
    form = browser.get("/my-account/email")
    assert form.html.h1.get_text(strip=True) == "Change Your Email Address"
    bad = browser.submit("/my-account/email", {"email": "not-an-address", "currentPassword": PASSWORD})
    assert bad.status == 400
    assert error_of(bad, "email").endswith("New email address has the wrong format")
    assert bad.html.select_one("#email")["value"] == "not-an-address"
    assert PASSWORD not in bad.text
    assert [a["href"] for a in bad.html.select("#error-summary a")] == ["#email"]
    wrong = browser.submit("/my-account/email", {"email": NEW_EMAIL, "currentPassword": "Wrong-Password-1!"})
    assert wrong.status == 400
    assert error_of(wrong, "currentPassword").endswith("Current password does not match your account's password")
    assert wrong.html.select_one("#email")["value"] == NEW_EMAIL
    assert "Wrong-Password-1!" not in wrong.text
    assert AccountModel.get(account_key("jdoe.office")).pending_email is None

    sent = browser.submit("/my-account/email", {"email": NEW_EMAIL, "currentPassword": PASSWORD})
    assert (sent.status, sent.location) == (303, "/my-account?done=email-sent")
    overview = browser.get(sent.location)
    assert "A link to confirm your new email address is on its way" in alert_text(overview)
    assert f"Waiting for confirmation: {NEW_EMAIL}" in overview.html.select_one("#pending-email").get_text()


def test_the_link_opens_after_login_and_confirms_with_a_button(client, active_user, pump):
    body = active_user()
    browser = logged_in_as(client, body["username"], PASSWORD)
    browser.submit("/my-account/email", {"email": NEW_EMAIL, "currentPassword": PASSWORD})
    pump.drain_queues()
    token = token_from(emails_to(NEW_EMAIL, CONFIRM_SUBJECT)[-1])
    path = f"/my-account/email/verify?token={token}"

    stranger = Browser(client)
    away = stranger.get(path)
    assert (away.status, away.location.split("?")[0]) == (303, "/login")
    assert stranger.login(body["username"], PASSWORD, next_path=path).location == path
    page = stranger.get(path)
    assert page.html.h1.get_text(strip=True) == "Confirm Your New Email Address"
    assert NEW_EMAIL in page.html.select_one("main").get_text()
    assert AccountModel.get(account_key("jdoe.office")).email == "jdoe.office@example.org"  # opening changes nothing
    done = stranger.submit("/my-account/email/verify", {"token": token}, form_page=path)
    assert done.location == "/my-account?done=email-changed"
    after = stranger.get(done.location)
    assert "Your email address is changed" in alert_text(after)
    assert f"Email address {NEW_EMAIL}" in after.html.select_one("#account-facts").get_text(" ", strip=True)

    used = stranger.get(path)  # an old email's link opens a page that says so
    assert used.status == 200
    assert "This link does not work" in alert_text(used)
    assert "Confirm email address" not in used.html.select_one("main").get_text()  # no button for a dead link
    again = stranger.submit("/my-account/email/verify", {"token": token}, form_page="/my-account")
    assert again.status == 400
    assert "This link does not work" in alert_text(again)


def test_the_password_form_refusals_and_the_other_browser_logged_off(client, active_user, clock):
    body = active_user()
    other = logged_in_as(client, body["username"], PASSWORD, agent="Other Browser")
    clock.advance(minutes=1)
    browser = logged_in_as(client, body["username"], PASSWORD)
    clock.advance(minutes=1)
    form = browser.get("/my-account/password")
    assert form.html.select_one("#password-rules")["data-password-rules"] == "newPassword"
    mismatch = browser.submit("/my-account/password", {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD,
                                                       "confirmPassword": NEW_PASSWORD + "x"})
    assert mismatch.status == 400
    assert error_of(mismatch, "confirmPassword").endswith("The two new passwords do not match")
    weak = browser.submit("/my-account/password", {"currentPassword": PASSWORD, "newPassword": "Welcome2024!!",
                                                   "confirmPassword": "Welcome2024!!"})
    assert weak.status == 400
    assert "is a known breached password" in error_of(weak, "newPassword")
    for answer in (mismatch, weak):
        assert all(not box.get("value") for box in answer.html.select("input[type=password]"))

    done = browser.submit("/my-account/password", {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD,
                                                   "confirmPassword": NEW_PASSWORD})
    assert done.location == "/my-account?done=password"
    assert "Every other session of your account ended" in alert_text(browser.get(done.location))
    ended = other.get("/my-account")
    assert ended.status == 303
    assert ended.location.startswith("/login?reason=ended")


def test_the_security_question_form_keeps_the_question_never_the_answer(client, active_user):
    body = active_user()
    browser = logged_in_as(client, body["username"], PASSWORD)
    form = browser.get("/my-account/security-question")
    assert form.html.select_one("#securityQuestion option[selected]")["value"] == "What city were you born in?"
    short = browser.submit("/my-account/security-question", {
        "securityQuestion": "What was the make of your first car?", "securityAnswer": "ab",
        "currentPassword": PASSWORD})
    assert short.status == 400
    assert error_of(short, "securityAnswer").endswith("Security answer must be at least 3 characters")
    assert short.html.select_one("#securityQuestion option[selected]")["value"] == \
        "What was the make of your first car?"
    assert "value=\"ab\"" not in short.text
    done = browser.submit("/my-account/security-question", {
        "securityQuestion": "What was the make of your first car?", "securityAnswer": "Studebaker",
        "currentPassword": PASSWORD})
    assert done.location == "/my-account?done=security-question"
    assert "What was the make of your first car?" in browser.get(done.location).html.select_one(
        "#account-facts").get_text()


def test_sessions_page_lists_both_browsers_and_ends_the_other(client, active_user, clock):
    body = active_user()
    other = logged_in_as(client, body["username"], PASSWORD, agent="Phone Browser 1.0")
    clock.advance(minutes=1)
    browser = logged_in_as(client, body["username"], PASSWORD, agent="Desk Browser 2.0")
    page = browser.get("/my-account/sessions")
    rows = page.html.select("#sessions tbody tr")
    assert len(rows) == 2
    assert {"This session", "Desk Browser 2.0"} <= set(cell.get_text(strip=True) for cell in rows[0].select("td"))
    assert {"Phone Browser 1.0", "127.0.0.1"} <= set(cell.get_text(strip=True) for cell in rows[1].select("td"))
    assert browser.cookies["__Host-portal_session"] not in page.text
    action = rows[1].select_one("form")["action"]
    done = browser.submit(action, {}, form_page="/my-account/sessions")
    assert done.location == "/my-account/sessions?done=session-ended"
    after = browser.get(done.location)
    assert "The session is ended" in alert_text(after)
    assert len(after.html.select("#sessions tbody tr")) == 1
    assert "No other session of your account is open" in after.text
    assert other.get("/home").location.startswith("/login?reason=ended")


def test_end_every_other_session_from_the_page(client, active_user):
    body = active_user()
    others = [logged_in_as(client, body["username"], PASSWORD, agent=f"Browser {n}") for n in range(2)]
    browser = logged_in_as(client, body["username"], PASSWORD)
    done = browser.submit("/my-account/sessions/end-others", {}, form_page="/my-account/sessions")
    assert done.location == "/my-account/sessions?done=others-ended"
    assert all(other.get("/home").status == 303 for other in others)
    assert browser.get("/home").status == 200


def test_sign_in_history_shows_the_failed_attempt_and_the_sign_in(client, active_user, clock):
    body = active_user()
    Browser(client).login(body["username"], "Wrong-Password-1!")
    clock.advance(minutes=1)
    browser = logged_in_as(client, body["username"], PASSWORD, agent="Desk Browser 2.0")
    page = browser.get("/my-account/sign-ins")
    assert page.html.h1.get_text(strip=True) == "Sign-in History"
    table = page.html.find(id="sign-ins-caption").find_parent("table")
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in table.select("tbody tr")]
    assert [row[1] for row in rows] == ["Signed in", "Wrong password"]
    assert rows[0][3:] == ["127.0.0.1", "Desk Browser 2.0"]
    assert rows[0][0] == "11/23/2031 12:01 PM EST"
    bad = browser.get("/my-account/sign-ins?trail=***")
    assert bad.status == 200
    assert "That page link is not valid" in bad.text
