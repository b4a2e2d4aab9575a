"""Prior authorization: the rules (as data, per state and program) and the requests with their history.

Rules table: ``rule_set`` = ``<state>#<program>`` (``Indiana#Medicaid``), ``code`` = the CPT/HCPCS or
revenue code; one GetItem answers "does this need prior authorization, and what will AutoAuth approve".

Requests table: ``request_id`` (the authorization number) with ``item`` = ``REQUEST`` for the request
and ``EVENT#<version>#<n>`` for each entry of its history, written in one transaction with the change.
Only request items carry the index attributes, so the indexes hold requests, never events.
The servicing-provider indexes let the office that is to perform a service find the requests
naming it (``servicing_tax_id`` is written from this version on: older requests are not in them).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.platform.dynamo.base import TableMeta, table_name
from chalicelib.platform.dynamo.office_search import office_indexes, office_indexes_of

REQUEST_ITEM = "REQUEST"
EVENT_PREFIX = "EVENT#"
REVIEW_QUEUE_OPEN = "OPEN"
_AUTH_NUMBER_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"








def rule_set_key(state: str, program: str) -> str:
    return f"{state}#{program}"


def new_authorization_number(received_at: datetime) -> str:
    """``PA`` + received date (yymmdd) + 6 random characters: readable on the phone, not guessable."""
    tail = "".join(secrets.choice(_AUTH_NUMBER_ALPHABET) for _ in range(6))
    return f"PA{received_at:%y%m%d}{tail}"


def new_reference_number(received_at: datetime) -> str:
    """``NR`` + date + 6 random characters: the record of a "no authorization required" answer. Not an
    authorization number (those start with ``PA``), so it can never be taken for one."""
    tail = "".join(secrets.choice(_AUTH_NUMBER_ALPHABET) for _ in range(6))
    return f"NR{received_at:%y%m%d}{tail}"


def event_item(version: int, sequence: int) -> str:
    """History entries sort by the request version they made (then their order within it), not by clock."""
    return f"{EVENT_PREFIX}{version:06d}#{sequence}"


def received_key(received_at: datetime, request_id: str) -> str:
    return f"{received_at.isoformat()}#{request_id}"


class CriterionAttribute(MapAttribute[str, str]):
    criterion_id = UnicodeAttribute()
    question = UnicodeAttribute()


class AutoRuleAttribute(MapAttribute[str, object]):
    rule_id = UnicodeAttribute()
    description = UnicodeAttribute()
    criteria_all = ListAttribute(of=UnicodeAttribute, default=list)
    diagnosis_prefixes = ListAttribute(of=UnicodeAttribute, default=list)
    urgencies = ListAttribute(of=UnicodeAttribute, default=list)
    max_units = NumberAttribute()
    max_days = NumberAttribute()


class PriorAuthRuleModel(Model):
    class Meta(TableMeta):
        table_name = table_name("prior-auth-rules")

    rule_set = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)
    description = UnicodeAttribute()
    requires_authorization = BooleanAttribute()
    request_types = ListAttribute(of=UnicodeAttribute, default=list)
    documentation = ListAttribute(of=UnicodeAttribute, default=list)
    criteria = ListAttribute(of=CriterionAttribute, default=list)
    auto_rules = ListAttribute(of=AutoRuleAttribute, default=list)


class ServiceLineAttribute(MapAttribute[str, object]):
    line = NumberAttribute()
    code = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    modifiers = ListAttribute(of=UnicodeAttribute, default=list)
    units = NumberAttribute()
    approved_units = NumberAttribute(null=True)
    requires_authorization = BooleanAttribute(default=True)
    auto_rule_id = UnicodeAttribute(null=True)
    kind = UnicodeAttribute(null=True)
    listed = BooleanAttribute(default=True)


class PendReasonAttribute(MapAttribute[str, object]):
    line = NumberAttribute()
    code = UnicodeAttribute()
    reason_code = UnicodeAttribute()
    text = UnicodeAttribute()
    rule_id = UnicodeAttribute(null=True)
    criteria_not_met = ListAttribute(of=UnicodeAttribute, default=list)
    criteria_not_answered = ListAttribute(of=UnicodeAttribute, default=list)


class NewbornAttribute(MapAttribute[str, object]):
    birth_date = UnicodeAttribute()
    gender = UnicodeAttribute()
    birth_weight_grams = NumberAttribute()
    gestational_age_weeks = NumberAttribute()
    delivery_method = UnicodeAttribute()
    nicu_admission = BooleanAttribute()


class ByMember(GlobalSecondaryIndex["PriorAuthRequestModel"]):
    class Meta:
        index_name = "member-index"
        projection = AllProjection()

    member_id = UnicodeAttribute(hash_key=True)
    received_key = UnicodeAttribute(range_key=True)


class ReviewQueue(GlobalSecondaryIndex["PriorAuthRequestModel"]):
    """Sparse: only requests waiting on a reviewer carry ``review_queue``; ordered by due time."""

    class Meta:
        index_name = "review-queue-index"
        projection = AllProjection()

    review_queue = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class ByServicingProvider(GlobalSecondaryIndex["PriorAuthRequestModel"]):
    class Meta:
        index_name = "servicing-provider-index"
        projection = AllProjection()

    servicing_provider_id = UnicodeAttribute(hash_key=True)
    received_key = UnicodeAttribute(range_key=True)


class ByServicingTaxId(GlobalSecondaryIndex["PriorAuthRequestModel"]):
    class Meta:
        index_name = "servicing-tax-id-index"
        projection = AllProjection()

    servicing_tax_id = UnicodeAttribute(hash_key=True)
    received_key = UnicodeAttribute(range_key=True)


class ByDecisionMonth(GlobalSecondaryIndex["PriorAuthRequestModel"]):
    """Decided requests per calendar month (UTC), with what the published metrics need."""

    class Meta:
        index_name = "decision-month-index"
        projection = IncludeProjection(["urgency", "first_outcome", "decision_seconds", "approved_on_appeal",
                                        "auto_approved", "extended"])

    decided_month = UnicodeAttribute(hash_key=True)
    decided_key = UnicodeAttribute(range_key=True)


class PriorAuthRequestModel(Model):
    class Meta(TableMeta):
        table_name = table_name("prior-auths")

    request_id = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True, default=REQUEST_ITEM)
    version = NumberAttribute(default=1)
    request_type = UnicodeAttribute()
    status = UnicodeAttribute()
    urgency = UnicodeAttribute()
    source = UnicodeAttribute(default="PORTAL")
    member_id = UnicodeAttribute()
    member_first_name = UnicodeAttribute()
    member_last_name = UnicodeAttribute()
    member_birth_date = UnicodeAttribute()
    state = UnicodeAttribute()
    program = UnicodeAttribute()
    plan_type = UnicodeAttribute()
    requesting_provider_id = UnicodeAttribute()
    servicing_provider_id = UnicodeAttribute()
    servicing_tax_id = UnicodeAttribute(null=True)
    tax_id = UnicodeAttribute()
    submitted_by = UnicodeAttribute()
    notify_email = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    received_key = UnicodeAttribute()
    due_at = UTCDateTimeAttribute()
    start_date = UnicodeAttribute()
    end_date = UnicodeAttribute()
    lines = ListAttribute(of=ServiceLineAttribute, default=list)
    diagnosis_codes = ListAttribute(of=UnicodeAttribute, default=list)
    medical_history = UnicodeAttribute(null=True)
    criteria_met = ListAttribute(of=UnicodeAttribute, default=list)
    criteria_not_met = ListAttribute(of=UnicodeAttribute, default=list)
    newborn = NewbornAttribute(null=True)
    document_ids = ListAttribute(of=UnicodeAttribute, default=list)
    approved_start_date = UnicodeAttribute(null=True)
    approved_end_date = UnicodeAttribute(null=True)
    pend_reasons = ListAttribute(of=UnicodeAttribute, default=list)
    pend_details = ListAttribute(of=PendReasonAttribute, default=list)
    claim_identifiers = ListAttribute(of=UnicodeAttribute, default=list)
    """The submitted FHIR Claim's identifiers as ``system|value`` ($inquire finds the request by them)."""
    extended = BooleanAttribute(default=False)
    extended_at = UTCDateTimeAttribute(null=True)
    extended_by = UnicodeAttribute(null=True)
    extension_days = NumberAttribute(null=True)
    extension_reason = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    first_outcome = UnicodeAttribute(null=True)
    decision_seconds = NumberAttribute(null=True)
    auto_approved = BooleanAttribute(default=False)
    denial_reason_code = UnicodeAttribute(null=True)
    denial_reason = UnicodeAttribute(null=True)
    information_requested = UnicodeAttribute(null=True)
    appealed_at = UTCDateTimeAttribute(null=True)
    appeal_reason = UnicodeAttribute(null=True)
    approved_on_appeal = BooleanAttribute(default=False)
    provider_status = UnicodeAttribute()
    tax_status = UnicodeAttribute()
    review_queue = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)
    decided_month = UnicodeAttribute(null=True)
    decided_key = UnicodeAttribute(null=True)

    by_provider, by_tax_id, by_provider_status, by_tax_status = office_indexes("requesting_provider_id")
    by_member = ByMember()
    by_servicing_provider = ByServicingProvider()
    by_servicing_tax_id = ByServicingTaxId()
    review = ReviewQueue()
    by_decision_month = ByDecisionMonth()


class PriorAuthEventModel(Model):
    """One entry of a request's history (same table, ``item`` = ``EVENT#...``)."""

    class Meta(TableMeta):
        table_name = table_name("prior-auths")

    request_id = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    actor = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    note = UnicodeAttribute(null=True)


PRIOR_AUTH_OFFICE_INDEXES = office_indexes_of(PriorAuthRequestModel, "requesting_provider_id")
