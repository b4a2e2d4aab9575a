import pytest

from chalicelib.accounts.store import AccountModel, account_key
from tests.support.moto import email_links, login, registration, sent_emails, token_from


def test_registration_sends_activation_email_then_verification_after_activation(api, pump):
    response = api.post("/auth/register", registration())
    assert response.status_code == 201
    assert response.data == {"status": "PENDING_ACTIVATION"}
    assert sent_emails() == []  # nothing is sent inside the request: it goes through the outbox queue

    assert pump.drain_queues() == 1
    [activation] = sent_emails()
    assert activation["subject"] == "Activate Your Provider Portal Account"
    assert activation["to"] == ["jdoe.office@example.org"]
    assert activation["source"].startswith("webmaster <")
    token = token_from(activation)
    assert token
    assert "https://portal.test/activate?token=" in activation["body"]

    assert api.post("/auth/login", {"username": "jdoe.office", "password": "Lantern-Orchid-42!"}).status_code == 403

    activated = api.post("/auth/activate", {"token": token})
    assert activated.status_code == 200
    assert activated.data == {"status": "ACTIVE"}
    pump.drain_queues()
    verification = sent_emails()[-1]
    assert verification["subject"] == "Email Verification"
    assert verification["to"] == ["jdoe.office@example.org"]

    again = api.post("/auth/activate", {"token": token})
    assert again.status_code == 400
    assert again.data["code"] == "INVALID_TOKEN"
    assert login(api, "jdoe.office", "Lantern-Orchid-42!")


def test_password_and_security_answer_are_stored_as_argon2_hashes(api):
    assert api.post("/auth/register", registration()).status_code == 201
    account = AccountModel.get(account_key("jdoe.office"))
    assert account.password_hash.startswith("$argon2id$")
    assert account.security_answer_hash.startswith("$argon2id$")
    assert "Lantern" not in account.password_hash
    assert "muncie" not in account.security_answer_hash.lower()


def test_group_registration_acts_for_every_provider_under_the_tax_id(api, active_user):
    body = active_user(providerType="Group", firstName=None, lastName=None, groupName="Default Provider",
                       providerId="999999999999", zipCode="46240", username="dp.admin", email="dp.admin@example.org")
    token = login(api, body["username"], body["password"])
    me = api.get("/me", token=token)
    assert me.status_code == 200
    assert me.data["providerType"] == "Group"
    assert [p["providerId"] for p in me.data["providers"]] == ["100000000001", "100000000002", "999999999999"]
    assert {p["name"] for p in me.data["providers"]} == {"Jane Doe", "Robert Smith", "Default Provider"}
    assert all(p["state"] == "Indiana" for p in me.data["providers"])


def test_practitioner_acts_for_its_own_provider_only(api, active_user):
    body = active_user()
    me = api.get("/me", token=login(api, body["username"], body["password"]))
    assert [p["providerId"] for p in me.data["providers"]] == ["100000000001"]
    assert me.data["username"] == "jdoe.office"
    assert me.data["email"] == "jdoe.office@example.org"


@pytest.mark.parametrize(
    "changes",
    [
        {"firstName": "Janet"},
        {"taxId": "310000002"},
        {"providerId": "100000000009"},
        {"zipCode": "46240"},
        {"providerType": "Group", "groupName": "Jane Doe"},
    ],
)
def test_no_exact_directory_match_is_provider_not_found_with_help_lines(api, changes):
    response = api.post("/auth/register", registration(**changes))
    assert response.status_code == 404
    assert response.data["code"] == "PROVIDER_NOT_FOUND"
    assert "1-855-202-1058" in response.data["message"]
    assert "1-833-230-2030" in response.data["message"]
    assert response.data["fields"] == {}  # which value differed is not said


def test_a_taken_username_is_a_conflict_naming_the_username(api):
    assert api.post("/auth/register", registration()).status_code == 201
    for username in ("jdoe.office", "JDoe.Office"):
        same_username = api.post("/auth/register", registration(username=username, email="other@example.org"))
        assert same_username.status_code == 409
        assert same_username.data["code"] == "ALREADY_REGISTERED"
        assert same_username.data["fields"] == {"username": "already has an account"}


