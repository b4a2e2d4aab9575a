from dataclasses import dataclass, field

import pytest

from chalicelib.accounts.registration import ClaimedProvider, matches_directory
from chalicelib.providers.enums import ProviderType


@dataclass
class Entry:
    provider_id: str = "100000000001"
    provider_type: str = "Practitioner"
    tax_id: str = "310000001"
    first_name: str | None = "Jane"
    last_name: str | None = "Doe"
    group_name: str | None = None
    zip_codes: list[str] = field(default_factory=lambda: ["46204", "46032"])


def claim(**changes):
    values = {"provider_type": ProviderType.PRACTITIONER, "provider_id": "100000000001", "tax_id": "310000001",
              "zip_code": "46204", "first_name": "Jane", "last_name": "Doe"}
    values.update(changes)
    return ClaimedProvider(**values)


def test_exact_match():
    assert matches_directory(Entry(), claim())


@pytest.mark.parametrize("zip_code", ["46204", "46032", "46032-1234"])
def test_any_zip_of_the_profile_works(zip_code):
    assert matches_directory(Entry(), claim(zip_code=zip_code))


def test_names_ignore_case_and_spacing_but_not_spelling():
    assert matches_directory(Entry(), claim(first_name=" jane ", last_name="DOE"))
    assert not matches_directory(Entry(), claim(last_name="Do"))


@pytest.mark.parametrize(
    "changes",
    [
        {"zip_code": "46240"},
        {"tax_id": "310000002"},
        {"provider_id": "100000000002"},
        {"first_name": "Janet"},
        {"provider_type": ProviderType.GROUP, "group_name": "Jane Doe"},
    ],
)
def test_any_differing_value_is_no_match(changes):
    assert not matches_directory(Entry(), claim(**changes))


def test_groups_match_on_group_name():
    group = Entry(provider_id="999999999999", provider_type="Group", first_name=None, last_name=None,
                  group_name="Default Provider", zip_codes=["46204", "46240"])
    claimed = ClaimedProvider(ProviderType.GROUP, "999999999999", "310000001", "46240", group_name="default provider")
    assert matches_directory(group, claimed)
    assert not matches_directory(group, claimed.__class__(ProviderType.GROUP, "999999999999", "310000001", "46240",
                                                          group_name="Default Providers"))
