"""Typed settings, read once from the environment.

Nothing else in the application reads ``os.environ``. Every variable is declared
per stage in ``.chalice/config.json``; the defaults below are the deployed ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

RESOURCE_NAME_PREFIX = "portal"


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    aws_endpoint_url: str | None
    plan_name: str
    portal_url: str
    sender_email: str
    sender_name: str
    help_line_medicaid: str
    help_line_marketplace: str
    session_idle_minutes: int
    session_max_hours: int
    session_touch_seconds: int
    lockout_threshold: int
    lockout_hours: int
    activation_token_hours: int
    reset_token_minutes: int
    reset_emails_per_hour: int
    practice_code_minutes: int
    practice_code_attempts: int
    inactive_days: int
    inactivity_run_limit: int
    throttle_window_seconds: int
    throttle_client_limit: int
    throttle_username_limit: int
    argon2_time_cost: int
    argon2_memory_kib: int
    argon2_parallelism: int
    log_level: str
    documents_bucket: str
    audit_archive_bucket: str
    plan_timezone: str
    payer_tax_id: str
    payer_edi_id: str
    eligibility_lookback_months: int
    upload_max_bytes: int
    eligibility_file_max_rows: int
    presigned_url_seconds: int
    aws_read_timeout_seconds: int
    malware_scanner: str

    @property
    def plan_zone(self) -> ZoneInfo:
        """The plan's own time zone: what "today", a receipt date and a deadline mean (ZoneInfo caches it)."""
        return ZoneInfo(self.plan_timezone)

    def resource_name(self, short_name: str) -> str:
        """Physical name of a table, queue or bucket, as ``infrastructure/`` names it."""
        return f"{RESOURCE_NAME_PREFIX}-{self.stage}-{short_name}"



def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def _str(name: str, default: str) -> str:
    raw = os.environ.get(name)
    return default if raw in (None, "") else raw


@cache
def get_settings() -> Settings:
    return Settings(
        stage=_str("PORTAL_STAGE", "dev"),
        region=_str("AWS_REGION", _str("AWS_DEFAULT_REGION", "us-east-1")),
        aws_endpoint_url=os.environ.get("PORTAL_AWS_ENDPOINT_URL") or None,
        plan_name=_str("PORTAL_PLAN_NAME", "Heartland Health Plan"),
        portal_url=_str("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/"),
        sender_email=_str("PORTAL_SENDER_EMAIL", "no-reply@portal.example.org"),
        sender_name=_str("PORTAL_SENDER_NAME", "webmaster"),
        help_line_medicaid=_str("PORTAL_HELP_LINE_MEDICAID", "1-855-202-1058"),
        help_line_marketplace=_str("PORTAL_HELP_LINE_MARKETPLACE", "1-833-230-2030"),
        session_idle_minutes=_int("PORTAL_SESSION_IDLE_MINUTES", 30),
        session_max_hours=_int("PORTAL_SESSION_MAX_HOURS", 12),
        session_touch_seconds=_int("PORTAL_SESSION_TOUCH_SECONDS", 60),
        lockout_threshold=_int("PORTAL_LOCKOUT_THRESHOLD", 5),
        lockout_hours=_int("PORTAL_LOCKOUT_HOURS", 24),
        activation_token_hours=_int("PORTAL_ACTIVATION_TOKEN_HOURS", 72),
        reset_token_minutes=_int("PORTAL_RESET_TOKEN_MINUTES", 60),
        reset_emails_per_hour=_int("PORTAL_RESET_EMAILS_PER_HOUR", 3),
        practice_code_minutes=_int("PORTAL_PRACTICE_CODE_MINUTES", 15),
        practice_code_attempts=_int("PORTAL_PRACTICE_CODE_ATTEMPTS", 5),
        inactive_days=_int("PORTAL_INACTIVE_DAYS", 90),
        inactivity_run_limit=_int("PORTAL_INACTIVITY_RUN_LIMIT", 500),
        throttle_window_seconds=_int("PORTAL_THROTTLE_WINDOW_SECONDS", 300),
        throttle_client_limit=_int("PORTAL_THROTTLE_CLIENT_LIMIT", 60),
        throttle_username_limit=_int("PORTAL_THROTTLE_USERNAME_LIMIT", 20),
        argon2_time_cost=_int("PORTAL_ARGON2_TIME_COST", 3),
        argon2_memory_kib=_int("PORTAL_ARGON2_MEMORY_KIB", 65536),
        argon2_parallelism=_int("PORTAL_ARGON2_PARALLELISM", 4),
        log_level=_str("POWERTOOLS_LOG_LEVEL", "INFO"),
        documents_bucket=_str("PORTAL_DOCUMENTS_BUCKET", ""),
        audit_archive_bucket=_str("PORTAL_AUDIT_ARCHIVE_BUCKET", ""),
        plan_timezone=_str("PORTAL_TIMEZONE", "America/New_York"),
        payer_tax_id=_str("PORTAL_PAYER_TAX_ID", "350000001"),
        payer_edi_id=_str("PORTAL_PAYER_EDI_ID", "HHP01"),
        eligibility_lookback_months=_int("PORTAL_ELIGIBILITY_LOOKBACK_MONTHS", 24),
        upload_max_bytes=_int("PORTAL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        eligibility_file_max_rows=_int("PORTAL_ELIGIBILITY_FILE_MAX_ROWS", 50_000),
        presigned_url_seconds=_int("PORTAL_PRESIGNED_URL_SECONDS", 900),
        aws_read_timeout_seconds=_int("PORTAL_AWS_READ_TIMEOUT_SECONDS", 5),
        malware_scanner=_str("PORTAL_MALWARE_SCANNER", "none"),
    )
