from datetime import UTC, datetime, timedelta

from chalicelib.accounts.policies import LockoutPolicy, SessionPolicy

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LOCKOUT = LockoutPolicy(threshold=5, duration=timedelta(hours=24))
SESSIONS = SessionPolicy(
    idle_timeout=timedelta(minutes=30), max_lifetime=timedelta(hours=12), touch_interval=timedelta(seconds=60)
)


def test_four_failures_do_not_lock():
    assert not LOCKOUT.is_locked(4, NOW, NOW)


def test_five_failures_lock_for_24_hours_from_the_last_attempt():
    last = NOW - timedelta(hours=23, minutes=59, seconds=59)
    assert LOCKOUT.is_locked(5, last, NOW)
    assert not LOCKOUT.is_locked(5, NOW - timedelta(hours=24), NOW)


def test_unlock_cutoff_is_exactly_the_lock_duration_ago():
    assert LOCKOUT.unlock_cutoff(NOW) == NOW - timedelta(hours=24)


def test_session_ends_30_minutes_after_last_use():
    hard = SESSIONS.hard_expiry(NOW)
    assert SESSIONS.ends_at(NOW, hard) == NOW + timedelta(minutes=30)
    assert not SESSIONS.is_over(NOW, hard, NOW + timedelta(minutes=29, seconds=59))
    assert SESSIONS.is_over(NOW, hard, NOW + timedelta(minutes=30))


def test_session_ends_after_12_hours_however_busy():
    created = NOW
    hard = SESSIONS.hard_expiry(created)
    last_use = created + timedelta(hours=11, minutes=59)
    assert SESSIONS.ends_at(last_use, hard) == created + timedelta(hours=12)
    assert SESSIONS.is_over(last_use, hard, created + timedelta(hours=12))


def test_activity_is_recorded_at_most_once_a_minute():
    assert not SESSIONS.should_touch(NOW, NOW + timedelta(seconds=59))
    assert SESSIONS.should_touch(NOW, NOW + timedelta(seconds=60))
