"""Membership List exports in the browser: export now, an export's status and its download, your downloads,
scheduled exports (weekly or monthly) with cancel.

"Export CSV now" records a job and queues it (the export service, as ``POST /reports/membership-exports``);
the status page shows it QUEUED, RUNNING, then ready with the download (portal.js refreshes it in place).
The download is the service's one-minute S3 link, reached through this page route so the session cookie,
not a bearer token, authorizes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.handlers.layout import selected_provider
from chalicelib.handlers.reports import paths
from chalicelib.handlers.reports.routes import tax_id_of, visible_exports
from chalicelib.platform.errors import ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import parse_query
from chalicelib.platform.web.forms import field_errors, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route
from chalicelib.platform.web.trail import PageTrail
from chalicelib.reports import roster
from chalicelib.reports.enums import ExportStatus, Frequency
from chalicelib.reports.schemas import SubscriptionRequest

if TYPE_CHECKING:
    from chalicelib.platform.access import Principal

export_pages = Blueprint(__name__)
TAG = "Pages"
PAGE_SIZE = 20
LABELS = {"frequency": "How often"}
STATUS_TAGS = {
    ExportStatus.QUEUED.value: ("Queued", "neutral"), ExportStatus.RUNNING.value: ("Running", "info"),
    ExportStatus.COMPLETED.value: ("Ready", "success"), ExportStatus.FAILED.value: ("Failed", "error"),
}
FREQUENCIES = [{"value": Frequency.WEEKLY.value, "text": "Weekly"},
               {"value": Frequency.MONTHLY.value, "text": "Monthly"}]


def _principal(page: PageRequest) -> Principal:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


def _scope(page: PageRequest) -> roster.RosterScope:
    provider = selected_provider(page)
    return roster.resolve_scope(_principal(page), provider["provider_id"] if provider else None)


@page_route(export_pages, paths.EXPORTS, permission=Permission.MEMBER_REPORTS,
            method="POST", summary="Export CSV now (the selected provider's roster)",
            tag=TAG, description="Records a queued export job (the JSON route's service) and shows its page.")
def export_now(page: PageRequest) -> Redirect:
    job = wiring.current().exports().request(_principal(page), _scope(page))
    return Redirect(paths.export(job.export_id))


def export_view(job: Any, now: Any) -> dict[str, Any]:
    text, tone = STATUS_TAGS.get(job.status, (job.status, "neutral"))
    ready = job.status == ExportStatus.COMPLETED.value
    return {"job": job, "status_text": text, "status_tone": tone, "ready": ready,
            "expired": ready and (job.available_until is None or now >= job.available_until),
            "waiting": job.status in (ExportStatus.QUEUED.value, ExportStatus.RUNNING.value),
            "link": paths.export(job.export_id), "download": paths.export_download(job.export_id)}


@page_route(export_pages, paths.EXPORT, permission=Permission.MEMBER_REPORTS,
            summary="An export: queued, running, or ready with its download", tag=TAG)
def export_status(page: PageRequest, exportId: str) -> Page:
    job = wiring.current().exports().get(_principal(page), exportId)
    return Page("reports/export.html", {"title": "Membership List export", "export": export_view(job, page.now),
                                        "exports_link": paths.EXPORTS, "membership_link": paths.MEMBERSHIP})


@page_route(export_pages, paths.EXPORT_DOWNLOAD, permission=Permission.MEMBER_REPORTS,
            summary="Download a finished export (a one-minute link)", tag=TAG,
            produces="text/csv", description="Redirects to the file; before it is ready, or after 7 days, the "
            "error page says so (409 / 410).")
def export_download(page: PageRequest, exportId: str) -> Response:
    url = wiring.current().exports().download_url(_principal(page), exportId)
    return Response(body="", status_code=302, headers={"Location": url})


def exports_page(page: PageRequest, *, errors: dict[str, str] | None = None, frequency: str = "",
                 status: int = 200) -> Page:
    principal = _principal(page)
    trail = PageTrail.from_query(page.query)
    found = visible_exports(principal, PAGE_SIZE, trail.token)
    subscriptions = wiring.current().exports().subscriptions_page(principal, tax_id_of(principal), 50, None)
    errors = errors or {}
    return Page("reports/exports.html", {
        "title": "Membership List downloads", "acts_for_provider": True,
        "exports": [export_view(job, page.now) for job in found.items],
        "previous_link": trail.previous_href(paths.EXPORTS, {}),
        "next_link": trail.next_href(paths.EXPORTS, {}, found.next_token),
        "subscriptions": [item for item in subscriptions.items if item.active is not None],
        "more_subscriptions": bool(subscriptions.next_token),
        "frequencies": FREQUENCIES, "frequency": frequency, "errors": errors, "summary_errors": summary(errors, LABELS),
        "scope_label": _scope(page).label, "membership_link": paths.MEMBERSHIP,
    }, status=status)


@page_route(export_pages, paths.EXPORTS, permission=Permission.MEMBER_REPORTS,
            summary="Your Membership List downloads and scheduled exports", tag=TAG)
def exports(page: PageRequest) -> Page:
    return exports_page(page)


@page_route(export_pages, paths.SUBSCRIPTIONS, permission=Permission.MEMBER_REPORTS,
            method="POST", summary="Schedule an export every week or month",
            tag=TAG, description="The selected provider's roster; the form comes back with the field error when "
            "the frequency is not one offered.")
def subscribe(page: PageRequest) -> Page | Redirect:
    frequency = (page.form.get("frequency") or "").strip()
    scope = _scope(page)
    try:
        body = cast(SubscriptionRequest, parse_query({"frequency": frequency, "providerId": scope.provider_id},
                                                     SubscriptionRequest))
    except ValidationFailed as error:
        errors = field_errors(error, LABELS)
        if "frequency" in errors:
            errors["frequency"] = "Choose how often: weekly or monthly"
        return exports_page(page, errors=errors, frequency=frequency, status=400)
    wiring.current().exports().subscribe(_principal(page), scope, Frequency(body.frequency))
    return Redirect(f"{paths.EXPORTS}#subscriptions-heading")


@page_route(export_pages, paths.SUBSCRIPTION_CANCEL, permission=Permission.MEMBER_REPORTS,
            method="POST", summary="Cancel a scheduled export", tag=TAG)
def cancel_subscription(page: PageRequest, subscriptionId: str) -> Redirect:
    wiring.current().exports().unsubscribe(_principal(page), subscriptionId)
    return Redirect(f"{paths.EXPORTS}#subscriptions-heading")
