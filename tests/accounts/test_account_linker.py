"""Account Linker over the JSON API on moto: a logged-in office user links another provider or Tax ID with the facts
registration asks for. Into a Tax ID with an administrator the link waits for its approval (emailed; approve with
permissions or deny); into one without, for its practice's code or plan support staff, and the user becomes its
administrator. Approved, the login acts in one Tax ID at a time with that Tax ID's grant; refusals change nothing;
every request, decision and unlink is audited; removing a user from a Tax ID removes its links."""

from __future__ import annotations

import pytest

from chalicelib import wiring
from chalicelib.accounts.store import AccountModel, LinkModel, account_key, link_key
from chalicelib.audit import service as trail
from chalicelib.platform.dynamo.writes import Missing
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS
from local.inbox import Email
from tests.accounts.test_practice_confirmation import PRACTICE_ADDRESS
from tests.support.moto import login, registration, sent_emails

BUCKEYE = {"providerType": "Group", "groupName": "Buckeye Family Medicine", "taxId": "310000002",
           "providerId": "200000000001", "zipCode": "43215"}
BLUEGRASS = {"providerType": "Group", "groupName": "Bluegrass Pediatrics", "taxId": "310000003",
             "providerId": "300000000001", "zipCode": "40202"}
MARIA_GARCIA = {"providerType": "Practitioner", "firstName": "Maria", "lastName": "Garcia", "taxId": "310000002",
                "providerId": "200000000002", "zipCode": "43215"}
LINK_SUBJECT = "A user asks to link your practice in the Heartland Health Plan Provider Portal"
CODE_SUBJECT = "Confirm a Provider Portal link to your practice"
OLIVIA = "/members/eligibility?memberId=20000000001&dateOfService=2031-11-01"  # Olivia Brooks, Ohio (Buckeye's)


@pytest.fixture
def biller(api, active_user, token_for, pump) -> str:
    """dp.biller, a Group account of 310000001 approved by demo.group with the default set: its session token."""
    body = active_user(username="dp.biller", email="dp.biller@example.org", providerType="Group", firstName=None,
                       lastName=None, groupName="Default Provider", providerId="999999999999", zipCode="46204")
    assert api.post("/users/dp.biller/approve", {}, token=token_for("demo.group")).status_code == 200
    pump.drain_queues()
    return login(api, body["username"], body["password"])


def emailed_code(pump) -> str:
    """The code of the last link confirmation email, as whoever reads the practice's mailbox sees it."""
    pump.drain_queues()
    codes = [e for e in sent_emails() if e["subject"] == CODE_SUBJECT]
    assert codes, "no code was emailed"
    code = Email("id", "", (), CODE_SUBJECT, codes[-1]["body"]).code()
    assert code, codes[-1]["body"]
    return code


def trail_of(username: str) -> list[tuple[str, str, str]]:
    """The user's trail of access changes, sorted; its second-factor events, which the login helpers cause, are left
    out."""
    return sorted((r.username, r.action, r.detail) for r in trail.by_member(f"ACCOUNT#{username}", 20, None).items
                  if not r.action.startswith("MFA_"))


def stored_links(username: str) -> dict:
    account = AccountModel.get(account_key(username))
    return account.links.as_dict() if account.links is not None else {}


def test_a_link_into_a_tax_id_with_an_administrator_waits_and_its_administrators_are_emailed(api, biller, pump,
                                                                                          members):
    asked = api.post("/me/links", BUCKEYE, token=biller)
    assert asked.status_code == 201, asked.data
    assert (asked.data["providerId"], asked.data["name"], asked.data["taxId"], asked.data["status"]) == (
        "200000000001", "Buckeye Family Medicine", "310000002", "PENDING_APPROVAL")
    mine = api.get("/me/links", token=biller).data["items"]
    assert [(item["providerId"], item["status"]) for item in mine] == [
        ("999999999999", "HOME"), ("200000000001", "PENDING_APPROVAL")]

    pump.drain_queues()
    [notice] = [e for e in sent_emails() if e["subject"] == LINK_SUBJECT]
    assert notice["to"] == ["demo.buckeye@example.org"]
    assert "dp.biller" in notice["body"]
    assert "Buckeye Family Medicine" in notice["body"]
    assert "https://portal.test/manage-users" in notice["body"]
    assert "dp.biller@example.org" not in notice["body"]  # the username and the provider's name only

    # While it waits the login acts for nothing more; its own Tax ID is as it was
    assert api.get(f"{OLIVIA}&providerId=200000000001", token=biller).status_code == 404
    assert api.get("/members/eligibility?memberId=10000000001&dateOfService=2031-11-01",
                   token=biller).data["eligible"] is True
    assert {p["taxId"] for p in api.get("/me", token=biller).data["providers"]} == {"310000001"}
    [(who, action, detail)] = [r for r in trail_of("dp.biller") if r[1] != "USER_APPROVED"]
    assert (who, action) == ("dp.biller", "LINK_REQUESTED")
    assert detail == "taxId=310000002; providerId=200000000001; waits for its administrators' approval"


