"""The one "whose data" rule: plan staff see all; a group its Tax IDs; a practitioner its own provider."""

from datetime import UTC, datetime

from chalicelib.platform.access import OfficePartition, Principal, Role, scope_of

NOW = datetime(2031, 11, 23, tzinfo=UTC)


def principal(role=Role.PROVIDER_USER, provider_ids=(), tax_ids=(), home=None):
    return Principal("someone", role, None, provider_ids, tax_ids, ("Indiana",), home, "s", NOW, NOW)


GROUP = principal(provider_ids=("999999999999",), tax_ids=("310000001",), home="999999999999")
PRACTITIONER = principal(provider_ids=("100000000001",), home="100000000001")
STAFF = principal(role=Role.PLAN_STAFF)


def test_a_group_sees_every_provider_under_its_tax_id_and_no_other():
    scope = scope_of(GROUP)
    assert scope.sees("100000000002", "310000001")
    assert not scope.sees("200000000001", "310000002")
    assert scope.sees_tax_id("310000001")
    assert not scope.sees_tax_id("310000002")


def test_a_practitioner_sees_its_own_provider_only_not_its_group():
    scope = scope_of(PRACTITIONER)
    assert scope.sees("100000000001", "310000001")
    assert not scope.sees("100000000002", "310000001")
    assert not scope.sees_tax_id("310000001")
    assert not scope.sees(None, None)


def test_plan_staff_see_every_office():
    assert scope_of(STAFF).sees("200000000001", "310000002")
    assert scope_of(STAFF).sees_tax_id("310000005")


def test_an_offices_own_lists_live_under_its_tax_id_else_its_provider():
    assert scope_of(GROUP).home() == OfficePartition(by_provider=False, key="310000001")
    assert scope_of(PRACTITIONER).home() == OfficePartition(by_provider=True, key="100000000001")
    assert scope_of(STAFF).home() is None
