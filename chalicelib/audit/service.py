"""Writing and reading the audit trail of member data."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import batched
from typing import Any

from chalicelib.audit import archive as archive_store
from chalicelib.audit.store import AuditEventModel, audit_sort_key, member_start_key, user_start_key
from chalicelib.platform.access import Principal
from chalicelib.platform.dynamo.paging import decode_page_token, encode_page_token
from chalicelib.platform.dynamo.writes import Transaction, TransactionCancelled, cancelled_by_condition, transaction
from chalicelib.platform.logs import correlation_id as current_correlation_id
from chalicelib.platform.logs import logger

TRANSACTION_ITEMS = 100
"""DynamoDB's most items in one TransactWriteItems."""


class AuditAction(StrEnum):
    ELIGIBILITY_CHECK = "ELIGIBILITY_CHECK"
    BATCH_ELIGIBILITY_CHECK = "BATCH_ELIGIBILITY_CHECK"
    CONSENT_FORM_UPLOAD_REQUESTED = "CONSENT_FORM_UPLOAD_REQUESTED"
    CONSENT_FORMS_VIEWED = "CONSENT_FORMS_VIEWED"
    DOCUMENT_VIEWED = "DOCUMENT_VIEWED"
    MEMBER_VIEWED = "MEMBER_VIEWED"
    ROSTER_VIEWED = "ROSTER_VIEWED"
    ROSTER_EXPORTED = "ROSTER_EXPORTED"
    REGISTRY_VIEWED = "REGISTRY_VIEWED"
    PRIOR_AUTH_SUBMITTED = "PRIOR_AUTH_SUBMITTED"
    PRIOR_AUTH_VIEWED = "PRIOR_AUTH_VIEWED"
    PRIOR_AUTH_DECIDED = "PRIOR_AUTH_DECIDED"
    PRIOR_AUTHS_SEARCHED = "PRIOR_AUTHS_SEARCHED"
    CLAIM_SUBMITTED = "CLAIM_SUBMITTED"
    CLAIM_VIEWED = "CLAIM_VIEWED"
    CLAIMS_SEARCHED = "CLAIMS_SEARCHED"
    PAYMENT_VIEWED = "PAYMENT_VIEWED"
    MEMBER_EXPORTED = "MEMBER_EXPORTED"
    # Accounts: who changed whose access (the record's subject is ``account_subject(username)``)
    PRACTICE_CONFIRMED = "PRACTICE_CONFIRMED"
    PRACTICE_CONFIRMED_BY_SUPPORT = "PRACTICE_CONFIRMED_BY_SUPPORT"
    USER_APPROVED = "USER_APPROVED"
    USER_DENIED = "USER_DENIED"
    USER_PERMISSIONS_CHANGED = "USER_PERMISSIONS_CHANGED"
    USER_DEACTIVATED = "USER_DEACTIVATED"
    USER_REACTIVATED = "USER_REACTIVATED"
    USER_UNLOCKED = "USER_UNLOCKED"
    USER_PASSWORD_RESET_SENT = "USER_PASSWORD_RESET_SENT"  # noqa: S105 (an action, not a secret)
    USER_REMOVED = "USER_REMOVED"
    USER_DEACTIVATED_UNUSED = "USER_DEACTIVATED_UNUSED"  # by the inactivity job (actor "system")
    USER_REACTIVATED_BY_RESET = "USER_REACTIVATED_BY_RESET"  # the user's own password reset after inactivity
    DEFAULT_PERMISSIONS_CHANGED = "DEFAULT_PERMISSIONS_CHANGED"
    # Accounts: the second factor
    MFA_ENROLMENT_STARTED = "MFA_ENROLMENT_STARTED"
    MFA_ENROLLED = "MFA_ENROLLED"
    MFA_CODE_FAILED = "MFA_CODE_FAILED"
    MFA_RECOVERY_CODE_USED = "MFA_RECOVERY_CODE_USED"
    MFA_RECOVERY_CODES_REGENERATED = "MFA_RECOVERY_CODES_REGENERATED"
    MFA_RESET = "MFA_RESET"
    # My Account: the user's own changes (in ``account_subject``) and its sign-ins (in ``sign_in_subject``)
    EMAIL_CHANGE_REQUESTED = "EMAIL_CHANGE_REQUESTED"
    EMAIL_CHANGED = "EMAIL_CHANGED"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"  # noqa: S105 (an action, not a secret)
    SECURITY_QUESTION_CHANGED = "SECURITY_QUESTION_CHANGED"
    SESSION_ENDED = "SESSION_ENDED"
    OTHER_SESSIONS_ENDED = "OTHER_SESSIONS_ENDED"
    SIGNED_IN = "SIGNED_IN"
    SIGN_IN_FAILED = "SIGN_IN_FAILED"
    SIGN_IN_LOCKED = "SIGN_IN_LOCKED"
    PASSWORD_CHECK_FAILED = "PASSWORD_CHECK_FAILED"  # noqa: S105 (a wrong current password on My Account)
    # Account Linker: a provider of another Tax ID linked to a login (who asked, who decided, which Tax ID)
    LINK_REQUESTED = "LINK_REQUESTED"
    LINK_APPROVED = "LINK_APPROVED"
    LINK_DENIED = "LINK_DENIED"
    LINK_CONFIRMED = "LINK_CONFIRMED"
    LINK_CONFIRMED_BY_SUPPORT = "LINK_CONFIRMED_BY_SUPPORT"
    LINK_REMOVED = "LINK_REMOVED"
    IMPERSONATION_STARTED = "IMPERSONATION_STARTED"
    IMPERSONATION_ENDED = "IMPERSONATION_ENDED"
    # Plan support's Account Help (an unlock there is USER_UNLOCKED, its detail naming plan support)
    SECURITY_ANSWER_CHECKED = "SECURITY_ANSWER_CHECKED"
    ACTIVATION_EMAIL_RESENT = "ACTIVATION_EMAIL_RESENT"