def test_facts_that_do_not_match_answer_as_registration_does_and_change_nothing(api, biller):
    wrong_zip = api.post("/me/links", {**BUCKEYE, "zipCode": "43216"}, token=biller)
    registering = api.post("/auth/register", registration(**{**BUCKEYE, "zipCode": "43216", "firstName": None,
                                                              "lastName": None, "username": "someone.else",
                                                              "email": "someone.else@example.org"}))
    assert (wrong_zip.status_code, wrong_zip.data["code"]) == (404, "PROVIDER_NOT_FOUND")
    assert wrong_zip.data == registering.data  # the same answer, the help lines in words
    other_name = api.post("/me/links", {**BUCKEYE, "groupName": "Buckeye Medicine"}, token=biller)
    assert other_name.status_code == 404
    no_name = api.post("/me/links", {**BUCKEYE, "groupName": " "}, token=biller)
    assert (no_name.status_code, no_name.data["fields"]) == (400, {"groupName": "is required for a Group"})
    bad_tax_id = api.post("/me/links", {**BUCKEYE, "taxId": "31-00"}, token=biller)
    assert (bad_tax_id.status_code, list(bad_tax_id.data["fields"])) == (400, ["taxId"])
    assert stored_links("dp.biller") == {}
    assert [item["status"] for item in api.get("/me/links", token=biller).data["items"]] == ["HOME"]


def test_a_provider_linked_or_asked_for_and_a_second_link_while_one_waits_are_refused(api, biller, token_for,
                                                                                      active_user):
    own = api.post("/me/links", {"providerType": "Practitioner", "firstName": "Jane", "lastName": "Doe",
                                 "taxId": "310000001", "providerId": "100000000001", "zipCode": "46032"}, token=biller)
    assert (own.status_code, own.data["code"]) == (409, "ALREADY_LINKED")  # its group acts for Jane Doe already
    assert api.post("/me/links", BUCKEYE, token=biller).status_code == 201
    again = api.post("/me/links", BUCKEYE, token=biller)
    assert (again.status_code, again.data["code"]) == (409, "ALREADY_LINKED")
    second = api.post("/me/links", MARIA_GARCIA, token=biller)
    assert (second.status_code, second.data["code"]) == (409, "LINK_PENDING")
    assert list(stored_links("dp.biller")) == ["200000000001"]

    staff = api.post("/me/links", BUCKEYE, token=token_for("planadmin"))
    assert (staff.status_code, staff.data["code"]) == (403, "FORBIDDEN")
    waiting = active_user()  # jdoe.office waits for demo.group's approval
    early = api.post("/me/links", BUCKEYE, token=login(api, waiting["username"], waiting["password"]))
    assert (early.status_code, early.data["message"]) == (
        403, "Your account is not approved yet: it links other providers once it is.")
    with pytest.raises(Missing):
        LinkModel.get(link_key("jdoe.office", "200000000001"))


