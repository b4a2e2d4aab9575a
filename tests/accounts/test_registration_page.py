"""Registration in the browser: the Practitioner and Group forms, the agreement, the questions, the API's words."""

from __future__ import annotations

from tests.support.moto import REGISTRATION, sent_emails, token_from


def form_values(**changes: str) -> dict[str, str]:
    values = {key: str(value) for key, value in REGISTRATION.items() if key != "acceptAgreement"}
    values.update({"confirmPassword": values["password"], "acceptAgreement": "yes", **changes})
    return {key: value for key, value in values.items() if value != ""}


def test_the_form_has_both_provider_types_the_questions_and_the_agreement(browser):
    soup = browser.get("/register").html
    assert soup.find("h1").get_text(strip=True) == "Register for an Account"
    form = soup.find("form", attrs={"action": "/register"})
    assert [radio["value"] for radio in form.select("input[name=providerType]")] == ["Practitioner", "Group"]
    questions = [option.get_text(strip=True) for option in form.select("select[name=securityQuestion] option")]
    assert "What city were you born in?" in questions
    assert form.find("input", attrs={"name": "acceptAgreement", "value": "yes"}) is not None
    assert "Provider Agreement" in soup.get_text()
    for control in form.select("input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select"):
        assert soup.find("label", attrs={"for": control["id"]}) is not None, control


def test_a_practitioner_registers_activates_and_logs_in_in_the_browser(browser, pump):
    done = browser.submit("/register", form_values())
    assert done.status == 303
    assert done.location == "/register/check-your-email"
    sent = browser.get(done.location).html
    assert sent.find("h1").get_text(strip=True) == "Check Your Email"
    assert "Activate Your Provider Portal Account" in sent.find(class_="usa-alert").get_text()
    assert "Check your spam folder." in sent.get_text()
    pump.drain_queues()
    email = [e for e in sent_emails() if e["to"] == [REGISTRATION["email"]]][-1]
    token = token_from(email)
    activated = browser.submit("/activate", {"token": token}, form_page=f"/activate?token={token}")
    assert activated.location == "/email-verification"
    verified = browser.get(activated.location).html
    assert verified.find("h1").get_text(strip=True) == "Email Verification"
    assert "account is active" in verified.find(class_="usa-alert").get_text()
    assert verified.find("a", string="Log In")["href"] == "/login"
    assert browser.login(REGISTRATION["username"], REGISTRATION["password"]).location == "/home"


def test_a_failed_form_keeps_the_values_but_never_the_secrets_and_names_each_field(browser):
    refused = browser.submit("/register", form_values(taxId="12", password="short", confirmPassword="short",
                                                      acceptAgreement=""))
    assert refused.status == 400
    soup = refused.html
    summary_links = {a["href"] for a in soup.select(".usa-error-summary a, .usa-alert--error a")}
    assert "#taxId" in summary_links
    assert soup.find("input", attrs={"name": "taxId"})["value"] == "12"
    assert soup.find("input", attrs={"name": "username"})["value"] == REGISTRATION["username"]
    assert not soup.find("input", attrs={"name": "password"}).get("value")
    assert not soup.find("input", attrs={"name": "securityAnswer"}).get("value")
    assert "Tax ID" in soup.find(id="taxId-error").get_text()


def test_a_control_character_in_a_form_field_answers_400_naming_the_field_and_registers_nothing(browser, pump):
    before = len(sent_emails())
    refused = browser.submit("/register", form_values(lastName="Doe\u202e"))
    assert refused.status == 400
    assert "The field lastName contains a control or text-direction character" in refused.html.find("main").get_text()
    pump.drain_queues()
    assert len(sent_emails()) == before


def test_details_that_match_no_provider_say_so_and_nothing_is_written(browser, pump):
    before = len(sent_emails())
    refused = browser.submit("/register", form_values(zipCode="99999"))
    assert refused.status == 404
    assert "does not exist in the Provider Portal" in refused.html.find(class_="usa-alert--error").get_text()
    pump.drain_queues()
    assert len(sent_emails()) == before


def test_the_agreement_and_matching_passwords_are_required(browser):
    unaccepted = browser.submit("/register", form_values(acceptAgreement=""))
    assert unaccepted.status == 400
    assert "Provider Agreement must be accepted" in unaccepted.html.find(id="acceptAgreement-error").get_text()
    mismatch = browser.submit("/register", form_values(confirmPassword="Another-Pass-2031!"))
    assert mismatch.status == 400
    assert "do not match" in mismatch.html.find(id="confirmPassword-error").get_text()


def test_without_a_csrf_token_nothing_is_registered(browser, pump):
    before = len(sent_emails())
    refused = browser.post("/register", form_values())
    assert refused.status == 403
    pump.drain_queues()
    assert len(sent_emails()) == before


def test_the_password_rules_on_the_page_are_the_services_rules(browser):
    from chalicelib.accounts.passwords import MIN_LENGTH, PASSWORD_RULES

    for path in ("/register", "/reset-password?token=some-token"):
        soup = browser.get(path).html
        rules = soup.find(id="password-rules")
        assert rules is not None, path
        keys = [item["data-rule"] for item in rules.select("[data-rule]")]
        expected = [key for key, _ in PASSWORD_RULES if path == "/register" or not key.startswith("not-")] + ["match"]
        assert keys == expected, path
        length = rules.find(attrs={"data-rule": "length"})
        assert (length["data-min-length"], length.get_text(strip=True)) == (str(MIN_LENGTH),
                                                                            f"At least {MIN_LENGTH} characters")
        described = soup.find("input", attrs={"name": "password"})["aria-describedby"].split()
        assert "password-rules-box" in described, path
