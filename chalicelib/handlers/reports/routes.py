"""Member reports' JSON routes and events: the Provider Membership List, the Clinical Practice Registry, CSV
exports and their schedules. ``membership_page`` and ``registry_page`` are what the routes and the pages share."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Rate, Response

from chalicelib import wiring
from chalicelib.members.alerts import ALERT_LEGEND, labelled
from chalicelib.platform import metrics
from chalicelib.platform.access import Principal, scope_of
from chalicelib.platform.config import get_settings
from chalicelib.platform.dynamo.paging import SearchPage
from chalicelib.platform.logs import logger
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import api_route
from chalicelib.reports import registry, roster
from chalicelib.reports.enums import ExportStatus, Frequency
from chalicelib.reports.exports import EXPORTS_QUEUE

if TYPE_CHECKING:
    from chalicelib.platform.web.schemas import ListQuery
    from chalicelib.reports.schemas import (
        ExportRequest,
        RegistryQuery,
        RegistrySummaryQuery,
        RosterQuery,
        SubscriptionRequest,
    )
    from chalicelib.reports.store import ExportJobModel, ExportSubscriptionModel

report_routes = Blueprint(__name__)
TAG = "Member reports"


@api_route(report_routes, "/reports/membership", permission=Permission.MEMBER_REPORTS,
           tag=TAG, summary="Provider Membership List (PCP roster)",
           query="reports:RosterQuery", response="reports:RosterOut", errors=(404,),
           description="Members attributed to a provider you act for, by last name, a page at a time, with the "
           "record count. A group account lists the whole group with its own provider ID (the default) or one "
           "of its providers. Filter by one of the roster's programs.")
def membership_list(principal: Principal, query: RosterQuery) -> dict[str, Any]:
    page = membership_page(principal, query)
    scope = page.scope
    return {
        "provider": scope.label, "whole_group": scope.whole_group, "count": page.count,
        "next_token": page.next_token, "programs": page.programs,
        "alert_legend": [{"alert_type": kind, "label": label} for kind, label in ALERT_LEGEND.items()],
        "items": [{**item.attribute_values, "alerts": labelled(item.alerts)} for item in page.items],
    }


def membership_page(principal: Principal, query: RosterQuery, *, descending: bool = False) -> roster.RosterPage:
    """One page of the roster the query names (by last name, A to Z, or Z to A with ``descending``)."""
    scope = roster.resolve_scope(principal, query.provider_id)
    return roster.page(principal, scope, query.program, query.limit, query.next_token,
                       now=wiring.current().now(), descending=descending)


def export_body(job: ExportJobModel) -> dict[str, Any]:
    ready = job.status == ExportStatus.COMPLETED.value
    return {**job.attribute_values, "download_path": f"/reports/membership-exports/{job.export_id}/download"
            if ready else None}


@api_route(report_routes, "/reports/membership-exports", permission=Permission.MEMBER_REPORTS,
           method="POST", tag=TAG, status=202,
           summary="Export the entire group's member list as CSV", body="reports:ExportRequest",
           response="reports:ExportOut", errors=(404,),
           description="Answers at once with a QUEUED job; an email says when it is ready (7 days).")
def start_export(principal: Principal, body: ExportRequest) -> dict[str, Any]:
    scope = roster.resolve_scope(principal, body.provider_id)
    return export_body(wiring.current().exports().request(principal, scope))


def tax_id_of(principal: Principal) -> str:
    return roster.resolve_scope(principal, None).tax_id


def visible_exports(principal: Principal, limit: int, token: str | None) -> SearchPage[ExportJobModel]:
    """The Tax ID's exports, newest first; of those, the ones this user may see."""
    page = wiring.current().exports().list_for(tax_id_of(principal), limit, token)
    return SearchPage([job for job in page.items if scope_of(principal).sees(job.provider_id, job.tax_id)],
                      page.next_token)


@api_route(report_routes, "/reports/membership-exports", permission=Permission.MEMBER_REPORTS,
           tag=TAG, summary="Your exports, newest first",
           query="base:ListQuery", response="reports:ExportList", errors=(404,))
def list_exports(principal: Principal, query: ListQuery) -> dict[str, Any]:
    page = visible_exports(principal, query.limit, query.next_token)
    return {"items": [export_body(job) for job in page.items], "next_token": page.next_token}


@api_route(report_routes, "/reports/membership-exports/{exportId}", permission=Permission.MEMBER_REPORTS,
           tag=TAG, summary="An export's status",
           response="reports:ExportOut", errors=(404,))
def get_export(principal: Principal, exportId: str) -> dict[str, Any]:
    return export_body(wiring.current().exports().get(principal, exportId))


@api_route(report_routes, "/reports/membership-exports/{exportId}/download", permission=Permission.MEMBER_REPORTS,
           tag=TAG, status=302,
           summary="Download a finished export (redirects to a one-minute link)", errors=(404, 409, 410),
           produces="text/csv")
def download_export(principal: Principal, exportId: str) -> Response:
    url = wiring.current().exports().download_url(principal, exportId)
    return Response(body="", status_code=302, headers={"Location": url})


def subscription_body(subscription: ExportSubscriptionModel) -> dict[str, Any]:
    return {**subscription.attribute_values, "active": subscription.active is not None}


