"""Permissions per Tax ID: read with the account on every request, changed by the Tax ID's administrators."""

from __future__ import annotations

import pytest

from chalicelib import wiring
from chalicelib.accounts.store import AccountModel, account_key
from chalicelib.platform.errors import LastAdministrator, NotFound, PermissionRequired, PermissionsChanged
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, STAFF_PERMISSIONS, Permission

ALL_BUT_CLAIMS_VIEW = PROVIDER_PERMISSIONS - {Permission.CLAIMS_VIEW}


def principal(token: str):
    return wiring.current().accounts().authenticate(token)


def accounts():
    return wiring.current().accounts()


def test_the_demo_accounts_hold_what_decisions_says(token_for):
    group, jdoe, buckeye, staff = (principal(token_for(name)) for name in (
        "demo.group", "demo.jdoe", "demo.buckeye", "planadmin"))
    assert group.permissions == jdoe.permissions == buckeye.permissions == PROVIDER_PERMISSIONS
    assert staff.permissions == STAFF_PERMISSIONS
    stored = {name: AccountModel.get(account_key(name)).grants.as_dict() for name in ("demo.group", "demo.jdoe")}
    assert stored["demo.group"]["310000001"]["administrator"] is True
    assert stored["demo.jdoe"]["310000001"]["administrator"] is False


def test_a_change_counts_on_the_users_next_request_not_its_next_login(api, token_for):
    jdoe = token_for("demo.jdoe")
    assert api.get("/claims", token=jdoe).status_code == 200
    accounts().change_permissions(principal(token_for("demo.group")), "demo.jdoe", ALL_BUT_CLAIMS_VIEW)
    refused = api.get("/claims", token=jdoe)
    assert (refused.status_code, refused.data["code"], refused.data["fields"]) == (
        403, "FORBIDDEN", {"permission": "CLAIMS_VIEW"})
    assert "Claims (view)" in refused.data["message"]
    assert api.get("/prior-auths", token=jdoe).status_code == 200
    accounts().change_permissions(principal(token_for("demo.group")), "demo.jdoe", PROVIDER_PERMISSIONS)
    assert api.get("/claims", token=jdoe).status_code == 200


def test_a_page_the_user_lacks_is_the_403_page_and_its_nav_item_is_gone(logged_in, token_for):
    browser = logged_in("demo.jdoe")
    assert "Claim Search" in browser.get("/home").text
    accounts().change_permissions(principal(token_for("demo.group")), "demo.jdoe", ALL_BUT_CLAIMS_VIEW)
    home = browser.get("/home").html
    nav = [link.get_text(strip=True) for link in home.select("nav a")]
    assert "Claim Search" not in nav
    assert "Prior Authorization Search" in nav
    page = browser.get("/claims-center/claims")
    assert page.status == 403
    assert "\u201cClaims (view)\u201d" in page.text


def test_a_tax_id_never_loses_its_last_active_administrator(token_for):
    group = principal(token_for("demo.group"))
    with pytest.raises(LastAdministrator):
        accounts().change_permissions(group, "demo.group", PROVIDER_PERMISSIONS, administrator=False)
    accounts().change_permissions(group, "demo.jdoe", PROVIDER_PERMISSIONS, administrator=True)
    accounts().change_permissions(group, "demo.group", frozenset({Permission.CLAIMS_VIEW}), administrator=False)
    assert principal(token_for("demo.group")).permissions == {Permission.CLAIMS_VIEW}
    with pytest.raises(LastAdministrator):
        accounts().change_permissions(principal(token_for("demo.jdoe")), "demo.jdoe", PROVIDER_PERMISSIONS,
                                      administrator=False)


def test_only_an_administrator_makes_administrators_and_another_office_gets_404(token_for):
    jdoe = principal(token_for("demo.jdoe"))  # user administration, not an administrator
    with pytest.raises(PermissionRequired) as refused:
        accounts().change_permissions(jdoe, "demo.jdoe", PROVIDER_PERMISSIONS, administrator=True)
    assert refused.value.fields == {"permission": "ADMINISTRATOR"}
    with pytest.raises(NotFound):
        accounts().change_permissions(principal(token_for("demo.buckeye")), "demo.jdoe", frozenset())
    accounts().change_permissions(principal(token_for("demo.group")), "demo.jdoe",
                                  PROVIDER_PERMISSIONS - {Permission.USER_ADMIN})
    with pytest.raises(PermissionRequired) as lacking:
        accounts().change_permissions(principal(token_for("demo.jdoe")), "demo.group", frozenset())
    assert lacking.value.fields == {"permission": "USER_ADMIN"}


