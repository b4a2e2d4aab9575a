import pytest

from chalicelib.accounts.passwords import SecretHasher, normalize_security_answer, password_problems


def test_a_strong_password_has_no_problems():
    assert password_problems("Lantern-Orchid-42!", username="jdoe", email="jdoe@example.org") == []


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Sh0rt!pw", "must be at least 12 characters"),
        ("UPPERCASE-ONLY-42", "must contain a lowercase letter"),
        ("lowercase-only-42", "must contain an uppercase letter"),
        ("No-Digits-Here-At-All", "must contain a digit"),
        ("NoSymbolsHere4242", "must contain a non-alphanumeric character"),
        ("A1!" + "x" * 130, "must be at most 128 characters"),
    ],
)
def test_each_unmet_rule_is_named(password, expected):
    assert expected in password_problems(password, username="someone", email="someone@example.org")


def test_every_unmet_rule_is_listed_at_once():
    problems = password_problems("abc", username="", email="")
    assert problems == [
        "must be at least 12 characters",
        "must contain an uppercase letter",
        "must contain a digit",
        "must contain a non-alphanumeric character",
    ]


def test_password_containing_the_username_is_refused():
    assert "must not contain the username" in password_problems("Xx-JaneDoe77-Yy", username="janedoe", email="")


def test_password_containing_the_email_is_refused():
    problems = password_problems("Office.Mgr-2026!", username="someone", email="office.mgr@clinic.org")
    assert "must not contain the email address" in problems


@pytest.mark.parametrize("password", ["Aaaaaaaaaaa1!", "1234Abcd!@#$", "Aa1!Aa1!Aa1!"])
def test_well_known_weak_passwords_are_refused(password):
    problems = password_problems(password, username="someone", email="someone@example.org")
    assert len(problems) == 1
    assert problems[0].startswith("is too easy to guess")


@pytest.mark.parametrize("password", ["Welcome2024!!", "!!Sunshine2031", "Password123!"])
def test_breached_passwords_are_refused_also_with_digits_and_symbols_added(password):
    from chalicelib.accounts.passwords import BREACHED

    assert password_problems(password, username="someone", email="someone@example.org") == [BREACHED]


def test_the_plan_name_and_the_persons_names_count_as_guessable():
    context = ("Heartland Health Plan", "Rosalind", "Featherstonehaugh")
    assert password_problems("Heartland2026!", username="someone", email="someone@example.org") == []
    [problem] = password_problems("Heartland2026!", username="someone", email="someone@example.org", context=context)
    assert problem.startswith("is too easy to guess")
    [problem] = password_problems("Featherstonehaugh1!", username="x", email="x@example.org", context=context)
    assert problem.startswith("is too easy to guess")


def test_security_answers_compare_without_case_or_spacing():
    assert normalize_security_answer("  New   York ") == normalize_security_answer("new york")


def test_hashes_are_argon2id_and_verify_only_the_right_secret():
    hasher = SecretHasher(time_cost=1, memory_kib=1024, parallelism=1)
    hashed = hasher.hash("Lantern-Orchid-42!")
    assert hashed.startswith("$argon2id$")
    assert "Lantern" not in hashed
    assert hasher.verify(hashed, "Lantern-Orchid-42!")
    assert not hasher.verify(hashed, "Lantern-Orchid-43!")
    assert not hasher.verify("not-a-hash", "anything")


def test_a_hash_made_with_weaker_parameters_needs_rehash():
    weak = SecretHasher(time_cost=1, memory_kib=1024, parallelism=1)
    strong = SecretHasher(time_cost=2, memory_kib=2048, parallelism=1)
    assert strong.needs_rehash(weak.hash("Lantern-Orchid-42!"))
    assert not weak.needs_rehash(weak.hash("Lantern-Orchid-42!"))