@api_route(report_routes, "/reports/membership-export-subscriptions", permission=Permission.MEMBER_REPORTS,
           method="POST", tag=TAG, status=201,
           summary="Export a roster every week or month", body="reports:SubscriptionRequest",
           response="reports:SubscriptionOut", errors=(404,))
def subscribe(principal: Principal, body: SubscriptionRequest) -> dict[str, Any]:
    scope = roster.resolve_scope(principal, body.provider_id)
    return subscription_body(wiring.current().exports().subscribe(principal, scope, Frequency(body.frequency)))


@api_route(report_routes, "/reports/membership-export-subscriptions", permission=Permission.MEMBER_REPORTS,
           tag=TAG, summary="Your scheduled exports",
           query="base:ListQuery", response="reports:SubscriptionList", errors=(404,))
def list_subscriptions(principal: Principal, query: ListQuery) -> dict[str, Any]:
    page = wiring.current().exports().subscriptions_page(principal, tax_id_of(principal), query.limit,
                                                         query.next_token)
    return {"items": [subscription_body(item) for item in page.items], "next_token": page.next_token}


@api_route(report_routes, "/reports/membership-export-subscriptions/{subscriptionId}",
           permission=Permission.MEMBER_REPORTS, method="DELETE", tag=TAG,
           status=204, summary="Stop a scheduled export", errors=(404,))
def unsubscribe(principal: Principal, subscriptionId: str) -> None:
    wiring.current().exports().unsubscribe(principal, subscriptionId)


@report_routes.on_sqs_message(queue=get_settings().resource_name(EXPORTS_QUEUE), batch_size=1)
def run_membership_exports(event: Any) -> None:
    try:
        for message in event:
            status = wiring.current().exports().run(json.loads(message.body)["exportId"])
            logger.info("export run", extra={"status": status})
    finally:
        metrics.flush()


@report_routes.schedule(Rate(15, unit=Rate.MINUTES))
def start_scheduled_exports(event: Any) -> None:
    started = wiring.current().exports().run_due_subscriptions()
    if started:
        logger.info("scheduled exports started", extra={"count": started})
        metrics.count("ScheduledExportsStarted", started)
    metrics.flush()


def _legend() -> list[dict[str, str]]:
    return [{"color": color.value, "label": label} for color, label in registry.LEGEND.items()]


def _measures() -> list[dict[str, str]]:
    return [{"code": m.code, "name": m.name, "description": m.description} for m in registry.MEASURES]


def _split(values: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (values or "").split(",") if part.strip())


def registry_page(principal: Principal, query: RegistryQuery) -> tuple[roster.RosterScope, registry.RegistryPage]:
    """The registry page the query's filters name: one Query on the partition the measure and criteria pick."""
    scope = roster.resolve_scope(principal, query.provider_id)
    filters = registry.RegistryFilters(
        measure=query.measure,
        criteria=registry.Color(query.criteria) if query.criteria else None,
        states=_split(query.state), plans=_split(query.plans),
        patient_status=registry.PatientStatus(query.patient_status) if query.patient_status else None,
        enrollment_status=registry.EnrollmentStatus(query.enrollment_status) if query.enrollment_status else None,
    )
    return scope, registry.page(principal, scope, filters, query.limit, query.next_token, now=wiring.current().now())


def registry_summary_counts(scope: roster.RosterScope) -> tuple[str | None, list[dict[str, Any]]]:
    """The registry's as-of day and its counts per measure and color (computed when it was loaded)."""
    found = registry.summary(scope)
    counts = found.counts if found else {}
    return found.as_of if found else None, [
        {"code": m.code, "name": m.name,
         "counts": {color.value: counts.get(m.code, {}).get(color.value, 0) for color in registry.Color}}
        for m in registry.MEASURES]


@api_route(report_routes, "/reports/registry/measures", permission=Permission.MEMBER_REPORTS,
           tag=TAG, summary="The registry's measures",
           response="reports:MeasureList")
def registry_measures(principal: Principal) -> dict[str, Any]:
    return {"items": _measures(), "count": len(registry.MEASURES)}


@api_route(report_routes, "/reports/registry", permission=Permission.MEMBER_REPORTS,
           tag=TAG, summary="Clinical Practice Registry (gaps in care)",
           query="reports:RegistryQuery", response="reports:RegistryOut", errors=(404,),
           description="Per member and measure: GREEN service rendered, YELLOW service needed, RED past due, GRAY "
           "not applicable. Filters as the seed page: measure, criteria (color), state, plans, patient status, "
           "enrollment status. Measure and criteria pick the partition (one Query); the rest narrow it.")
def registry_list(principal: Principal, query: RegistryQuery) -> dict[str, Any]:
    scope, page = registry_page(principal, query)
    return {"provider": scope.label, "legend": _legend(), "measures": _measures(),
            "items": [{**item.attribute_values, "statuses": item.statuses.as_dict()} for item in page.items],
            "next_token": page.next_token}


@api_route(report_routes, "/reports/registry/summary", permission=Permission.MEMBER_REPORTS,
           tag=TAG, summary="Registry counts per measure and color",
           query="reports:RegistrySummaryQuery", response="reports:RegistrySummaryOut", errors=(404,))
def registry_summary(principal: Principal, query: RegistrySummaryQuery) -> dict[str, Any]:
    scope = roster.resolve_scope(principal, query.provider_id)
    as_of, measures = registry_summary_counts(scope)
    return {"provider": scope.label, "as_of": as_of, "legend": _legend(), "measures": measures}
