"""Matching a registration against the provider directory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from chalicelib.providers.enums import ProviderType


class DirectoryEntry(Protocol):
    provider_id: str
    provider_type: str
    tax_id: str
    first_name: str | None
    last_name: str | None
    group_name: str | None
    zip_codes: Sequence[str]


@dataclass(frozen=True)
class ClaimedProvider:
    """What the person typed, as on their EOB or welcome letter."""

    provider_type: ProviderType
    provider_id: str
    tax_id: str
    zip_code: str
    first_name: str = ""
    last_name: str = ""
    group_name: str = ""


def claimed_provider_problems(claimed: ClaimedProvider) -> dict[str, str]:
    """The names the provider type asks for (a Group its group name; a Practitioner its first and last name)."""
    fields: dict[str, str] = {}
    if claimed.provider_type == ProviderType.GROUP and not claimed.group_name.strip():
        fields["groupName"] = "is required for a Group"
    if claimed.provider_type == ProviderType.PRACTITIONER:
        for name, value in (("firstName", claimed.first_name), ("lastName", claimed.last_name)):
            if not value.strip():
                fields[name] = "is required for a Practitioner"
    return fields


def normalize_name(value: str | None) -> str:
    """Names compare without regard to case or runs of spaces; spelling must be exact."""
    return " ".join((value or "").split()).casefold()


def normalize_zip(value: str) -> str:
    """A ZIP+4 matches its five-digit ZIP."""
    return value.strip()[:5]


def matches_directory(entry: DirectoryEntry, claimed: ClaimedProvider) -> bool:
    if entry.provider_type != claimed.provider_type:
        return False
    if entry.provider_id != claimed.provider_id.strip() or entry.tax_id != claimed.tax_id.strip():
        return False
    if normalize_zip(claimed.zip_code) not in {normalize_zip(zip_code) for zip_code in entry.zip_codes}:
        return False
    if claimed.provider_type == ProviderType.GROUP:
        return normalize_name(entry.group_name) == normalize_name(claimed.group_name)
    return normalize_name(entry.first_name) == normalize_name(claimed.first_name) and normalize_name(
        entry.last_name
    ) == normalize_name(claimed.last_name)


SECURITY_QUESTIONS: tuple[str, ...] = (
    "What is the name of your first pet?",
    "What city were you born in?",
    "What was the name of your elementary school?",
    "What is your mother's maiden name?",
    "What was the make of your first car?",
    "What is the name of the street you grew up on?",
)


MIN_SECURITY_ANSWER = 3


def security_problems(question: str, answer: str) -> dict[str, str]:
    """What is wrong with a security question and answer (registration and My Account), by field; ``answer`` as
    normalized for its hash (case and spacing ignored)."""
    problems: dict[str, str] = {}
    if question not in SECURITY_QUESTIONS:
        problems["securityQuestion"] = "must be one of the questions listed at GET /auth/security-questions"
    if len(answer) < MIN_SECURITY_ANSWER:
        problems["securityAnswer"] = f"must be at least {MIN_SECURITY_ANSWER} characters"
    return problems
