"""Exporting a whole roster as CSV, now or on a schedule.

The API records a job and queues it; the exports handler streams the roster, a page at a
time, into an S3 multipart upload (parts of 8 MiB, so memory stays flat however long the
roster), then records the job done and emails the user (no PHI: a link into the portal).
A run that fails aborts its upload and records why: no half file is ever presented as done.
"""

from __future__ import annotations

import calendar
import csv
import io
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.audit import service as trail
from chalicelib.audit.service import AuditAction, AuditEntry
from chalicelib.emails import outbox
from chalicelib.emails.templates import EmailTemplate
from chalicelib.members.alerts import alert_label
from chalicelib.platform import metrics
from chalicelib.platform.access import Principal, Role, scope_of
from chalicelib.platform.aws import queue, storage
from chalicelib.platform.clock import Clock
from chalicelib.platform.config import Settings
from chalicelib.platform.dynamo.paging import SearchPage, search_page
from chalicelib.platform.dynamo.writes import Missing, WriteFailed, condition_failed
from chalicelib.platform.errors import ExportExpired, ExportNotFound, ExportNotReady
from chalicelib.platform.logs import logger
from chalicelib.platform.security import withheld
from chalicelib.platform.spreadsheet import safe_row
from chalicelib.reports.enums import ExportStatus, Frequency
from chalicelib.reports.roster import RosterScope
from chalicelib.reports.store import (
    ACTIVE,
    MEMBER_SORT_PREFIX,
    ExportJobModel,
    ExportSubscriptionModel,
    RosterEntryModel,
    export_key,
)

if TYPE_CHECKING:
    from chalicelib.accounts.service import AccountService

EXPORTS_QUEUE = "exports"
PART_BYTES = 8 * 1024 * 1024
DISCLOSURE_BATCH = 100
"""Members recorded as disclosed at a time while the file is written: the IDs held stay few however long the roster."""
QUERY_PAGE = 3000  # about what fits in one 1 MB DynamoDB page of roster rows
AVAILABLE_FOR = timedelta(days=7)
EXPORT_PAGE = "/member-reports/exports/"
"""Where the ready email links: the export's page in the portal (a person opens it in a browser)."""
STALE_RUN = timedelta(minutes=16)
CSV_HEADER = (
    "Alerts", "First Name", "Last Name", "Plan Member ID", "Medicaid ID", "Gender", "Birth Date", "Language",
    "Member Phone", "Program Name", "PCP Provider ID", "PCP Name",
)


