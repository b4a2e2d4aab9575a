"""Two-step verification's pages through the page client: the login's code step (a wrong code in place, a recovery
code, remember this browser), the set-up right after a first login, the recovery codes and the settings page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pyotp

from local.demo_data import DEMO_TOTP_SECRETS, DEMO_USER_PASSWORD
from tests.support.pages import hidden_fields

DEVICE_COOKIE = "__Host-portal_device"
CHALLENGE_COOKIE = "__Host-portal_mfa_challenge"


def demo_code(clock, username="demo.group"):
    return pyotp.TOTP(DEMO_TOTP_SECRETS[username]).at(clock.now)


def to_code_page(browser, username="demo.group", next_path=""):
    answer = browser.submit("/login", {"username": username, "password": DEMO_USER_PASSWORD,
                                       **({"next": next_path} if next_path else {})})
    assert answer.status == 303
    assert answer.location.startswith("/login/code"), answer.location
    return answer


def test_the_password_leads_to_the_code_page_with_the_challenge_in_a_short_lived_httponly_cookie(browser, demo_users):
    answer = to_code_page(browser, next_path="/claims-center/claims")
    assert answer.location == "/login/code?next=%2Fclaims-center%2Fclaims"
    cookie = next(c for c in answer.set_cookies() if c.startswith(CHALLENGE_COOKIE + "="))
    assert {"HttpOnly", "SameSite=Lax", "Secure", "Max-Age=300"} <= {part.strip() for part in cookie.split(";")}
    assert not any(c.startswith("__Host-portal_session=") for c in answer.set_cookies())
    page = browser.get(answer.location).html
    assert page.find("h1").get_text(strip=True) == "Enter Your Code"
    assert page.find("input", {"name": "code"})["autocomplete"] == "one-time-code"
    assert page.find("label", {"for": "rememberBrowser-1"}).get_text(" ", strip=True).startswith(
        "Remember this browser for 30 days")
    recovery_link = page.find("a", string="Use a recovery code")["href"]
    assert recovery_link == "/login/code?use=recovery&next=%2Fclaims-center%2Fclaims"
    assert browser.get("/home").location.startswith("/login?")  # no session yet


def test_a_wrong_code_comes_back_in_place_and_the_right_one_goes_on(browser, demo_users, clock):
    answer = to_code_page(browser, next_path="/claims-center/claims")
    fields = hidden_fields(browser.get(answer.location).html)
    wrong = browser.post("/login/code", {**fields, "code": "000000"})
    assert wrong.status == 401
    html = wrong.html
    assert html.find(id="code-error").get_text(strip=True).startswith("The code is not right")
    assert html.find("input", {"name": "code"})["aria-invalid"] == "true"
    assert html.find(id="error-summary").find("a")["href"] == "#code"
    right = browser.post("/login/code", {**hidden_fields(html), "code": demo_code(clock)})
    assert (right.status, right.location) == (303, "/claims-center/claims")
    assert browser.get("/home").status == 200
    assert any(c.startswith(CHALLENGE_COOKIE + "=;") and "Max-Age=0" in c for c in right.set_cookies())


def test_remember_this_browser_skips_the_code_at_the_next_login_for_30_days(browser, demo_users, clock):
    answer = to_code_page(browser)
    remembered = browser.post("/login/code", {**hidden_fields(browser.get(answer.location).html),
                                              "code": demo_code(clock), "rememberBrowser": "yes"})
    cookie = next(c for c in remembered.set_cookies() if c.startswith(DEVICE_COOKIE + "="))
    assert {"HttpOnly", "SameSite=Lax", "Secure", "Path=/", f"Max-Age={30 * 24 * 3600}"} <= {
        part.strip() for part in cookie.split(";")}
    browser.submit("/logout", {}, form_page="/home")
    assert DEVICE_COOKIE in browser.cookies  # logging out keeps the browser remembered
    again = browser.submit("/login", {"username": "demo.group", "password": DEMO_USER_PASSWORD})
    assert (again.status, again.location) == (303, "/home")
    browser.submit("/logout", {}, form_page="/home")
    other = browser.submit("/login", {"username": "demo.jdoe", "password": DEMO_USER_PASSWORD})
    assert other.location.startswith("/login/code")  # remembered for demo.group only


def test_a_recovery_code_page_takes_a_recovery_code(browser, active_user, clock):
    body = active_user()
    enrolled = browser.login(body["username"], body["password"])
    assert enrolled.location == "/home"
    browser.submit("/logout", {}, form_page="/home")
    from tests.support.mfa import SECRETS

    assert body["username"] in SECRETS
    answer = browser.submit("/login", {"username": body["username"], "password": body["password"]})
    assert answer.location == "/login/code"
    page = browser.get("/login/code?use=recovery").html
    assert page.find("h1").get_text(strip=True) == "Enter a Recovery Code"
    assert page.find("label", {"for": "code"}).get_text(strip=True) == "Recovery code"
    wrong = browser.post("/login/code", {**hidden_fields(page), "code": "ABCD-EFGH-JKLM-NPQR"})
    assert wrong.status == 401
    assert "recovery code is not right" in wrong.html.find(id="code-error").get_text()
    assert wrong.html.find("input", {"name": "use"})["value"] == "recovery"


def test_a_first_login_goes_to_the_set_up_which_shows_the_qr_code_and_the_secret(browser, api, active_user, clock,
                                                                                token_for):
    body = active_user()
    approved = api.post(f"/users/{body['username']}/approve", {"permissions": ["ELIGIBILITY"]},
                        token=token_for("demo.group"))
    assert approved.status_code == 200, approved.data  # a later registration into 310000001 waits for its approval
    answer = browser.submit("/login", {"username": body["username"], "password": body["password"],
                                       "next": "/member-search/eligibility"})
    assert answer.location == "/mfa/enrol?next=%2Fmember-search%2Feligibility"
    assert browser.get("/home").location == "/mfa/enrol?next=%2Fhome"
    page = browser.get(answer.location).html
    assert page.find("h1").get_text(strip=True) == "Set Up Two-Step Verification"
    assert page.find("svg", {"role": "img"}).find("title").get_text().startswith("QR code")
    assert page.find("nav", {"aria-label": "Portal sections"}) is None  # nothing else to go to yet
    secret = page.find(id="mfa-secret").get_text().replace(" ", "")
    assert len(secret) == 32
    again = browser.get(answer.location).html
    assert again.find(id="mfa-secret").get_text().replace(" ", "") == secret  # shown again, the same
    wrong = browser.post("/mfa/enrol", {**hidden_fields(page), "code": "12345"})
    assert wrong.status == 400
    assert wrong.html.find(id="code-error").get_text(strip=True).startswith("The code does not match")
    assert wrong.html.find(id="mfa-secret").get_text().replace(" ", "") == secret
    done = browser.post("/mfa/enrol", {**hidden_fields(page), "code": pyotp.TOTP(secret).at(clock.now)})
    assert done.status == 200
    codes = [item.get_text(strip=True) for item in done.html.find(id="recovery-codes").find_all("li")]
    assert len(set(codes)) == 10
    assert done.html.find(id="mfa-continue")["href"] == "/member-search/eligibility"
    assert browser.get("/member-search/eligibility").status == 200
    assert browser.get("/mfa/enrol").location == "/mfa"


def test_the_settings_page_shows_the_codes_left_and_makes_new_ones_with_the_password(logged_in):
    browser = logged_in("demo.group")
    page = browser.get("/mfa").html
    assert page.find("h1").get_text(strip=True) == "Two-Step Verification"
    assert "Recovery codes left: 0 of 10" in page.get_text(" ", strip=True)
    assert page.find("a", string="Two-Step Verification")["href"] == "/mfa"  # in the navigation
    wrong = browser.submit("/mfa/recovery-codes", {"password": "Not-It-123!"}, form_page="/mfa")
    assert wrong.status == 400
    assert wrong.html.find(id="password-error").get_text(strip=True) == (
        "Password does not match your account's password")
    made = browser.submit("/mfa/recovery-codes", {"password": DEMO_USER_PASSWORD}, form_page="/mfa")
    assert made.status == 200
    assert len(made.html.find(id="recovery-codes").find_all("li")) == 10
    assert "Recovery codes left: 10 of 10" in browser.get("/mfa").html.get_text(" ", strip=True)


def test_an_expired_login_goes_back_to_the_login_page_saying_so(browser, demo_users, clock):
    answer = to_code_page(browser)
    fields = hidden_fields(browser.get(answer.location).html)
    clock.advance(minutes=5)
    late = browser.post("/login/code", {**fields, "code": demo_code(clock)})
    assert late.status == 303
    assert parse_qs(urlsplit(late.location).query)["reason"] == ["code-expired"]
    notice = browser.get(late.location).html.find(role="status").get_text(" ", strip=True)
    assert "That login expired" in notice
    browser.cookies.pop(CHALLENGE_COOKIE, None)
    assert browser.get("/login/code").location.startswith("/login?reason=code-expired")
