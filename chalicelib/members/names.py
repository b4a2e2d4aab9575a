"""Exact name search, after normalising case, accents and spacing (never partial names)."""

from __future__ import annotations

import unicodedata


def normalize_name(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(without_accents.casefold().split())


def name_search_key(last_name: str, first_name: str, birth_date: str) -> str:
    return f"{normalize_name(last_name)}|{normalize_name(first_name)}|{birth_date}"