def next_run(after: datetime, frequency: Frequency) -> datetime:
    """A week later, or the same day next month (its last day when the month is shorter)."""
    if frequency == Frequency.WEEKLY:
        return after + timedelta(days=7)
    year, month = (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
    return after.replace(year=year, month=month, day=min(after.day, calendar.monthrange(year, month)[1]))


def csv_row(entry: RosterEntryModel) -> list[str]:
    alerts = "; ".join(f"{alert_label(a.alert_type)} ({a.appeared_on})" for a in entry.alerts)
    return safe_row((alerts, entry.first_name, entry.last_name, entry.member_id, entry.medicaid_id, entry.gender,
                     entry.birth_date, entry.language or "", entry.phone or "", entry.program or "",
                     entry.pcp_provider_id, entry.pcp_name or ""))


class MultipartCsv:
    """CSV text encoded and sent to S3 in parts as it grows; never the whole file in memory."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.upload_id = storage.start_multipart(key, "text/csv; charset=utf-8")
        self.parts: list[dict[str, object]] = []
        self.buffer = io.BytesIO()
        self.text = io.TextIOWrapper(self.buffer, encoding="utf-8", newline="", write_through=True)
        self.writer = csv.writer(self.text, lineterminator="\r\n")
        self.size = 0

    def write(self, row: list[str]) -> None:
        self.writer.writerow(row)
        if self.buffer.tell() >= PART_BYTES:
            self._send_part()

    def _send_part(self) -> None:
        data = self.buffer.getvalue()
        self.parts.append(storage.upload_part(self.key, self.upload_id, len(self.parts) + 1, data))
        self.size += len(data)
        self.buffer.seek(0)
        self.buffer.truncate()

    def complete(self) -> int:
        if self.buffer.tell() or not self.parts:
            self._send_part()
        storage.complete_multipart(self.key, self.upload_id, self.parts)
        return self.size

    def abort(self) -> None:
        storage.abort_multipart(self.key, self.upload_id)



class ExportService:
    def __init__(self, settings: Settings, accounts: AccountService, *, clock: Clock) -> None:
        self._accounts = accounts
        self._settings = settings
        self._clock = clock

    def request(self, principal: Principal, scope: RosterScope, subscription_id: str | None = None) -> ExportJobModel:
        now = self._clock()
        export_id = str(uuid.uuid4())
        job = ExportJobModel(
            export_id=export_id, status=ExportStatus.QUEUED.value, requested_by=principal.username,
            requester_role=principal.role.value, provider_id=scope.provider_id, tax_id=scope.tax_id,
            roster_key=scope.view(), scope_label=scope.label, subscription_id=subscription_id, created_at=now,
            created_key=f"{now.isoformat()}#{export_id}", ttl=now + timedelta(days=90),
        )
        job.save(condition=ExportJobModel.export_id.does_not_exist())
        queue.send_json(EXPORTS_QUEUE, {"exportId": export_id})
        trail.record(principal, AuditEntry(f"ROSTER#{scope.view()}", AuditAction.ROSTER_EXPORTED,
                                           scope.provider_id, f"export={export_id}"), now)
        return job

    def get(self, principal: Principal, export_id: str) -> ExportJobModel:
        try:
            job = ExportJobModel.get(export_id)
        except Missing:
            raise ExportNotFound() from None
        if not scope_of(principal).sees(job.provider_id, job.tax_id):
            raise withheld(principal, ExportNotFound())
        return job

    def download_url(self, principal: Principal, export_id: str) -> str:
        job = self.get(principal, export_id)
        if job.status != ExportStatus.COMPLETED.value or not job.s3_key:
            raise ExportNotReady(fields={"status": job.status})
        if job.available_until is None or self._clock() >= job.available_until:
            raise ExportExpired()
        return storage.presigned_get(job.s3_key, f"member-list-{job.provider_id}.csv", 60)

    def list_for(self, tax_id: str, limit: int, token: str | None) -> SearchPage[ExportJobModel]:
        """The Tax ID's exports, newest first: one Query of the page plus one, no total (jobs expire by TTL, so no
        maintained count could follow them, and counting would read the partition)."""
        return search_page(ExportJobModel, ExportJobModel.by_tax_id, "tax_id", tax_id, None, None, limit, token)

    def subscriptions_page(self, principal: Principal, tax_id: str, limit: int, token: str | None
                           ) -> SearchPage[ExportSubscriptionModel]:
        """The Tax ID's scheduled exports, newest first; of those, the ones this user may act for. No total."""
        found = search_page(ExportSubscriptionModel, ExportSubscriptionModel.by_tax_id, "tax_id", tax_id, None, None,
                            limit, token)
        return SearchPage([item for item in found.items if scope_of(principal).sees(item.provider_id, item.tax_id)],
                          found.next_token)

    # The exports handler

    def run(self, export_id: str) -> str:
        now = self._clock()
        try:
            job = ExportJobModel.get(export_id)
        except Missing:
            logger.warning("export message for an unknown job", extra={"export_id": export_id})
            return "UNKNOWN"
        if not self._claim(job, now):
            return ExportJobModel.get(export_id).status
        key = export_key(export_id)
        upload = MultipartCsv(key)
        rows = 0
        try:
            upload.write(list(CSV_HEADER))
            leaving: list[str] = []
            for entry in self._roster(job.roster_key):
                upload.write(csv_row(entry))
                rows += 1
                leaving.append(entry.member_id)
                if len(leaving) == DISCLOSURE_BATCH:
                    self._record_disclosures(job, leaving)
                    leaving = []
            self._record_disclosures(job, leaving)
            size = upload.complete()
        except Exception as error:
            upload.abort()
            job.update(actions=[ExportJobModel.status.set(ExportStatus.FAILED.value),
                                ExportJobModel.reason.set(f"the export stopped: {type(error).__name__}"),
                                ExportJobModel.completed_at.set(self._clock())])
            metrics.count("ExportFailed")
            logger.exception("export failed", extra={"export_id": export_id})
            raise
        job.update(actions=[
            ExportJobModel.status.set(ExportStatus.COMPLETED.value), ExportJobModel.s3_key.set(key),
            ExportJobModel.rows.set(rows), ExportJobModel.size_bytes.set(size),
            ExportJobModel.completed_at.set(self._clock()),
            ExportJobModel.available_until.set(self._clock() + AVAILABLE_FOR),
        ])
        self._notify(job)
        metrics.count("ExportRows", rows)
        logger.info("export completed", extra={"export_id": export_id, "rows": rows, "bytes": size})
        return ExportStatus.COMPLETED.value

    @staticmethod
    def _record_disclosures(job: ExportJobModel, member_ids: list[str]) -> None:
        """Each member the file carries gets its own audit record, in its own trail: "left in export <id>"."""
        trail.record_disclosures(
            job.requested_by, job.requester_role, f"export-{job.export_id}",
            (AuditEntry(member_id, AuditAction.MEMBER_EXPORTED, job.provider_id, f"left in export {job.export_id}")
             for member_id in member_ids),
            job.created_at,
        )

    @staticmethod
    def _roster(view: str) -> Iterator[RosterEntryModel]:
        yield from RosterEntryModel.query(view, RosterEntryModel.sort_key.startswith(MEMBER_SORT_PREFIX),
                                          page_size=QUERY_PAGE)

    @staticmethod
    def _claim(job: ExportJobModel, now: datetime) -> bool:
        try:
            job.update(
                actions=[ExportJobModel.status.set(ExportStatus.RUNNING.value), ExportJobModel.started_at.set(now)],
                condition=(ExportJobModel.status == ExportStatus.QUEUED.value)
                | ((ExportJobModel.status == ExportStatus.RUNNING.value)
                   & (ExportJobModel.started_at < now - STALE_RUN)),
            )
        except WriteFailed as error:
            if condition_failed(error):
                return False
            raise
        return True

    def _notify(self, job: ExportJobModel) -> None:
        email = self._accounts.email_of(job.requested_by)
        if email is None:
            return
        message = outbox.new_email(
            EmailTemplate.EXPORT_READY, email,
            {"username": job.requested_by, "link": f"{self._settings.portal_url}{EXPORT_PAGE}{job.export_id}"},
            self._clock(),
        )
        message.save()
        outbox.publish([message])

    # Subscriptions

    def subscribe(self, principal: Principal, scope: RosterScope, frequency: Frequency) -> ExportSubscriptionModel:
        now = self._clock()
        subscription_id = str(uuid.uuid4())
        subscription = ExportSubscriptionModel(
            subscription_id=subscription_id, active=ACTIVE, frequency=frequency.value,
            requested_by=principal.username, requester_role=principal.role.value, provider_id=scope.provider_id,
            tax_id=scope.tax_id, roster_key=scope.view(), scope_label=scope.label,
            next_run_at=next_run(now, frequency).isoformat(), created_at=now,
            created_key=f"{now.isoformat()}#{subscription_id}",
        )
        subscription.save(condition=ExportSubscriptionModel.subscription_id.does_not_exist())
        return subscription

    def subscription(self, principal: Principal, subscription_id: str) -> ExportSubscriptionModel:
        try:
            found = ExportSubscriptionModel.get(subscription_id)
        except Missing:
            raise ExportNotFound("No such subscription.") from None
        if not scope_of(principal).sees(found.provider_id, found.tax_id):
            raise withheld(principal, ExportNotFound("No such subscription."))
        return found

    def unsubscribe(self, principal: Principal, subscription_id: str) -> None:
        found = self.subscription(principal, subscription_id)
        found.update(actions=[ExportSubscriptionModel.active.remove(), ExportSubscriptionModel.next_run_at.remove()])

    def run_due_subscriptions(self) -> int:
        """Start an export for every subscription whose time has come (one Query on the due index)."""
        now = self._clock()
        started = 0
        for subscription in ExportSubscriptionModel.due.query(
                ACTIVE, ExportSubscriptionModel.next_run_at <= now.isoformat()):
            due_at = subscription.next_run_at
            following = next_run(max(now, datetime.fromisoformat(due_at or now.isoformat())),
                                 Frequency(subscription.frequency))
            try:
                subscription.update(actions=[ExportSubscriptionModel.next_run_at.set(following.isoformat())],
                                    condition=ExportSubscriptionModel.next_run_at == due_at)
            except WriteFailed as error:
                if condition_failed(error):
                    continue  # another run took it
                raise
            owner = Principal(
                username=subscription.requested_by, role=Role(subscription.requester_role),
                provider_type=None, provider_ids=(), tax_ids=(subscription.tax_id,), states=(),
                home_provider_id=subscription.provider_id, session_id="", session_ends_at=now,
                session_hard_expiry=now,
            )
            scope = RosterScope(subscription.provider_id, subscription.tax_id, subscription.scope_label,
                                subscription.roster_key.startswith("TAX#"))
            job = self.request(owner, scope, subscription.subscription_id)
            subscription.update(actions=[ExportSubscriptionModel.last_export_id.set(job.export_id)])
            started += 1
        return started