def test_approving_links_the_provider_with_the_tax_ids_grant_and_the_login_acts_for_one_tax_id_at_a_time(
        api, biller, token_for, pump, members):
    assert api.post("/me/links", BUCKEYE, token=biller).status_code == 201
    buckeye = token_for("demo.buckeye")
    waiting = api.get("/link-requests", token=buckeye).data["items"]
    assert [(i["username"], i["providerId"], i["providerName"], i["status"], i["keepsGrant"]) for i in waiting] == [
        ("dp.biller", "200000000001", "Buckeye Family Medicine", "PENDING_APPROVAL", False)]
    assert api.get("/link-requests", token=token_for("demo.group")).data["items"] == []

    approved = api.post("/link-requests/dp.biller/200000000001/approve",
                        {"permissions": ["ELIGIBILITY", "CLAIMS_VIEW"]}, token=buckeye)
    assert (approved.status_code, approved.data["status"]) == (200, "ACTIVE"), approved.data
    twice = api.post("/link-requests/dp.biller/200000000001/approve", {}, token=buckeye)
    assert (twice.status_code, twice.data["code"]) == (409, "NOT_AWAITING_APPROVAL")
    denied_late = api.post("/link-requests/dp.biller/200000000001/deny", {}, token=buckeye)
    assert (denied_late.status_code, denied_late.data["code"]) == (409, "NOT_AWAITING_APPROVAL")
    assert api.get("/link-requests", token=buckeye).data["items"] == []

    # The same session, next request: both Tax IDs' providers, one Tax ID at a time, each with its own grant
    me = api.get("/me", token=biller).data
    assert {p["providerId"] for p in me["providers"]} == {
        "999999999999", "100000000001", "100000000002", "200000000001", "200000000002"}
    assert me["actingTaxId"] == "310000001"
    assert api.get(f"{OLIVIA}&providerId=200000000002", token=biller).data["eligible"] is True
    assert api.get(OLIVIA, token=biller).status_code == 404  # acting for its own (Indiana) Tax ID
    refused = api.get("/prior-auths?providerId=200000000001", token=biller)
    assert (refused.status_code, refused.data["fields"]) == (403, {"permission": "PRIOR_AUTH_VIEW"})
    assert api.get("/prior-auths", token=biller).status_code == 200  # its own grant has it (the default set)
    assert [i["status"] for i in api.get("/me/links", token=biller).data["items"]] == ["HOME", "ACTIVE"]

    pump.drain_queues()
    assert any(e["to"] == ["dp.biller@example.org"] and "link is approved" in e["subject"] for e in sent_emails())
    approvals = [r for r in trail_of("dp.biller") if r[1] == "LINK_APPROVED"]
    assert approvals == [("demo.buckeye", "LINK_APPROVED", "taxId=310000002; providerId=200000000001; permissions: "
                                                           "CLAIMS_VIEW, ELIGIBILITY")]


def test_the_linked_tax_ids_administrators_change_and_remove_the_linked_user_but_not_its_account(
        api, biller, token_for):
    buckeye, group = token_for("demo.buckeye"), token_for("demo.group")
    assert api.post("/me/links", BUCKEYE, token=biller).status_code == 201
    assert api.post("/link-requests/dp.biller/200000000001/approve", {}, token=buckeye).status_code == 200
    [linked] = api.get("/linked-users", token=buckeye).data["items"]
    assert (linked["username"], linked["linked"], linked["providerId"], linked["permissions"]) == (
        "dp.biller", True, "200000000001", ["CLAIMS_VIEW", "ELIGIBILITY", "PRIOR_AUTH_VIEW"])
    assert api.get("/linked-users", token=group).data["items"] == []
    assert "dp.biller" not in {u["username"] for u in api.get("/users", token=buckeye).data["items"]}

    changed = api.call("PUT", "/users/dp.biller/permissions", {"permissions": ["ELIGIBILITY"],
                                                               "version": linked["version"]}, token=buckeye)
    assert (changed.status_code, changed.data["permissions"]) == (200, ["ELIGIBILITY"]), changed.data
    at_home = api.get("/users/dp.biller", token=group).data  # its own Tax ID's grant is its own
    assert (at_home["linked"], at_home["permissions"]) == (False, ["CLAIMS_VIEW", "ELIGIBILITY", "PRIOR_AUTH_VIEW"])
    for action in ("deactivate", "unlock", "password-reset"):
        refused = api.post(f"/users/dp.biller/{action}", token=buckeye)
        assert (refused.status_code, refused.data["code"]) == (409, "LINKED_USER"), action
    history = api.get("/users/dp.biller/history", token=buckeye).data["items"]
    assert {item["detail"].split(";")[0] for item in history} == {"taxId=310000002"}  # not its own Tax ID's

    assert api.call("DELETE", "/users/dp.biller", token=buckeye).status_code == 204
    assert stored_links("dp.biller") == {}
    assert "310000002" not in AccountModel.get(account_key("dp.biller")).grants.as_dict()
    assert api.get("/me", token=biller).status_code == 200  # its account and session stay
    assert api.get(f"{OLIVIA}&providerId=200000000001", token=biller).status_code == 404
    assert api.get("/users/dp.biller", token=buckeye).status_code == 404
    removed = [r for r in trail_of("dp.biller") if r[1] == "LINK_REMOVED"]
    assert removed == [("demo.buckeye", "LINK_REMOVED", "taxId=310000002; providerId=200000000001; removed from the "
                        "Tax ID: its links to it and its permissions here are gone; its own account stays")]


def test_removing_the_user_from_its_own_tax_id_closes_the_account_and_its_links(api, biller, token_for):
    buckeye = token_for("demo.buckeye")
    assert api.post("/me/links", BUCKEYE, token=biller).status_code == 201
    assert api.post("/link-requests/dp.biller/200000000001/approve", {}, token=buckeye).status_code == 200
    assert api.call("DELETE", "/users/dp.biller", token=token_for("demo.group")).status_code == 204
    assert api.get("/linked-users", token=buckeye).data["items"] == []
    with pytest.raises(Missing):
        LinkModel.get(link_key("dp.biller", "200000000001"))
    assert api.get("/me", token=biller).status_code == 401


