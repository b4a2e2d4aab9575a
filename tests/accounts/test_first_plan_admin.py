"""The first plan administrator of a deployed stage, by command: created with a set-password email, never twice."""

from __future__ import annotations

from chalicelib.accounts.store import AccountModel, account_key
from chalicelib.handlers.accounts.first_plan_admin import main
from chalicelib.platform.permissions import STAFF_PERMISSIONS
from tests.support.moto import sent_emails, token_from

PASSWORD = "Quartz-Meadow-Lantern-62"


def test_the_command_creates_the_first_administrator_who_sets_a_password_from_the_email(api, pump, capsys):
    assert main(["--username", "ops.lead", "--email", "ops.lead@plan.example.org"]) == 0
    assert "ops.lead created" in capsys.readouterr().out
    account = AccountModel.get(account_key("ops.lead"))
    assert (account.role, account.status) == ("PLAN_STAFF", "ACTIVE")
    assert set(account.staff_permissions) == {p.value for p in STAFF_PERMISSIONS}
    pump.drain_queues()
    [email] = sent_emails()
    assert email["to"] == ["ops.lead@plan.example.org"]
    reset = api.post("/auth/reset-password", {"token": token_from(email), "password": PASSWORD})
    assert reset.status_code == 200, reset.data
    login = api.post("/auth/login", {"username": "ops.lead", "password": PASSWORD})
    assert login.status_code == 200, login.data


def test_a_second_first_administrator_is_refused_and_nothing_is_written(api, pump, capsys):
    assert main(["--username", "ops.lead", "--email", "ops.lead@plan.example.org"]) == 0
    assert main(["--username", "ops.other", "--email", "ops.other@plan.example.org"]) == 1
    assert "has its first plan administrator already" in capsys.readouterr().err
    assert AccountModel.count(account_key("ops.other")) == 0


def test_the_local_demo_planadmin_counts_as_the_first(demo_users, capsys):
    assert main(["--username", "ops.lead", "--email", "ops.lead@plan.example.org"]) == 1
    assert AccountModel.count(account_key("ops.lead")) == 0


def test_a_bad_username_or_a_taken_address_is_refused_naming_the_field(api, pump, capsys):
    assert main(["--username", "x y", "--email", "ops@plan.example.org"]) == 2
    assert "username" in capsys.readouterr().err
    api.post("/auth/register", {
        "providerType": "Group", "groupName": "Default Provider", "taxId": "310000001", "providerId": "999999999999",
        "zipCode": "46204", "acceptAgreement": True, "username": "frontdesk", "password": PASSWORD,
        "email": "taken@example.org", "securityQuestion": "What city were you born in?", "securityAnswer": "Gary"})
    assert main(["--username", "ops.lead", "--email", "taken@example.org"]) == 2
    assert "email" in capsys.readouterr().err
    assert AccountModel.count(account_key("ops.lead")) == 0
