"""Amounts are whole cents in the tables and the rules; people and X12 files read dollars and cents."""

from __future__ import annotations


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