def account_subject(username: str) -> str:
    """The trail of an account's own events (who approved, changed, deactivated it), kept beside the members' trails
    under a key no member ID can take: Manage Users reads it, and the actor's trail (``by_user``) shows what each
    administrator did."""
    return f"ACCOUNT#{username.strip().lower()}"


def sign_in_subject(username: str) -> str:
    """The trail of an account's sign-ins and failed attempts, apart from its changes so My Account pages it by key
    (a Query of its own partition, newest first) without reading anything else."""
    return f"SIGNIN#{username.strip().lower()}"


def tax_id_subject(tax_id: str) -> str:
    return f"TAXID#{tax_id}"


class SubjectKind(StrEnum):
    """Whose trail a record is kept in: a member's, an account's changes, an account's sign-ins, a Tax ID's."""

    MEMBER = "MEMBER"
    ACCOUNT = "ACCOUNT"
    SIGN_IN = "SIGN_IN"
    TAX_ID = "TAX_ID"


_SUBJECT_PREFIXES = {"ACCOUNT#": SubjectKind.ACCOUNT, "SIGNIN#": SubjectKind.SIGN_IN, "TAXID#": SubjectKind.TAX_ID}


def subject_of(key: str) -> tuple[SubjectKind, str]:
    """The kind and the plain ID behind a trail's key; a member ID carries no prefix (none has a ``#``)."""
    prefix, separator, rest = key.partition("#")
    kind = _SUBJECT_PREFIXES.get(prefix + separator)
    return (kind, rest) if kind else (SubjectKind.MEMBER, key)


def event_view(event: AuditEventModel) -> dict[str, Any]:
    """A record as the routes answer it: ``memberId`` only for a member's trail, and the subject it is kept under
    (its kind and plain ID) for every record, never the store's prefixed key."""
    kind, subject = subject_of(event.member_id)
    view = {**event.attribute_values, "subject_kind": kind.value, "subject": subject}
    view["member_id"] = subject if kind is SubjectKind.MEMBER else None
    return view


@dataclass(frozen=True)
class AuditEntry:
    member_id: str
    action: AuditAction
    acting_for_provider_id: str | None
    detail: str | None = None
    client_address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class AuditPage:
    """A page of a trail, newest first, without a total: counting reads the whole partition (DECISIONS: Lists
    and counts). ``next_token`` is set only when another item exists."""

    items: list[AuditEventModel]
    next_token: str | None


def _event(principal_name: str, role: str, entry: AuditEntry, now: datetime,
           correlation_id: str | None, event_id: str | None = None, impersonated_by: str | None = None
           ) -> AuditEventModel:
    """One record. ``impersonated_by``: who viewed the portal as ``principal_name`` when it was made (``_event_of``)."""
    occurred_at = now.isoformat()
    event_id = event_id or str(uuid.uuid4())
    return AuditEventModel(
        member_id=entry.member_id,
        occurred_key=audit_sort_key(occurred_at, event_id),
        event_id=event_id,
        occurred_at=occurred_at,
        username=principal_name,
        role=role,
        acting_for_provider_id=entry.acting_for_provider_id,
        action=entry.action.value,
        detail=entry.detail,
        correlation_id=correlation_id,
        client_address=entry.client_address or None,
        user_agent=entry.user_agent or None,
        impersonated_by=impersonated_by,
    )


def _new_only() -> Any:
    """A single audit Put is conditional on its key not existing: a record is never overwritten."""
    return AuditEventModel.member_id.does_not_exist()


def _event_of(principal: Principal, entry: AuditEntry, now: datetime, correlation_id: str | None) -> AuditEventModel:
    """The one place a record is made for a principal: who it is, and who viewed the portal as it (impersonation)."""
    return _event(principal.username, principal.role.value, entry, now, correlation_id,
                  impersonated_by=principal.impersonated_by)


def record(principal: Principal, entry: AuditEntry, now: datetime) -> None:
    _event_of(principal, entry, now, current_correlation_id()).save(condition=_new_only())