def test_a_registered_email_answers_like_a_new_registration_and_tells_its_owner(api, pump):
    new = api.post("/auth/register", registration())
    pump.drain_queues()
    again = api.post("/auth/register", registration(username="other.user", email="JDOE.office@example.org"))
    assert (again.status_code, again.data) == (new.status_code, new.data) == (201, {"status": "PENDING_ACTIVATION"})
    with pytest.raises(AccountModel.DoesNotExist):
        AccountModel.get(account_key("other.user"))
    pump.drain_queues()
    _activation, notice = sent_emails()
    assert notice["to"] == ["jdoe.office@example.org"]
    assert notice["subject"] == "You are already registered for the Heartland Health Plan Provider Portal"
    assert "you are already registered. Go to the Provider Login page and log in." in notice["body"]
    assert {"https://portal.test/login", "https://portal.test/forgot-password"} <= email_links(notice)
    assert token_from(notice) == ""


def test_several_staff_of_one_office_may_register_for_the_same_provider(api):
    assert api.post("/auth/register", registration()).status_code == 201
    second = api.post("/auth/register", registration(username="frontdesk2", email="frontdesk2@example.org"))
    assert second.status_code == 201


def test_password_policy_names_each_unmet_rule(api):
    response = api.post("/auth/register", registration(password="short"))
    assert response.status_code == 400
    message = response.data["fields"]["password"]
    for rule in ("at least 12 characters", "uppercase letter", "digit", "non-alphanumeric"):
        assert rule in message
    assert api.post("/auth/register", registration(password="Aa1!Aa1!Aa1!")).data["fields"]["password"].startswith(
        "is too easy to guess")
    with_username = api.post("/auth/register", registration(password="Jdoe.Office-2026!x"))
    assert "must not contain the username" in with_username.data["fields"]["password"]


@pytest.mark.parametrize(("password", "words"), [
    ("Welcome2024!!", "is a known breached password"),
    ("Heartland2026!", "is too easy to guess"),  # the plan's own name and a year
    ("JaneDoe2031!", "is too easy to guess"),  # the practitioner's names
])
def test_a_breached_or_guessable_password_is_refused_naming_the_password(api, password, words):
    response = api.post("/auth/register", registration(password=password))
    assert response.status_code == 400
    assert response.data["code"] == "VALIDATION_ERROR"
    assert set(response.data["fields"]) == {"password"}
    assert response.data["fields"]["password"].startswith(words)


def test_agreement_question_and_answer_are_checked_with_the_password_together(api):
    response = api.post("/auth/register", registration(acceptAgreement=False, securityQuestion="Favourite colour?",
                                                       securityAnswer="x", password="weak"))
    assert response.status_code == 400
    assert set(response.data["fields"]) == {"acceptAgreement", "securityQuestion", "securityAnswer", "password"}


def test_nothing_is_written_when_registration_fails(api, pump):
    api.post("/auth/register", registration(acceptAgreement=False))
    api.post("/auth/register", registration(zipCode="99999"))
    with pytest.raises(AccountModel.DoesNotExist):
        AccountModel.get(account_key("jdoe.office"))
    assert pump.drain_queues() == 0
    assert sent_emails() == []


def test_resend_activation_sends_a_new_working_link_and_answers_the_same_for_anyone(api, pump):
    assert api.post("/auth/register", registration()).status_code == 201
    unknown = api.post("/auth/resend-activation", {"username": "nobody.here"})
    known = api.post("/auth/resend-activation", {"username": "jdoe.office"})
    assert unknown.status_code == known.status_code == 202
    assert unknown.data == known.data
    pump.drain_queues()
    first, second = sent_emails()
    assert token_from(first) != token_from(second)
    assert api.post("/auth/activate", {"token": token_from(second)}).status_code == 200


def test_security_questions_are_listed(api):
    response = api.get("/auth/security-questions")
    assert response.status_code == 200
    assert response.data["count"] == len(response.data["items"]) >= 5
    assert registration()["securityQuestion"] in response.data["items"]
