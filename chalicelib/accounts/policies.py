"""Lockout, throttling and session-lifetime arithmetic: pure functions of times and counts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.platform.config import Settings


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int
    duration: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> LockoutPolicy:
        return cls(settings.lockout_threshold, timedelta(hours=settings.lockout_hours))

    def is_locked(self, failed_attempts: int, last_attempt_at: datetime | None, now: datetime) -> bool:
        if failed_attempts < self.threshold or last_attempt_at is None:
            return False
        return now < last_attempt_at + self.duration

    def unlock_cutoff(self, now: datetime) -> datetime:
        """A lock whose last attempt is older than this has lapsed."""
        return now - self.duration


@dataclass(frozen=True)
class SessionPolicy:
    idle_timeout: timedelta
    max_lifetime: timedelta
    touch_interval: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(
            idle_timeout=timedelta(minutes=settings.session_idle_minutes),
            max_lifetime=timedelta(hours=settings.session_max_hours),
            touch_interval=timedelta(seconds=settings.session_touch_seconds),
        )

    def hard_expiry(self, created_at: datetime) -> datetime:
        return created_at + self.max_lifetime

    def ends_at(self, last_seen_at: datetime, hard_expiry: datetime) -> datetime:
        """When the session ends if nobody uses it again (automatic logoff)."""
        return min(last_seen_at + self.idle_timeout, hard_expiry)

    def is_over(self, last_seen_at: datetime, hard_expiry: datetime, now: datetime) -> bool:
        return now >= self.ends_at(last_seen_at, hard_expiry)

    def should_touch(self, last_seen_at: datetime, now: datetime) -> bool:
        """Record activity at most once per interval, to spare a write on every request."""
        return now - last_seen_at >= self.touch_interval


@dataclass(frozen=True)
class ResetEmailLimit:
    per_hour: int
    window: timedelta = timedelta(hours=1)

    def window_cutoff(self, now: datetime) -> datetime:
        return now - self.window


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` requests per fixed window (aligned on the epoch, so every process agrees)."""

    limit: int
    window: timedelta

    def window_start(self, now: datetime) -> int:
        seconds = int(self.window.total_seconds())
        return int(now.timestamp()) // seconds * seconds

    def window_end(self, now: datetime) -> datetime:
        return datetime.fromtimestamp(self.window_start(now), tz=now.tzinfo) + self.window

    def retry_after_seconds(self, now: datetime) -> int:
        """Whole seconds until the window ends (at least 1): the ``Retry-After`` of a refused request."""
        return max(1, math.ceil((self.window_end(now) - now).total_seconds()))


@dataclass(frozen=True)
class AnswerCheckLimit:
    """Plan support's checks of one account's security answer: at most ``wrong`` wrong ones in a window of ``window``
    that opens with the first check after the last window lapsed."""

    wrong: int = 5
    window: timedelta = timedelta(hours=24)

    def window_cutoff(self, now: datetime) -> datetime:
        """A window opened at or before this has lapsed."""
        return now - self.window

    def checks_left(self, wrong_so_far: int, window_started_at: datetime | None, now: datetime) -> int:
        if window_started_at is None or window_started_at <= self.window_cutoff(now):
            return self.wrong
        return max(0, self.wrong - wrong_so_far)

    def open_until(self, window_started_at: datetime) -> datetime:
        return window_started_at + self.window
