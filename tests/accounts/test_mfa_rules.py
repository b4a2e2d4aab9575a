"""Two-step verification's rules (chalicelib/accounts/mfa.py): pure, no moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from chalicelib.accounts import mfa

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2031, 11, 23, 17, 0, 10, tzinfo=UTC)
STEP = timedelta(seconds=30)


def code(at: datetime) -> str:
    return pyotp.TOTP(SECRET).at(at)


def test_the_current_code_and_one_step_either_side_match_their_steps():
    now_step = mfa.time_step(NOW)
    assert mfa.matching_step(SECRET, code(NOW), NOW) == now_step
    assert mfa.matching_step(SECRET, code(NOW - STEP), NOW) == now_step - 1
    assert mfa.matching_step(SECRET, code(NOW + STEP), NOW) == now_step + 1


def test_two_steps_away_or_another_secret_does_not_match():
    assert mfa.matching_step(SECRET, code(NOW - 2 * STEP), NOW) is None
    assert mfa.matching_step(SECRET, code(NOW + 2 * STEP), NOW) is None
    assert mfa.matching_step("KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU", code(NOW), NOW) is None


@pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", "", "12 34 5"])
def test_a_code_that_is_not_six_digits_never_matches(typed):
    assert mfa.matching_step(SECRET, typed, NOW) is None
    assert not mfa.totp_shaped(typed)


def test_spaces_in_a_typed_code_are_ignored():
    typed = code(NOW)
    assert mfa.matching_step(SECRET, f"{typed[:3]} {typed[3:]}", NOW) == mfa.time_step(NOW)


def test_a_step_is_good_once_and_never_an_earlier_one():
    step = mfa.time_step(NOW)
    assert mfa.fresh(step, None)
    assert not mfa.fresh(step, step)  # the same code again: a replay
    assert not mfa.fresh(step - 1, step)
    assert mfa.fresh(step + 1, step)
    assert not mfa.fresh(None, None)


def test_code_at_is_what_an_authenticator_app_shows():
    assert mfa.code_at(SECRET, NOW) == pyotp.TOTP(SECRET).at(NOW)


def test_new_secrets_are_160_random_bits_in_base32():
    secrets = {mfa.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(len(secret) == 32 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for secret in secrets)


def test_the_provisioning_uri_names_the_plan_and_the_account():
    uri = mfa.provisioning_uri(SECRET, "demo.group", "Heartland Health Plan")
    assert uri.startswith("otpauth://totp/Heartland%20Health%20Plan:demo.group?")
    assert f"secret={SECRET}" in uri
    assert "issuer=Heartland%20Health%20Plan" in uri


def test_the_qr_code_is_an_inline_svg_without_script_or_style_named_for_screen_readers():
    svg = mfa.qr_svg(mfa.provisioning_uri(SECRET, "demo.group", "Heartland Health Plan"), "QR code for demo.group")
    assert svg.startswith('<svg role="img" ')
    assert "<title>QR code for demo.group</title>" in svg
    assert "<script" not in svg
    assert "style=" not in svg
    assert "<?xml" not in svg


def test_the_secret_is_grouped_by_four_for_typing():
    assert mfa.grouped("ABCDEFGHIJKL") == "ABCD EFGH IJKL"


def test_recovery_codes_are_ten_distinct_80_bit_codes_without_look_alike_symbols():
    codes = mfa.new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(len(c) == 16 and set(c) <= set(mfa.RECOVERY_CODE_ALPHABET) for c in codes)
    assert not set("01IO") & set(mfa.RECOVERY_CODE_ALPHABET)
    assert len(mfa.RECOVERY_CODE_ALPHABET) == 32  # 16 symbols x 5 bits = 80 bits


def test_a_recovery_code_is_read_in_any_case_with_or_without_dashes():
    code_ = mfa.new_recovery_codes()[0]
    shown = mfa.formatted_recovery_code(code_)
    assert shown.count("-") == 3
    assert shown.replace("-", "") == code_
    assert mfa.normalized_recovery_code(shown.lower()) == code_
    assert mfa.normalized_recovery_code(f" {code_[:8]} {code_[8:]} ") == code_
    assert mfa.normalized_recovery_code("O" + code_[1:]) is None  # not of the alphabet
    assert mfa.normalized_recovery_code(code_[:15]) is None
    assert not mfa.totp_shaped(code_)


def test_recovery_code_hashes_are_keyed_per_account():
    code_ = "ABCDEFGHJKLMNPQR"
    assert mfa.recovery_code_hash("demo.group", code_) == mfa.recovery_code_hash(" Demo.Group ", code_)
    assert mfa.recovery_code_hash("demo.group", code_) != mfa.recovery_code_hash("demo.jdoe", code_)
    assert code_ not in mfa.recovery_code_hash("demo.group", code_)
    assert len(mfa.recovery_code_hashes("demo.group", [code_, code_, "BCDEFGHJKLMNPQRS"])) == 2


def test_a_challenge_lasts_five_minutes_and_five_wrong_codes():
    expires = mfa.challenge_expiry(NOW)
    assert expires == NOW + timedelta(minutes=5)
    assert mfa.challenge_open(expires, 4, NOW + timedelta(minutes=4, seconds=59))
    assert not mfa.challenge_open(expires, 5, NOW)
    assert not mfa.challenge_open(expires, 0, expires)


def test_a_remembered_browser_lasts_30_days_and_until_any_forgetting_event():
    created = NOW
    expires = mfa.browser_expiry(created)
    assert expires == NOW + timedelta(days=30)
    assert mfa.remembered(created, expires, NOW + timedelta(days=29), [None, NOW - timedelta(days=1)])
    assert not mfa.remembered(created, expires, expires, [])
    assert not mfa.remembered(created, expires, NOW + timedelta(days=1), [NOW + timedelta(hours=1)])  # a reset since
    assert not mfa.remembered(created, expires, NOW + timedelta(days=1), [NOW])  # made in the reset's instant
