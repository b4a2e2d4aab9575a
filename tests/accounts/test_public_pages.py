"""The landing and login pages: structure, wording, security headers, the login's refusals."""

from __future__ import annotations

import re

PAGES = ["/", "/login", "/activate?token=abc", "/reset-password?token=abc", "/forgot-password", "/register"]


def labels_tied_to_inputs(soup):
    for control in soup.select("input:not([type=hidden]), select, textarea"):
        label = soup.find("label", attrs={"for": control.get("id")})
        assert label is not None, f"no label for {control}"
        assert label.get_text(strip=True), f"no visible label text for {control}"


def test_every_public_page_has_one_h1_the_landmarks_and_labelled_inputs(browser):
    for path in PAGES:
        answer = browser.get(path)
        assert answer.status == 200, path
        soup = answer.html
        assert len(soup.find_all("h1")) == 1, path
        for landmark in ("header", "nav", "main", "footer"):
            assert soup.find(landmark) is not None, (path, landmark)
        skip = soup.find("a", class_="usa-skipnav")
        assert skip["href"] == "#main-content"
        assert soup.find(id="main-content").name == "main"
        labels_tied_to_inputs(soup)
        assert "official government website" not in answer.text.lower()
        assert "Heartland Health Plan Provider Portal" in soup.find("header").get_text(" ", strip=True)


def test_html_responses_carry_the_security_headers_and_no_inline_script(browser):
    for path in PAGES:
        answer = browser.get(path)
        csp = answer.header("Content-Security-Policy")
        script_src = re.search(r"script-src ([^;]+)", csp).group(1)
        assert "'unsafe-inline'" not in script_src
        assert "frame-ancestors 'none'" in csp
        assert answer.header("X-Content-Type-Options") == "nosniff"
        assert answer.header("Referrer-Policy") == "same-origin"
        assert answer.header("Cache-Control") == "no-store"
        scripts = answer.html.find_all("script")
        assert scripts, path
        assert all(script.get("src", "").startswith("/assets/") and not script.string for script in scripts), path


def test_landing_shows_the_five_state_portals_the_offer_and_the_login_form(browser):
    soup = browser.get("/").html
    states = [a.get_text(strip=True) for a in soup.find("nav", attrs={"aria-label": "State portals"}).find_all("a")]
    assert states == ["OHIO", "INDIANA", "KENTUCKY", "WEST VIRGINIA", "GEORGIA"]
    text = soup.get_text(" ", strip=True)
    for offer in ("Member & Eligibility Search", "Claims Search, EOP & Submissions",
                  "Prior Authorization Search & Submissions", "PCP Roster & Clinical Practice Registry"):
        assert offer in text
    form = soup.find("form", attrs={"action": "/login"})
    assert form["method"] == "post"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]
    links = {a.get_text(strip=True): a["href"] for a in soup.find_all("a")}
    assert links["Forgot password?"] == "/forgot-password"
    assert links["Register for an account"] == "/register"
    assert "CareSource" not in text


def test_each_state_shows_its_own_messages_newest_first(browser):
    ohio = browser.get("/").html
    assert ohio.find(id="messages-heading").get_text(strip=True) == "Messages for Ohio"
    indiana = browser.get("/?state=indiana").html
    assert indiana.find(id="messages-heading").get_text(strip=True) == "Messages for Indiana"
    titles = [h.get_text(strip=True) for h in indiana.select(".portal-messages h3")]
    assert "You're Invited!" in titles
    assert "Medicaid Pregnancy Risk Assessment Form" not in titles
    dates = [t["datetime"] for t in indiana.select(".portal-messages time")]
    assert dates == sorted(dates, reverse=True)
    assert len(dates) >= 3
    shown = indiana.select(".portal-messages time")[0].get_text(strip=True)
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", shown)
    assert "Heartland Health Plan" in indiana.find(class_="portal-messages").get_text()


def test_a_wrong_password_shows_the_summary_linking_to_the_field_and_the_field_message(browser, demo_users):
    answer = browser.login("demo.group", "not-the-password")
    assert answer.status == 401
    soup = answer.html
    summary = soup.find(id="error-summary")
    link = summary.find("a")
    assert link["href"] == "#password"
    assert "incorrect" in link.get_text()
    field = soup.find(id="password")
    assert "password-error" in field["aria-describedby"].split()
    assert field["aria-invalid"] == "true"
    assert "incorrect" in soup.find(id="password-error").get_text()
    assert soup.find(id="username")["value"] == "demo.group"
    assert field.get("value") is None
    assert "not-the-password" not in answer.text
    assert not any(name.endswith("portal_session") for name in browser.cookies)


def test_empty_fields_are_named_each(browser):
    soup = browser.login("", "").html
    hrefs = [a["href"] for a in soup.find(id="error-summary").find_all("a")]
    assert hrefs == ["#username", "#password"]
    assert soup.find(id="username-error").get_text(strip=True) == "Enter your username"