def test_denying_leaves_the_login_as_it_was_and_it_may_ask_again(api, biller, token_for, pump):
    buckeye = token_for("demo.buckeye")
    assert api.post("/me/links", BUCKEYE, token=biller).status_code == 201
    other_office = api.post("/link-requests/dp.biller/200000000001/deny", {}, token=token_for("demo.group"))
    assert (other_office.status_code, other_office.data["code"]) == (404, "LINK_NOT_FOUND")
    assert api.post("/link-requests/dp.biller/200000000001/approve", {}, token=token_for("demo.group")
                    ).status_code == 404
    denied = api.post("/link-requests/dp.biller/200000000001/deny", {}, token=buckeye)
    assert (denied.status_code, denied.data) == (200, {"status": "DENIED"})
    assert stored_links("dp.biller") == {}
    assert AccountModel.get(account_key("dp.biller")).link_pending is None
    pump.drain_queues()
    assert any(e["to"] == ["dp.biller@example.org"] and "link was not approved" in e["subject"]
               for e in sent_emails())
    assert {r[:2] for r in trail_of("dp.biller")} == {("demo.group", "USER_APPROVED"), ("dp.biller", "LINK_REQUESTED"),
                                                      ("demo.buckeye", "LINK_DENIED")}
    assert api.post("/me/links", MARIA_GARCIA, token=biller).status_code == 201  # nothing left waiting


def test_unlinking_keeps_the_home_provider_and_takes_the_tax_ids_grant(api, biller, token_for):
    assert api.post("/me/links", BUCKEYE, token=biller).status_code == 201
    assert api.post("/link-requests/dp.biller/200000000001/approve", {}, token=token_for("demo.buckeye")
                    ).status_code == 200
    home = api.call("DELETE", "/me/links/999999999999", token=biller)
    assert (home.status_code, home.data["code"]) == (409, "HOME_PROVIDER")
    unknown = api.call("DELETE", "/me/links/500000000001", token=biller)
    assert (unknown.status_code, unknown.data["code"]) == (404, "LINK_NOT_FOUND")
    assert api.call("DELETE", "/me/links/200000000001", token=biller).status_code == 204
    assert [i["status"] for i in api.get("/me/links", token=biller).data["items"]] == ["HOME"]
    assert set(AccountModel.get(account_key("dp.biller")).grants.as_dict()) == {"310000001"}
    assert {p["taxId"] for p in api.get("/me", token=biller).data["providers"]} == {"310000001"}
    assert [r for r in trail_of("dp.biller") if r[1] == "LINK_REMOVED"] == [
        ("dp.biller", "LINK_REMOVED", "taxId=310000002; providerId=200000000001; unlinked by the user")]


def test_a_link_into_a_tax_id_without_an_administrator_takes_the_code_sent_to_the_practice(api, biller, pump,
                                                                                           members):
    asked = api.post("/me/links", BLUEGRASS, token=biller)
    assert (asked.status_code, asked.data["status"], asked.data["contact"]) == (
        201, "CONFIRMATION_REQUIRED", "o•••••@bluegrass-pediatrics.example.org")
    assert api.get("/me", token=biller).data["providers"][0]["taxId"] == "310000001"  # never immediate
    sent = api.post("/me/links/300000000001/code", token=biller)
    assert sent.status_code == 202, sent.data
    code = emailed_code(pump)
    [email] = [e for e in sent_emails() if e["subject"] == CODE_SUBJECT]
    assert email["to"] == [PRACTICE_ADDRESS]  # the practice's address on record, never the biller's
    assert "dp.biller" in email["body"]
    assert "Account Linker" in email["body"]

    wrong = api.post("/me/links/300000000001/confirmation", {"code": "999999" if code != "999999" else "111111"},
                     token=biller)
    assert (wrong.status_code, wrong.data["fields"]) == (400, {"code": "is not the code we sent (4 more tries)"})
    confirmed = api.post("/me/links/300000000001/confirmation", {"code": code}, token=biller)
    assert (confirmed.status_code, confirmed.data["status"]) == (200, "ACTIVE"), confirmed.data
    acting = wiring.current().accounts().authenticate(biller, "300000000001")
    assert (acting.acting_tax_id, acting.permissions) == ("310000003", PROVIDER_PERMISSIONS)
    office = api.get("/users?providerId=300000000001", token=biller)  # its Manage Users there
    assert office.status_code == 200
    assert {r[1] for r in trail_of("dp.biller")} == {"USER_APPROVED", "LINK_REQUESTED", "LINK_CONFIRMED"}

    # The Tax ID has an administrator now: the next registration or link there waits for its approval
    later = api.post("/auth/register", registration(**{**BLUEGRASS, "firstName": None, "lastName": None,
                                                        "username": "bg.frontdesk",
                                                        "email": "bg.frontdesk@example.org"}))
    assert later.status_code == 201
    assert AccountModel.get(account_key("bg.frontdesk")).approval == "PENDING_APPROVAL"


