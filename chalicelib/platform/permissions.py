"""What a user may do: the permissions a Tax ID's administrator gives its users, and plan staff's.

A route declares the permissions that open it (``api_route(..., permission=...)``); a user holding any of
them passes. Provider permissions are held per Tax ID; plan-staff permissions by the staff account.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Permission(StrEnum):
    ELIGIBILITY = "ELIGIBILITY"
    MEMBER_DOCUMENTS = "MEMBER_DOCUMENTS"
    CLAIMS_VIEW = "CLAIMS_VIEW"
    CLAIMS_SUBMIT = "CLAIMS_SUBMIT"
    PAYMENTS = "PAYMENTS"
    PRIOR_AUTH_VIEW = "PRIOR_AUTH_VIEW"
    PRIOR_AUTH_SUBMIT = "PRIOR_AUTH_SUBMIT"
    MEMBER_REPORTS = "MEMBER_REPORTS"
    USER_ADMIN = "USER_ADMIN"
    PA_REVIEWER = "PA_REVIEWER"
    CLAIMS_OPERATOR = "CLAIMS_OPERATOR"
    SUPPORT = "SUPPORT"
    PLAN_ADMIN = "PLAN_ADMIN"
    AUDIT_READER = "AUDIT_READER"

    @property
    def words(self) -> str:
        return WORDS[self]

    @property
    def for_plan_staff(self) -> bool:
        return self in STAFF_PERMISSIONS


WORDS: dict[Permission, str] = {
    Permission.ELIGIBILITY: "Eligibility and member search",
    Permission.MEMBER_DOCUMENTS: "Consent forms and member files",
    Permission.CLAIMS_VIEW: "Claims (view)",
    Permission.CLAIMS_SUBMIT: "Claims (submit, correct, void, 837 files)",
    Permission.PAYMENTS: "Payments and remittance (EOP, 835)",
    Permission.PRIOR_AUTH_VIEW: "Prior authorization (view)",
    Permission.PRIOR_AUTH_SUBMIT: "Prior authorization (submit, respond, appeal)",
    Permission.MEMBER_REPORTS: "Member reports",
    Permission.USER_ADMIN: "User administration",
    Permission.PA_REVIEWER: "Prior authorization reviewer",
    Permission.CLAIMS_OPERATOR: "Claims and payments operator",
    Permission.SUPPORT: "Support (member and account look-ups, impersonation)",
    Permission.PLAN_ADMIN: "Plan administrator (plan staff and messages)",
    Permission.AUDIT_READER: "Audit reader (audit trails, accounting of disclosures)",
}

PROVIDER_PERMISSIONS: frozenset[Permission] = frozenset({
    Permission.ELIGIBILITY, Permission.MEMBER_DOCUMENTS, Permission.CLAIMS_VIEW, Permission.CLAIMS_SUBMIT,
    Permission.PAYMENTS, Permission.PRIOR_AUTH_VIEW, Permission.PRIOR_AUTH_SUBMIT, Permission.MEMBER_REPORTS,
    Permission.USER_ADMIN,
})
STAFF_PERMISSIONS: frozenset[Permission] = frozenset(Permission) - PROVIDER_PERMISSIONS

Needs = tuple[Permission, ...]
"""A route's permissions: holding any one opens it (an office's and plan staff's, e.g. claims view or operator)."""


def known_permissions(values: Iterable[str]) -> frozenset[Permission]:
    """Stored names as permissions; a name no longer known is dropped, never an error."""
    return frozenset(Permission(value) for value in values if value in Permission.__members__)


def missing_for(held: frozenset[Permission], route_needs: Needs, *, plan_staff: bool) -> Permission | None:
    """The permission to name when ``held`` opens none of ``route_needs``: the first meant for the caller's kind
    of account (an office is told of the office's permission, plan staff of theirs); None when one is held."""
    if not route_needs or held & set(route_needs):
        return None
    return next((p for p in route_needs if p.for_plan_staff == plan_staff), route_needs[0])

# What opens the routes an office and plan staff share (any one of them).
MEMBER_LOOKUP: Needs = (Permission.ELIGIBILITY, Permission.SUPPORT, Permission.PA_REVIEWER, Permission.CLAIMS_OPERATOR)
MEMBER_DOCUMENTS_READ: Needs = (Permission.MEMBER_DOCUMENTS, Permission.SUPPORT, Permission.PA_REVIEWER,
                                Permission.CLAIMS_OPERATOR)
DOCUMENT_READ: Needs = (Permission.MEMBER_DOCUMENTS, Permission.CLAIMS_VIEW, Permission.PRIOR_AUTH_VIEW,
                        Permission.SUPPORT, Permission.PA_REVIEWER, Permission.CLAIMS_OPERATOR)
"""A document by its ID: a consent form, an eligibility file, an 837, or a claim's or request's attachment."""
CLAIMS_READ: Needs = (Permission.CLAIMS_VIEW, Permission.CLAIMS_OPERATOR)
CLAIM_FILES_READ: Needs = (Permission.CLAIMS_SUBMIT, Permission.CLAIMS_OPERATOR)
PAYMENTS_READ: Needs = (Permission.PAYMENTS, Permission.CLAIMS_OPERATOR)
PRIOR_AUTH_READ: Needs = (Permission.PRIOR_AUTH_VIEW, Permission.PA_REVIEWER)
PRIOR_AUTH_DOCUMENTS: Needs = (Permission.PRIOR_AUTH_SUBMIT, Permission.PA_REVIEWER)
