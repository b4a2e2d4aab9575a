"""Jinja2 for the pages: one environment, autoescape on for everything, templates in chalicelib/templates."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from chalicelib.platform.config import get_settings
from chalicelib.platform.web.assets import asset_url

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"


def us_date(value: date | datetime | str | None) -> str:
    """Dates as offices read them: MM/DD/YYYY (an ISO string is accepted; other text, as typed, is kept)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%m/%d/%Y")


def us_datetime(value: datetime | None) -> str:
    """A moment as offices read it, in the plan's time zone: 12/02/2026 9:05 AM EST."""
    if value is None:
        return ""
    local = value.astimezone(get_settings().plan_zone)
    return local.strftime("%m/%d/%Y ") + local.strftime("%I:%M %p %Z").lstrip("0")


def thousands(value: int) -> str:
    return f"{value:,}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset_url"] = asset_url
    settings = get_settings()
    env.globals["plan_name"] = settings.plan_name
    env.globals["help_line_medicaid"] = settings.help_line_medicaid
    env.globals["help_line_marketplace"] = settings.help_line_marketplace
    env.filters["us_date"] = us_date
    env.filters["us_datetime"] = us_datetime
    env.filters["thousands"] = thousands
    return env


def render(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(**context)