def test_plan_support_staff_confirm_or_deny_a_link_into_a_tax_id_without_an_administrator(api, biller, token_for):
    staff = token_for("planadmin")
    assert api.post("/me/links", BLUEGRASS, token=biller).status_code == 201
    [waiting] = api.get("/review/link-confirmations", token=staff).data["items"]
    assert (waiting["username"], waiting["providerId"], waiting["taxId"], waiting["contactEmail"]) == (
        "dp.biller", "300000000001", "310000003", PRACTICE_ADDRESS)
    office = api.get("/review/link-confirmations", token=token_for("demo.group"))
    assert (office.status_code, office.data["fields"]) == (403, {"permission": "SUPPORT"})
    approved = api.post("/review/link-confirmations/dp.biller/300000000001/approve", token=staff)
    assert (approved.status_code, approved.data) == (200, {"status": "ACTIVE"})
    twice = api.post("/review/link-confirmations/dp.biller/300000000001/deny", token=staff)
    assert (twice.status_code, twice.data["code"]) == (409, "NOT_AWAITING_CONFIRMATION")
    assert wiring.current().accounts().authenticate(biller, "300000000001").permissions == PROVIDER_PERMISSIONS
    assert [r[:2] for r in trail_of("dp.biller") if r[1].startswith("LINK_CONFIRMED")] == [
        ("planadmin", "LINK_CONFIRMED_BY_SUPPORT")]
    last = api.call("DELETE", "/me/links/300000000001", token=biller)
    assert (last.status_code, last.data["code"]) == (409, "LAST_ADMINISTRATOR")  # Bluegrass keeps its administrator


def test_a_view_as_a_linked_user_acts_in_the_users_own_tax_id_only(api, biller, token_for, members):
    """Impersonate User shows the user's own office: a Tax ID it linked is not the viewer's to see, even plan
    support's (its administrators view as their linked users from their own side, never through this view)."""
    assert api.post("/me/links", BUCKEYE, token=biller).status_code == 201
    assert api.post("/link-requests/dp.biller/200000000001/approve", {"permissions": ["ELIGIBILITY"]},
                    token=token_for("demo.buckeye")).status_code == 200
    assert api.get(f"{OLIVIA}&providerId=200000000002", token=biller).data["eligible"] is True  # the user itself

    started = api.post("/impersonations", {"username": "dp.biller"}, token=token_for("planadmin"))
    assert started.status_code == 201, started.data
    view = started.data["token"]
    me = api.get("/me", token=view).data
    assert (me["impersonatedBy"], me["actingTaxId"]) == ("planadmin", "310000001")
    assert {p["taxId"] for p in me["providers"]} == {"310000001"}
    linked = api.get(f"{OLIVIA}&providerId=200000000002", token=view)
    assert (linked.status_code, linked.data["code"]) == (404, "PROVIDER_NOT_FOUND")


def test_a_linked_user_counts_in_the_linked_tax_ids_training_standing(api, biller, token_for):
    buckeye = token_for("demo.buckeye")
    assert [u["username"] for u in api.get("/training/office", token=buckeye).data["users"]] == ["demo.buckeye"]
    assert api.post("/me/links", BUCKEYE, token=biller).status_code == 201
    assert [u["username"] for u in api.get("/training/office", token=buckeye).data["users"]] == [
        "demo.buckeye"]  # a request waiting is no user of the Tax ID yet
    assert api.post("/link-requests/dp.biller/200000000001/approve", {}, token=buckeye).status_code == 200
    users = {u["username"]: u for u in api.get("/training/office", token=buckeye).data["users"]}
    assert set(users) == {"demo.buckeye", "dp.biller"}
    assert "model-of-care" in {s["moduleId"] for s in users["dp.biller"]["items"]}  # Ohio MyCare's requirement
    assert [u["username"] for u in api.get("/training/office", token=token_for("demo.group")).data["users"]] == [
        "demo.group", "demo.jdoe", "dp.biller"]  # and still in its own Tax ID's
