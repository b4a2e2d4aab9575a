"""Clinical Practice Registry page: the legend, the seed's filters as a GET form, the summary, the rows.

Every color is shown with its letter (G, Y, R; N/A for gray) and its words for screen readers: never
color alone. The filters are the JSON route's (``RegistryQuery`` and ``registry_page``): a value it
refuses comes back as that field's error, beside the field, with the values kept. Measure and criteria
pick the partition; state, plans and statuses narrow it after the key, so a page may be short while more
follow: there is no total, and "More results" is the next link (DECISIONS: Lists and counts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from chalice import Blueprint

from chalicelib.handlers.layout import selected_provider
from chalicelib.handlers.reports import paths
from chalicelib.handlers.reports.routes import registry_page, registry_summary_counts
from chalicelib.messages.service import portals
from chalicelib.platform.errors import ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import parse_query
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, page_route
from chalicelib.platform.web.templating import us_date
from chalicelib.platform.web.trail import PageTrail
from chalicelib.reports import registry, roster
from chalicelib.reports.schemas import RegistryQuery

if TYPE_CHECKING:
    from chalicelib.platform.access import Principal

registry_pages = Blueprint(__name__)
TAG = "Pages"
PAGE_SIZE = 50
FILTERS = ("state", "plans", "measure", "criteria", "patientStatus", "enrollmentStatus")
LABELS = {"state": "Select State", "plans": "Select Plans", "measure": "Select Measures",
          "criteria": "Select Criteria", "patientStatus": "Select Patient Status",
          "enrollmentStatus": "Select Enrollment Status", "nextToken": "Page"}
COLORS = {
    registry.Color.GREEN: ("Green", "G", "success"), registry.Color.YELLOW: ("Yellow", "Y", "warning"),
    registry.Color.RED: ("Red", "R", "error"), registry.Color.GRAY: ("Gray", "N/A", "neutral"),
}
"""Per color: its name, what the cell shows besides the color, and the status tag's tone."""


def color_tag(color: str, measure_name: str | None = None) -> dict[str, Any]:
    name, letter, tone = COLORS[registry.Color(color)]
    words = registry.LEGEND[registry.Color(color)]
    return {"text": letter, "tone": tone, "title": f"{name}: {words}",
            "label": f"{measure_name}: {words}" if measure_name else words}


def _all(text: str, values: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"value": "", "text": text}] + [{"value": value, "text": label} for value, label in values]


def _choices(programs: list[str]) -> dict[str, list[dict[str, str]]]:
    return {
        "state": _all("All", [(p.name, p.name) for p in portals()]),
        "plans": _all("All", [(program, program) for program in programs]),
        "measure": _all("All", [(m.code, m.name) for m in registry.MEASURES]),
        "criteria": _all("All", [(c.value, COLORS[c][0]) for c in (registry.Color.RED, registry.Color.YELLOW,
                                                                   registry.Color.GREEN)]),
        "patientStatus": _all("All", [(s.value, s.value.title()) for s in registry.PatientStatus]),
        "enrollmentStatus": _all("All", [(s.value, s.value.title()) for s in registry.EnrollmentStatus]),
    }


def _typed(page: PageRequest) -> dict[str, str]:
    return {name: (page.query.get(name) or "").strip() for name in FILTERS}


def _read(principal: Principal, provider_id: str | None, values: dict[str, str],
          trail: PageTrail) -> tuple[roster.RosterScope, registry.RegistryPage]:
    params = {**values, "providerId": provider_id or "", "limit": str(PAGE_SIZE), "nextToken": trail.token or ""}
    query = cast(RegistryQuery, parse_query({k: v for k, v in params.items() if v}, RegistryQuery))
    return registry_page(principal, query)


def _row(item: Any) -> list[Any]:
    names = {m.code: m.name for m in registry.MEASURES}
    statuses = item.statuses.as_dict()
    return [f"{item.first_name} {item.last_name}", item.member_id, us_date(item.birth_date), item.program or "",
            item.patient_status.title(), item.enrollment_status.title(),
            *({"tags": [color_tag(statuses.get(code, "GRAY"), names[code])]} for code in names)]


@page_route(registry_pages, paths.REGISTRY, permission=Permission.MEMBER_REPORTS,
            summary="Clinical Practice Registry", tag=TAG,
            description="Filters as the JSON route (state, plans, measure, criteria, patientStatus, "
            "enrollmentStatus; a plan from the roster's programs), the summary per measure and color, "
            "50 rows a page (trail).")
def registry_view(page: PageRequest) -> Page:
    assert page.principal is not None  # page_route lets no request without a session through
    provider = selected_provider(page)
    provider_id = provider["provider_id"] if provider else None
    values = _typed(page)
    errors: dict[str, str] = {}
    try:
        trail = PageTrail.from_query(page.query)
        scope, found = _read(page.principal, provider_id, values, trail)
    except ValidationFailed as error:
        errors = field_errors(error, LABELS)
        trail = PageTrail()
        scope, found = roster.resolve_scope(page.principal, provider_id), None
        if set(errors) == {"nextToken"}:  # a stale or forged page link: the first page of the same filters
            scope, found = _read(page.principal, provider_id, values, trail)
    as_of, counts = registry_summary_counts(scope)
    kept = dict(values)
    measures = [{"code": m.code, "name": m.name, "description": m.description} for m in registry.MEASURES]
    return Page("reports/registry.html", {
        "title": "Clinical Practice Registry", "acts_for_provider": True, "scope": scope,
        "legend": [{"name": COLORS[c][0], "tag": color_tag(c.value), "words": words}
                   for c, words in registry.LEGEND.items()],
        "values": values,
        "choices": _choices(sorted(roster.view_count(scope.view()).programs or ())),
        "errors": errors, "summary_errors": summary(errors, LABELS), "labels": LABELS, "as_of": as_of,
        "measures": measures,
        "summary": [{**m, "cells": [{"count": m["counts"][c.value], "tag": color_tag(c.value)} for c in COLORS]}
                    for m in counts],
        "summary_colors": [COLORS[c][0] for c in COLORS],
        "table": None if found is None else {
            "id": "registry", "caption": f"Registry of {scope.label}", "total": None,
            "columns": [{"key": key, "label": label} for key, label in (
                ("name", "Member"), ("memberId", "Plan Member ID"), ("birthDate", "Birth Date"),
                ("program", "Plan"), ("patientStatus", "Patient Status"), ("enrollmentStatus", "Enrollment"))]
            + [{"key": m.code, "label": m.name} for m in registry.MEASURES],
            "rows": [_row(item) for item in found.items],
            "previous_href": trail.previous_href(paths.REGISTRY, kept),
            "next_href": trail.next_href(paths.REGISTRY, kept, found.next_token),
            "next_text": "More results", "position": f"Page {trail.number}",
            "empty": "No members on this page match the filters." + (
                " Select More results: more may follow." if found.next_token else " Change the filters and "
                "select Apply filters."),
        },
    })
