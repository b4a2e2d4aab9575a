"""The CMS-0057-F prior authorization metrics as a page (plan staff): charts, the table, the CSV.

The figures are the JSON route's (``MetricsQuery``, ``PriorAuthService.metrics``); the charts are
server-rendered SVG (``priorauth.metrics_chart``), each with the table of its numbers beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.handlers.priorauth import paths
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import parse_query
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, page_route
from chalicelib.priorauth.schemas import MetricsQuery

if TYPE_CHECKING:
    from chalicelib.platform.access import Principal

metrics_pages = Blueprint(__name__)
TAG = "Pages"
LABELS = {"from": "From month", "to": "To month", "groupBy": "Per"}
MONTHS_SHOWN = 12


def _principal(page: PageRequest) -> Principal:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


def _values(page: PageRequest) -> dict[str, str]:
    today = page.now.astimezone(get_settings().plan_zone).date()
    first = today.year * 12 + today.month - MONTHS_SHOWN  # months since year 0, zero-based month
    default_from = f"{first // 12:04d}-{first % 12 + 1:02d}"
    return {"from": (page.query.get("from") or default_from).strip(),
            "to": (page.query.get("to") or f"{today.year:04d}-{today.month:02d}").strip(),
            "groupBy": (page.query.get("groupBy") or "month").strip()}


def _query(values: dict[str, str], csv: bool = False) -> MetricsQuery:
    return cast(MetricsQuery, parse_query({**values, **({"format": "csv"} if csv else {})}, MetricsQuery))


@page_route(metrics_pages, paths.METRICS, permission=Permission.PA_REVIEWER,
            tag=TAG, summary="Prior authorization metrics (CMS-0057-F), plan staff",
            description="Per month, quarter or year and urgency: decided, approved, denied, approved after appeal "
            "and after an extension, AutoAuth approvals, hours to decision; two charts and the table.")
def metrics_page(page: PageRequest) -> Page:
    from chalicelib.priorauth.metrics_chart import bar_chart

    values = _values(page)
    errors: dict[str, str] = {}
    lines = []
    try:
        query = _query(values)
        lines = wiring.current().prior_auths().metrics(_principal(page), query.from_month, query.to_month,
                                                       query.group_by)
    except ValidationFailed as error:
        errors = field_errors(error, LABELS)
    charts = [] if errors else [
        bar_chart(lines, lambda line: line.decided, "Decisions per period", "decisions"),
        bar_chart(lines, lambda line: line.median_hours_to_decision, "Median hours from receipt to decision",
                  "hours"),
    ]
    return Page("priorauth/metrics.html", {
        "title": "Prior Authorization Metrics", "values": values, "errors": errors,
        "summary_errors": summary(errors, LABELS), "lines": lines, "charts": charts,
        "csv_link": f"{paths.METRICS_CSV}?from={values['from']}&to={values['to']}&groupBy={values['groupBy']}",
        "group_choices": [{"value": v, "text": t} for v, t in (("month", "Month"), ("quarter", "Quarter"),
                                                               ("year", "Year"))],
    }, status=400 if errors else 200)


@page_route(metrics_pages, paths.METRICS_CSV, permission=Permission.PA_REVIEWER, tag=TAG, produces="text/csv",
            summary="The prior authorization metrics as CSV (plan staff)")
def metrics_csv(page: PageRequest) -> Response:
    from chalicelib.priorauth.metrics import to_csv

    query = _query(_values(page), csv=True)
    lines = wiring.current().prior_auths().metrics(_principal(page), query.from_month, query.to_month, query.group_by)
    return Response(body=to_csv(lines), status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="prior-auth-metrics-{query.from_month}-{query.to_month}.csv"',
    })