def test_plan_staff_permissions_are_changed_by_a_plan_administrator(api, token_for):
    staff = token_for("planadmin")
    assert api.get("/audit/users/demo.jdoe", token=staff).status_code == 200
    accounts().change_permissions(principal(staff), "planadmin", STAFF_PERMISSIONS - {Permission.AUDIT_READER})
    refused = api.get("/audit/users/demo.jdoe", token=staff)
    assert (refused.status_code, refused.data["fields"]) == (403, {"permission": "AUDIT_READER"})
    with pytest.raises(NotFound):  # plan staff are no office's users
        accounts().change_permissions(principal(token_for("demo.group")), "planadmin", STAFF_PERMISSIONS)


def test_a_change_made_on_a_stale_read_is_refused(token_for, monkeypatch):
    """Two administrators at once: the later write, made on what the earlier one replaced, is refused (else a user
    administrator's stale write could bring back an administrator another had just removed)."""
    from chalicelib.accounts.service import AccountService

    reads_then = AccountService._actor_grant

    def another_change_meanwhile(self, actor, account):
        grant = reads_then(self, actor, account)
        AccountModel(pk=account.pk).update(actions=[AccountModel.grants.set(
            {"310000001": {"permissions": ["CLAIMS_VIEW"], "administrator": False}})])
        return grant

    monkeypatch.setattr(AccountService, "_actor_grant", another_change_meanwhile)
    with pytest.raises(PermissionsChanged):
        accounts().change_permissions(principal(token_for("demo.group")), "demo.jdoe", PROVIDER_PERMISSIONS)
    assert principal(token_for("demo.jdoe")).permissions == {Permission.CLAIMS_VIEW}


def test_accounts_made_before_permissions_keep_what_they_could_do(token_for):
    """The migration default: no stored grant is every provider permission, and a group account administers."""
    for name in ("demo.group", "demo.jdoe", "planadmin"):
        AccountModel(pk=account_key(name)).update(actions=[AccountModel.grants.remove(),
                                                           AccountModel.staff_permissions.remove()])
    group, jdoe = principal(token_for("demo.group")), principal(token_for("demo.jdoe"))
    assert group.permissions == jdoe.permissions == PROVIDER_PERMISSIONS
    assert principal(token_for("planadmin")).permissions == STAFF_PERMISSIONS
    with pytest.raises(LastAdministrator):  # the group account is 310000001's only administrator
        accounts().change_permissions(group, "demo.group", PROVIDER_PERMISSIONS, administrator=False)
    accounts().change_permissions(group, "demo.jdoe", PROVIDER_PERMISSIONS, administrator=True)
    accounts().change_permissions(group, "demo.group", PROVIDER_PERMISSIONS, administrator=False)
    assert AccountModel.get(account_key("demo.group")).grants.as_dict()["310000001"]["administrator"] is False


def test_work_done_later_in_a_users_name_has_its_permissions_now(token_for):
    accounts().change_permissions(principal(token_for("demo.group")), "demo.jdoe", ALL_BUT_CLAIMS_VIEW)
    acting = accounts().acting_principal("demo.jdoe")
    assert acting is not None
    assert acting.permissions == ALL_BUT_CLAIMS_VIEW


def test_the_permission_check_reads_nothing_more_than_authentication(api, token_for, aws_calls):
    """The figure: authentication reads the session and the account (as it did before permissions: a reset ends
    older sessions); the permissions come from that account item, so the check adds no read and a refusal stops
    there."""
    jdoe = token_for("demo.jdoe")
    accounts().change_permissions(principal(token_for("demo.group")), "demo.jdoe", ALL_BUT_CLAIMS_VIEW)
    aws_calls.clear()
    assert api.get("/me", token=jdoe).status_code == 200
    authentication = aws_calls[:2]
    assert authentication == ["GetItem", "GetItem"]
    aws_calls.clear()
    assert api.get("/claims", token=jdoe).status_code == 403
    assert aws_calls == authentication
    aws_calls.clear()
    assert api.get("/claims/3100000000000", token=token_for("demo.group")).status_code == 404
    assert aws_calls == [*authentication, "GetItem"]  # the claim, and nothing for the permission