def test_a_locked_account_offers_the_reset_or_the_24_hour_wait(browser, demo_users):
    for _ in range(5):
        browser.login("demo.jdoe", "wrong-Password-1!")
    answer = browser.login("demo.jdoe", "wrong-Password-1!")
    assert answer.status == 423
    alert = answer.html.find(class_="usa-alert--error")
    text = alert.get_text(" ", strip=True)
    assert "locked" in text
    assert "24 hours" in text
    assert alert.find("a", href="/forgot-password") is not None


def test_not_yet_activated_offers_to_resend_the_activation_email(browser, api, pump):
    from tests.support.moto import registration, sent_emails

    body = registration()
    assert api.post("/auth/register", body).status_code == 201
    pump.drain_queues()
    before = len(sent_emails())
    answer = browser.login(body["username"], body["password"])
    assert answer.status == 403
    form = answer.html.find("form", attrs={"action": "/login/resend-activation"})
    assert form.find("button").get_text(strip=True) == "Resend the activation email"
    assert form.find("input", attrs={"name": "username"})["value"] == body["username"]
    sent = browser.post("/login/resend-activation", {
        "csrf_token": form.find("input", attrs={"name": "csrf_token"})["value"], "username": body["username"]})
    assert sent.status == 303
    assert sent.location == "/login?reason=activation-sent"
    pump.drain_queues()
    assert [e["subject"] for e in sent_emails()[before:]] == ["Activate Your Provider Portal Account"]
    assert "new activation email" in browser.get(sent.location).html.find(class_="usa-alert").get_text()


def test_the_activation_link_opens_a_real_form_and_a_bad_token_says_so(browser):
    soup = browser.get("/activate?token=abc").html
    form = soup.find("form", attrs={"action": "/activate"})
    assert form["method"] == "post"
    assert form.find("input", attrs={"name": "token"})["value"] == "abc"
    refused = browser.submit("/activate", {"token": "abc"}, form_page="/activate?token=abc")
    assert refused.status == 400
    assert "not valid" in refused.html.find(class_="usa-alert--error").get_text()


def test_activation_from_the_email_then_login(browser, api, pump):
    from tests.support.moto import registration, sent_emails, token_from

    body = registration()
    api.post("/auth/register", body)
    pump.drain_queues()
    token = token_from([e for e in sent_emails() if e["to"] == [body["email"]]][-1])
    done = browser.submit("/activate", {"token": token}, form_page=f"/activate?token={token}")
    assert done.status == 303
    assert done.location == "/email-verification"
    assert browser.login(body["username"], body["password"]).location == "/home"


def test_reset_password_form_checks_the_confirmation_and_shows_the_services_rules(browser, demo_users, api, pump):
    from tests.support.moto import sent_emails, token_from

    api.post("/auth/forgot-password", {"username": "demo.jdoe"})
    pump.drain_queues()
    token = token_from([e for e in sent_emails() if "Password" in e["subject"]][-1])
    page = f"/reset-password?token={token}"
    mismatch = browser.submit("/reset-password", {"token": token, "password": "Abc", "confirmPassword": "x"},
                              form_page=page)
    assert mismatch.status == 400
    assert mismatch.html.find(id="confirmPassword-error")
    weak = browser.submit("/reset-password", {"token": token, "password": "short", "confirmPassword": "short"},
                          form_page=page)
    assert weak.status == 400
    assert weak.html.find(id="error-summary").find("a")["href"] == "#password"
    assert weak.html.find(id="password-error").get_text(strip=True).startswith("New password must")
    done = browser.submit("/reset-password", {"token": token, "password": "Fresh-Walrus-Lamp-9",
                                              "confirmPassword": "Fresh-Walrus-Lamp-9"}, form_page=page)
    assert done.location == "/login?reason=password-reset"
    assert browser.login("demo.jdoe", "Fresh-Walrus-Lamp-9").status == 303


def test_forgot_password_sends_the_reset_email_and_says_the_same_for_anyone(browser, demo_users, pump):
    from tests.support.moto import sent_emails

    empty = browser.submit("/forgot-password", {"username": ""})
    assert empty.status == 400
    assert empty.html.find(id="error-summary").find("a")["href"] == "#username"
    known = browser.submit("/forgot-password", {"username": "demo.jdoe"})
    unknown = browser.submit("/forgot-password", {"username": "nobody.here"})
    assert known.location == unknown.location == "/login?reason=reset-sent"
    pump.drain_queues()
    assert [e["subject"] for e in sent_emails()] == ["Heartland Health Plan Provider Portal Password"]


def test_the_links_of_the_login_form_open_pages(browser):
    for path in ("/forgot-password", "/register"):
        answer = browser.get(path)
        assert answer.status == 200
        assert len(answer.html.find_all("h1")) == 1
