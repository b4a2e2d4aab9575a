"""Who gets in: the first account of a Tax ID is its Provider Administrator only after its practice confirms it (the
code sent to the practice's address on record, or plan support staff); until then it holds no permission."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib import wiring
from chalicelib.accounts.store import AccountModel, account_key
from chalicelib.audit import service as trail
from chalicelib.platform.errors import InvalidConfirmationCode
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS
from chalicelib.providers.store import ProviderModel
from local.inbox import Email
from tests.support.moto import login, sent_emails

BLUEGRASS = {"providerType": "Group", "firstName": None, "lastName": None, "groupName": "Bluegrass Pediatrics",
             "taxId": "310000003", "providerId": "300000000001", "zipCode": "40202"}
PRACTICE_ADDRESS = "office@bluegrass-pediatrics.example.org"
CODE_SUBJECT = "Confirm your practice's Provider Portal administrator"


def register_first(active_user, username: str = "bg.manager") -> dict:
    return active_user(username=username, email=f"{username}@example.org", **BLUEGRASS)


def emailed_code(pump) -> str:
    pump.drain_queues()
    codes = [e for e in sent_emails() if e["subject"] == CODE_SUBJECT]
    assert codes, "no code was emailed"
    code = Email("id", "", (), CODE_SUBJECT, codes[-1]["body"]).code()  # as the local inbox reads it
    assert code, codes[-1]["body"]
    return code


def test_a_first_registration_holds_no_permission_and_sees_no_data(api, active_user, members):
    body = register_first(active_user)
    account = AccountModel.get(account_key("bg.manager"))
    assert (account.approval, account.grants.as_dict()) == (
        "CONFIRMATION_REQUIRED", {"310000003": {"permissions": [], "administrator": False}})
    token = login(api, body["username"], body["password"])
    assert api.get("/me", token=token).data["access"] == "CONFIRMATION_REQUIRED"
    for path, permission in (("/members/eligibility?memberId=10000000001&dateOfService=2031-11-01", "ELIGIBILITY"),
                             ("/claims", "CLAIMS_VIEW"), ("/payments", "PAYMENTS"),
                             ("/reports/membership", "MEMBER_REPORTS"), ("/prior-auths", "PRIOR_AUTH_VIEW")):
        refused = api.get(path, token=token)
        assert (refused.status_code, refused.data["code"], refused.data["fields"]) == (
            403, "FORBIDDEN", {"permission": permission}), path
    access = api.get("/practice-confirmation", token=token).data
    assert access == {"state": "CONFIRMATION_REQUIRED", "taxId": "310000003", "practiceName": "Bluegrass Pediatrics",
                      "contact": "o•••••@bluegrass-pediatrics.example.org", "codeExpiresAt": None,
                      "administrator": False}


def test_the_code_goes_to_the_practices_address_on_record_and_makes_the_administrator(api, active_user, pump,
                                                                                      members):
    body = register_first(active_user)
    token = login(api, body["username"], body["password"])
    sent = api.post("/practice-confirmation/code", token=token)
    assert (sent.status_code, sent.data["state"]) == (202, "CONFIRMATION_REQUIRED")
    code = emailed_code(pump)
    [email] = [e for e in sent_emails() if e["subject"] == CODE_SUBJECT]
    assert email["to"] == [PRACTICE_ADDRESS]  # never the address typed at registration
    assert "bg.manager" in email["body"]
    assert "Bluegrass Pediatrics" in email["body"]
    stored = AccountModel.get(account_key("bg.manager"))
    assert stored.practice_code_hash.startswith("$argon2id$")
    assert code not in stored.practice_code_hash

    confirmed = api.post("/practice-confirmation", {"code": code}, token=token)
    assert confirmed.status_code == 200, confirmed.data
    assert (confirmed.data["state"], confirmed.data["administrator"]) == ("APPROVED", True)
    assert wiring.current().accounts().authenticate(token).permissions == PROVIDER_PERMISSIONS  # the next request
    assert api.get("/claims", token=token).status_code == 200
    assert api.get("/me", token=token).data["access"] == "APPROVED"
    again = api.post("/practice-confirmation", {"code": code}, token=token)
    assert (again.status_code, again.data["code"]) == (409, "NOT_AWAITING_CONFIRMATION")
    [record] = [r for r in trail.by_member("ACCOUNT#bg.manager", 10, None).items if not r.action.startswith("MFA_")]
    assert (record.username, record.action) == ("bg.manager", "PRACTICE_CONFIRMED")
    assert "taxId=310000003" in record.detail


def test_a_wrong_code_counts_and_the_code_expires_with_the_clock(api, active_user, pump, clock):
    body = register_first(active_user)
    token = login(api, body["username"], body["password"])
    api.post("/practice-confirmation/code", token=token)
    code = emailed_code(pump)
    wrong = "000000" if code != "000000" else "111111"
    refused = api.post("/practice-confirmation", {"code": wrong}, token=token)
    assert (refused.status_code, refused.data["code"]) == (400, "INVALID_CONFIRMATION_CODE")
    assert refused.data["fields"]["code"] == "is not the code we sent (4 more tries)"
    malformed = api.post("/practice-confirmation", {"code": "12ab"}, token=token)
    assert (malformed.status_code, list(malformed.data["fields"])) == (400, ["code"])

    clock.advance(minutes=16)
    token = login(api, body["username"], body["password"])
    expired = api.post("/practice-confirmation", {"code": code}, token=token)
    assert expired.data["fields"]["code"] == "has expired or was tried too often: ask for a new code"
    assert AccountModel.get(account_key("bg.manager")).approval == "CONFIRMATION_REQUIRED"


def test_parallel_guesses_cannot_pass_the_attempt_limit(api, active_user, pump):
    body = register_first(active_user)
    token = login(api, body["username"], body["password"])
    api.post("/practice-confirmation/code", token=token)
    code = emailed_code(pump)
    approvals, principal = wiring.current().approvals(), wiring.current().accounts().authenticate(token)
    wrong = [f"{(int(code) + i) % 1_000_000:06d}" for i in range(1, 13)]

    def guess(candidate: str) -> str:
        try:
            approvals.confirm(principal, candidate)
        except InvalidConfirmationCode as error:
            return error.fields["code"]
        return "confirmed"

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(guess, wrong))
    assert sum(answer.startswith("is not the code") for answer in answers) == 5
    assert answers.count("has expired or was tried too often: ask for a new code") == 7
    with pytest.raises(InvalidConfirmationCode):  # the right code no longer works: a new one must be asked for
        approvals.confirm(principal, code)


def test_a_later_registration_waits_for_the_new_administrator_who_is_emailed(api, active_user, pump):
    first = register_first(active_user)
    first_token = login(api, first["username"], first["password"])
    api.post("/practice-confirmation/code", token=first_token)
    assert api.post("/practice-confirmation", {"code": emailed_code(pump)}, token=first_token).status_code == 200

    later = register_first(active_user, "bg.frontdesk")
    assert AccountModel.get(account_key("bg.frontdesk")).approval == "PENDING_APPROVAL"
    [notice] = [e for e in sent_emails() if e["to"] == ["bg.manager@example.org"]
                and e["subject"] == "A new user waits for your approval in the Heartland Health Plan Provider Portal"]
    assert "bg.frontdesk" in notice["body"]
    assert "Bluegrass Pediatrics" in notice["body"]
    assert "https://portal.test/manage-users" in notice["body"]
    later_token = login(api, later["username"], later["password"])
    refused = api.post("/practice-confirmation/code", token=later_token)
    assert (refused.status_code, refused.data["code"]) == (409, "NOT_AWAITING_CONFIRMATION")
    assert api.get("/practice-confirmation", token=later_token).data["state"] == "PENDING_APPROVAL"


def test_an_unconfirmed_account_waits_for_an_administrator_the_tax_id_gained_meanwhile(api, active_user, pump):
    early, late = register_first(active_user), register_first(active_user, "bg.second")
    assert AccountModel.get(account_key("bg.second")).approval == "CONFIRMATION_REQUIRED"  # no administrator yet
    early_token = login(api, early["username"], early["password"])
    api.post("/practice-confirmation/code", token=early_token)
    assert api.post("/practice-confirmation", {"code": emailed_code(pump)}, token=early_token).status_code == 200
    late_token = login(api, late["username"], late["password"])
    assert api.get("/practice-confirmation", token=late_token).data["state"] == "PENDING_APPROVAL"
    account = AccountModel.get(account_key("bg.second"))
    assert (account.approval, account.awaiting_key) == ("PENDING_APPROVAL", "APPROVAL#310000003")
    pump.drain_queues()
    assert any(e["to"] == ["bg.manager@example.org"] and "bg.second" in e["body"] for e in sent_emails())


def test_no_contact_on_record_sends_no_code(api, active_user):
    clinic = ProviderModel.get("400000000001")
    clinic.update(actions=[ProviderModel.contact_email.remove()])
    body = active_user(username="ms.manager", email="ms.manager@example.org", providerType="Group",
                       firstName=None, lastName=None, groupName="Mountain State Clinic", taxId="310000004",
                       providerId="400000000001", zipCode="25301")
    token = login(api, body["username"], body["password"])
    assert api.get("/practice-confirmation", token=token).data["contact"] is None
    refused = api.post("/practice-confirmation/code", token=token)
    assert (refused.status_code, refused.data["code"]) == (409, "NO_CONTACT_ON_RECORD")


def test_plan_support_staff_confirm_from_the_review_desk(api, active_user, token_for, pump):
    body = register_first(active_user)
    staff = token_for("planadmin")
    desk = api.get("/review/practice-confirmations", token=staff)
    assert desk.status_code == 200
    [waiting] = desk.data["items"]
    assert (waiting["username"], waiting["taxId"], waiting["contactEmail"], waiting["emailVerified"]) == (
        "bg.manager", "310000003", PRACTICE_ADDRESS, True)
    office = api.get("/review/practice-confirmations", token=token_for("demo.group"))
    assert (office.status_code, office.data["fields"]) == (403, {"permission": "SUPPORT"})

    approved = api.post("/review/practice-confirmations/bg.manager/approve", {}, token=staff)
    assert (approved.status_code, approved.data) == (200, {"status": "APPROVED"})
    token = login(api, body["username"], body["password"])
    assert wiring.current().accounts().authenticate(token).permissions == PROVIDER_PERMISSIONS
    twice = api.post("/review/practice-confirmations/bg.manager/approve", {}, token=staff)
    assert (twice.status_code, twice.data["code"]) == (409, "NOT_AWAITING_CONFIRMATION")
    assert api.get("/review/practice-confirmations", token=staff).data["items"] == []
    [record] = [r for r in trail.by_member("ACCOUNT#bg.manager", 10, None).items if not r.action.startswith("MFA_")]
    assert (record.username, record.action) == ("planadmin", "PRACTICE_CONFIRMED_BY_SUPPORT")


def test_plan_support_staff_close_an_unconfirmed_account(api, active_user, token_for, pump):
    body = register_first(active_user)
    closed = api.post("/review/practice-confirmations/bg.manager/deny", {}, token=token_for("planadmin"))
    assert (closed.status_code, closed.data) == (200, {"status": "CLOSED"})
    refused = api.post("/auth/login", {"username": body["username"], "password": body["password"]})
    assert (refused.status_code, refused.data["code"]) == (403, "ACCOUNT_CLOSED")
    pump.drain_queues()
    assert any(e["to"] == ["bg.manager@example.org"] and "not approved" in e["subject"] for e in sent_emails())
