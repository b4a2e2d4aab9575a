"""The inactivity rules alone (no AWS): when an account is unused, what counts as its last activity, its bucket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.accounts import inactivity

NOW = datetime(2031, 11, 23, 17, 0, tzinfo=UTC)


def test_more_than_the_days_is_unused_and_exactly_that_many_is_not() -> None:
    assert inactivity.is_unused(NOW - timedelta(days=91), NOW, 90)
    assert inactivity.is_unused(NOW - timedelta(days=90, seconds=1), NOW, 90)
    assert not inactivity.is_unused(NOW - timedelta(days=90), NOW, 90)
    assert not inactivity.is_unused(NOW - timedelta(days=89), NOW, 90)
    assert inactivity.cutoff(NOW, 90) == datetime(2031, 8, 25, 17, 0, tzinfo=UTC)
    assert inactivity.cutoff(NOW, 30) == NOW - timedelta(days=30)  # the stage's setting, not a constant


def test_the_last_activity_is_the_last_login_else_the_activation_else_the_registration() -> None:
    created, activated, logged_in = NOW - timedelta(days=300), NOW - timedelta(days=200), NOW - timedelta(days=5)
    assert inactivity.last_activity(logged_in, activated, created) == logged_in
    assert inactivity.last_activity(None, activated, created) == activated
    assert inactivity.last_activity(None, None, created) == created


def test_usernames_spread_over_a_few_buckets_the_same_way_whatever_their_case() -> None:
    buckets = inactivity.all_buckets()
    assert len(buckets) == inactivity.BUCKETS == len(set(buckets))
    assert inactivity.bucket_of("Jdoe.Office ") == inactivity.bucket_of("jdoe.office")
    spread = {inactivity.bucket_of(f"user{n}") for n in range(200)}
    assert spread == set(buckets)  # 200 usernames land in every bucket: no one index partition takes every login
