"""Password policy and secret hashing (passwords and security answers).

The policy is a pure function; zxcvbn's dictionaries load only when a password is
being set, never at cold start. Breached passwords are refused offline from zxcvbn's own
"passwords" list (the 30,000 most common passwords of breach corpora, shipped in the pinned
package), also when decorated the usual way (``Welcome2024!!``: a listed word plus digits and
symbols). Hashes are argon2id through argon2-cffi.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from chalicelib.platform.config import get_settings

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_GUESSABILITY_SCORE = 3
_ZXCVBN_INPUT_LIMIT = 100
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")
"""Digits and symbols around a word (``Welcome2024!!``, ``!Summer99``): stripped before the breached list is asked."""
BREACHED = "is a known breached password (or one with digits and symbols added); choose another"

PASSWORD_RULES: tuple[tuple[str, str], ...] = (
    ("length", f"At least {MIN_LENGTH} characters"),
    ("lowercase", "A lowercase letter"),
    ("uppercase", "An uppercase letter"),
    ("digit", "A digit"),
    ("symbol", "A symbol (not a letter or digit)"),
    ("not-username", "Not your username"),
    ("not-email", "Not your email address"),
)
"""The rules a page checks as the password is typed (portal.js, by key): the same as ``password_problems``, but
for "a breached password" and "too easy to guess", which only the server can judge."""


def password_problems(password: str, *, username: str = "", email: str = "", context: Iterable[str] = ()) -> list[str]:
    """Every rule the password breaks, in words a user can act on; empty when it is fine.

    ``context`` is what zxcvbn must treat as guessable besides the username and email: the plan's name and the
    person's names."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters")
    if not any(ch.islower() for ch in password):
        problems.append("must contain a lowercase letter")
    if not any(ch.isupper() for ch in password):
        problems.append("must contain an uppercase letter")
    if not any(ch.isdigit() for ch in password):
        problems.append("must contain a digit")
    if all(ch.isalnum() for ch in password):
        problems.append("must contain a non-alphanumeric character")
    folded = password.casefold()
    if len(username.strip()) >= 3 and username.strip().casefold() in folded:
        problems.append("must not contain the username")
    local_part = email.split("@", 1)[0].strip().casefold()
    if email and (email.strip().casefold() in folded or (len(local_part) >= 3 and local_part in folded)):
        problems.append("must not contain the email address")
    if not problems and is_breached(password):
        problems.append(BREACHED)
    if not problems:
        weakness = _guessability_problem(password, [username, email, local_part, *_words(context)])
        if weakness:
            problems.append(weakness)
    return problems


def is_breached(password: str) -> bool:
    listed = _breached_passwords()
    folded = password.casefold()
    return folded in listed or _DECORATION.sub("", folded) in listed


@cache
def _breached_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _words(context: Iterable[str]) -> list[str]:
    """Each value, run together and word by word ("Jane Doe" -> "JaneDoe", "Jane", "Doe")."""
    words: list[str] = []
    for value in context:
        words.extend(["".join(value.split()), *value.split()] if value.strip() else [])
    return words


def _guessability_problem(password: str, user_inputs: list[str]) -> str | None:
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:_ZXCVBN_INPUT_LIMIT], user_inputs=[item for item in user_inputs if item])
    if result["score"] >= MIN_GUESSABILITY_SCORE:
        return None
    warning = (result.get("feedback") or {}).get("warning") or "it is a common or predictable password"
    return f"is too easy to guess ({warning.rstrip('.').lower()})"


def normalize_security_answer(answer: str) -> str:
    """Answers are compared ignoring case and spacing, as a support agent would hear them."""
    return " ".join(answer.casefold().split())


@dataclass
class SecretHasher:
    time_cost: int
    memory_kib: int
    parallelism: int

    def __post_init__(self) -> None:
        self._hasher: PasswordHasher | None = None
        self._dummy_hash: str | None = None

    @property
    def hasher(self) -> PasswordHasher:
        if self._hasher is None:
            from argon2 import PasswordHasher

            self._hasher = PasswordHasher(
                time_cost=self.time_cost, memory_cost=self.memory_kib, parallelism=self.parallelism
            )
        return self._hasher

    def hash(self, secret: str) -> str:
        return self.hasher.hash(secret)

    def verify(self, hashed: str, secret: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return self.hasher.verify(hashed, secret)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hashed: str) -> bool:
        return self.hasher.check_needs_rehash(hashed)

    def burn_equal_time(self, secret: str) -> None:
        """Verify against a throwaway hash so an unknown username costs what a known one does."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hash("not-a-real-password-0!")
        self.verify(self._dummy_hash, secret)


@cache
def secret_hasher() -> SecretHasher:
    settings = get_settings()
    return SecretHasher(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