def record_account_event(username: str, role: str, subject: str, action: AuditAction, now: datetime,
                         detail: str | None = None) -> None:
    """An event of the account ``subject`` done by ``username`` (itself, its administrator, plan support), in the
    subject's trail (``account_subject``) and the doer's (the user index). ``detail`` never holds a secret."""
    entry = AuditEntry(account_subject(subject), action, None, detail)
    _event(username, role, entry, now, current_correlation_id()).save(condition=_new_only())


def add_account_event(writes: Transaction, username: str, role: str, subject: str, action: AuditAction,
                      now: datetime, detail: str | None = None) -> None:
    """``record_account_event`` as part of ``writes``, the transaction of the change it records (a job's, where no
    principal is): the record exists exactly when the change does."""
    entry = AuditEntry(account_subject(subject), action, None, detail)
    writes.save(_event(username, role, entry, now, current_correlation_id()), condition=_new_only())


def record_without_session(username: str, role: str, entries: Iterable[AuditEntry], now: datetime) -> int:
    """Records of an account made where no principal is (its sign-ins, before a session exists): nobody views the
    portal as it then, so there is no one else to name."""
    correlation_id = current_correlation_id()
    return _write_new(_event(username, role, entry, now, correlation_id) for entry in entries)


def record_many(principal: Principal, entries: Iterable[AuditEntry], now: datetime) -> int:
    """Each entry its own record (a fresh key), written as conditional Puts, up to 100 a transaction."""
    correlation_id = current_correlation_id()
    return _write_new(_event_of(principal, entry, now, correlation_id) for entry in entries)


def record_disclosures(username: str, role: str, disclosure_id: str, entries: Iterable[AuditEntry],
                       occurred_at: datetime) -> int:
    """One record per member a disclosure (an export) sent out, in the member's own trail.

    The key is the disclosure's and the member's (``<disclosure>:<member>`` at the disclosure's time), so no
    other record can share it. A run that is repeated (a stale export taken over) finds the records it wrote
    before already there: their conditional Puts fail, are left out, and the rest are written; one record per
    member, never two, and never one overwritten (DECISIONS: Audit, append-only).
    """
    correlation_id = current_correlation_id()
    return _write_new(_event(username, role, entry, occurred_at, correlation_id,
                             event_id=f"{disclosure_id}:{entry.member_id}") for entry in entries)


def _write_new(events: Iterable[AuditEventModel]) -> int:
    """Conditional Puts (the key must not exist) in transactions of up to ``TRANSACTION_ITEMS``: the audit table
    is append-only, and IAM allows its writers PutItem alone, so no BatchWriteItem (which cannot be
    conditional). Returns how many records were new."""
    written = 0
    for chunk in batched(events, TRANSACTION_ITEMS):
        written += _put_new(list(chunk))
    if written:
        logger.debug("audit events written", extra={"count": written})
    return written


def _put_new(chunk: list[AuditEventModel]) -> int:
    while chunk:
        try:
            with transaction() as writes:
                for event in chunk:
                    writes.save(event, condition=_new_only())
        except TransactionCancelled as error:
            existing = cancelled_by_condition(error)
            if not any(existing):
                raise
            chunk = [event for event, exists in zip(chunk, existing, strict=False) if not exists]
            continue
        return len(chunk)
    return 0


def who(event: AuditEventModel) -> str:
    """A record's user as the trail pages say it: with who viewed the portal as it then, if anyone did."""
    return f"{event.username}, impersonated by {event.impersonated_by}" if event.impersonated_by else event.username


def by_member(member_id: str, limit: int, token: str | None) -> AuditPage:
    """One Query on the table's key: at most ``limit`` + 1 items read (the one more says whether more exist)."""
    start = decode_page_token(token, {"member_id": member_id})
    results = AuditEventModel.query(member_id, limit=limit + 1, last_evaluated_key=start, scan_index_forward=False)
    return _page(list(results), limit, member_start_key)


def by_user(username: str, limit: int, token: str | None) -> AuditPage:
    """One Query on the user index: at most ``limit`` + 1 items read, never a walk of the table or the index."""
    start = decode_page_token(token, {"username": username})
    results = AuditEventModel.by_user.query(username, limit=limit + 1, last_evaluated_key=start,
                                            scan_index_forward=False)
    return _page(list(results), limit, user_start_key)


def _page(read: list[AuditEventModel], limit: int, start_key: Callable[[AuditEventModel], dict[str, Any]]
          ) -> AuditPage:
    items = read[:limit]
    more = len(read) > limit
    return AuditPage(items, encode_page_token(start_key(items[-1])) if more else None)


def archive(new_images: Iterable[Mapping[str, Any]]) -> int:
    """Copy each new audit record (a stream's NEW_IMAGE) to the Object Lock archive; returns how many."""
    archived = 0
    for image in new_images:
        archive_store.put_record(archive_store.plain(image))
        archived += 1
    if archived:
        logger.info("audit records archived", extra={"count": archived})
    return archived
