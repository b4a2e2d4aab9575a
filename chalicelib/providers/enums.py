"""The area's enums: shared by its rules, its store and its handlers; no persistence here."""

from enum import StrEnum


class ProviderType(StrEnum):
    PRACTITIONER = "Practitioner"
    GROUP = "Group"
