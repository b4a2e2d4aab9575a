"""CLAIMS pages: Claim Search, a claim's page, the Tax ID's payments, an EOP and its 835.

Each reads through the same service as the JSON route beside it and refuses input with the same schema
(``ClaimSearchQuery``), so a refused value comes back as that field's error, beside the field, with the values
kept. The search has no total: a page with more after it says "More results" (DECISIONS: Lists and counts).
A claim adjudicated to pay shows as Approved (with its amount) until a payment cycle includes it, then as Paid
with the payment's number, date and trace (DECISIONS: Claims and payments).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.claims.enums import STATUS_LABELS, ClaimStatus
from chalicelib.claims.schemas import ClaimSearchQuery
from chalicelib.documents.enums import DocumentStatus
from chalicelib.handlers.claims import paths
from chalicelib.handlers.claims.claim_form import actionable
from chalicelib.handlers.claims.file_pages import WAITING, file_tag
from chalicelib.handlers.claims.routes import (
    X12_CONTENT_TYPE,
    detail_body,
    explanation_body,
    payment_body,
    summary_body,
)
from chalicelib.handlers.layout import acting_providers, selected_provider
from chalicelib.platform.errors import MemberNotFound, PaymentsNotPermitted, ValidationFailed
from chalicelib.platform.permissions import CLAIMS_READ, PAYMENTS_READ, Permission
from chalicelib.platform.web.api import parse_query
from chalicelib.platform.web.file_types import DOCUMENT_FILE_TYPES
from chalicelib.platform.web.forms import field_errors, parse_us_date, summary
from chalicelib.platform.web.pages import Page, PageRequest, page_route
from chalicelib.platform.web.templating import us_date
from chalicelib.platform.web.trail import PageTrail

if TYPE_CHECKING:
    from chalicelib.claims.payments import PaymentService
    from chalicelib.claims.service import ClaimService
    from chalicelib.platform.access import Principal

claim_pages = Blueprint(__name__)
TAG = "Pages"
PAGE_SIZE = 20
SEARCH_FIELDS = ("claimNumber", "memberId", "serviceFrom", "serviceTo", "status", "receivedFrom", "receivedTo",
                 "providerId")
DATE_FIELDS = ("serviceFrom", "serviceTo", "receivedFrom", "receivedTo")
SEARCH_LABELS = {"claimNumber": "Claim number", "memberId": "Member ID", "serviceFrom": "Service from",
                 "serviceTo": "Service to", "status": "Status", "receivedFrom": "Received from",
                 "receivedTo": "Received to", "providerId": "Billing provider ID", "nextToken": "Page"}
STATUS_TONES = {
    ClaimStatus.APPROVED.value: "info", ClaimStatus.PAID.value: "success", ClaimStatus.RECEIVED.value: "neutral",
    ClaimStatus.PENDED.value: "warning", ClaimStatus.DENIED.value: "error", ClaimStatus.REPLACED.value: "neutral",
    ClaimStatus.VOIDED.value: "neutral", ClaimStatus.VOID.value: "neutral",
}
UNKNOWN_MEMBER = "matches no member of the providers you act for: check it exactly as on the member's card"
GROUP_CODES = {"CO": "Contractual obligation", "PR": "Patient responsibility", "OA": "Other adjustment",
               "PI": "Payer initiated reduction"}


def _claims() -> ClaimService:
    return wiring.current().claims()


def _payments() -> PaymentService:
    return wiring.current().payments()


def _principal(page: PageRequest) -> Principal:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


def status_tag(claim: dict[str, Any]) -> dict[str, Any]:
    status = ClaimStatus(claim["status"])
    return {"text": STATUS_LABELS[status], "tone": STATUS_TONES[status.value]}


# Claim Search

def _search_values(page: PageRequest) -> dict[str, str]:
    values = {name: (page.query.get(name) or "").strip() for name in SEARCH_FIELDS}
    values["status"] = values["status"].upper()
    return values


def _search_query(values: dict[str, str], provider_id: str | None, trail: PageTrail) -> ClaimSearchQuery:
    """The form as the JSON route's query; every field's problem at once, the dates' with the schema's."""
    params: dict[str, str] = {name: value for name, value in values.items() if value}
    problems: dict[str, str] = {}
    for name in DATE_FIELDS:
        if name in params:
            day = parse_us_date(params.pop(name))
            if day is None:
                problems[name] = "must be a date (mm/dd/yyyy)"
            else:
                params[name] = day.isoformat()
    if params.get("memberId") and not params.get("claimNumber"):
        problems.update({name: "is for a search by status; with a member, search by dates of service"
                         for name in ("receivedFrom", "receivedTo") if name in params})
    if provider_id and "providerId" not in params and not (params.get("claimNumber") or params.get("memberId")):
        params["providerId"] = provider_id
    params.update({"limit": str(PAGE_SIZE), **({"nextToken": trail.token} if trail.token else {})})
    try:
        query = cast(ClaimSearchQuery, parse_query(params, ClaimSearchQuery))
    except ValidationFailed as error:
        raise ValidationFailed(fields={**problems, **error.fields}) from None
    if problems:
        raise ValidationFailed(fields=problems)
    return query


def _searched_provider(page: PageRequest) -> tuple[str | None, str]:
    """The billing provider the search is for, and the words saying whose claims are listed.

    A group account with its own group chosen lists every provider of its Tax ID (the service's default);
    with a practitioner chosen, that practitioner's claims.
    """
    principal = _principal(page)
    provider = selected_provider(page)
    if provider is None:
        return None, ""
    if principal.tax_ids and provider["provider_id"] == principal.home_provider_id:
        return None, f"Claims of every provider under Tax ID {provider['tax_id']}"
    return provider["provider_id"], f"Claims billed by {provider['name']} ({provider['provider_id']})"


def _claim_row(item: dict[str, Any]) -> list[Any]:
    return [
        {"text": item["claim_number"], "href": paths.claim(item["claim_number"]), "sr": f"for {item['member_name']}"},
        f"{item['member_name']} ({item['member_id']})", item["billing_provider_name"],
        item["claim_type"].title(), us_date(item["service_from"]) + (
            "" if item["service_to"] == item["service_from"] else " to " + us_date(item["service_to"])),
        us_date(item["received_at"]), {"tags": [status_tag(item)]}, "$" + item["total_charge"], "$" + item["paid"],
    ]


@page_route(claim_pages, paths.CLAIMS, permission=CLAIMS_READ, tag=TAG, summary="Claim Search",
            description="By claim number; by member ID and dates of service; by status and received dates for the "
            "provider chosen (a group: every provider of its Tax ID). Newest first, 20 a page, no total.")
def search_page(page: PageRequest) -> Page:
    from chalicelib.claims.service import SearchCriteria

    principal = _principal(page)
    values = _search_values(page)
    provider_id, whose = (None, "") if principal.is_plan_staff else _searched_provider(page)
    errors: dict[str, str] = {}
    table = None
    asked = any(values.values()) or page.query.get("search") is not None or not principal.is_plan_staff
    if asked:
        try:
            trail = PageTrail.from_query(page.query)
            query = _search_query(values, provider_id, trail)
            found = _claims().search(principal, SearchCriteria(
                claim_number=query.claim_number, member_id=query.member_id, provider_id=query.provider_id,
                status=ClaimStatus(query.status) if query.status else None, received_from=query.received_from,
                received_to=query.received_to, service_from=query.service_from, service_to=query.service_to,
                limit=query.limit, next_token=query.next_token))
            kept = {"search": "1", **{name: value for name, value in values.items() if value}}
            table = {
                "id": "claims", "caption": "Claims, newest first", "total": None,
                "columns": [{"key": key, "label": label} for key, label in (
                    ("number", "Claim number"), ("member", "Member"), ("provider", "Billing provider"),
                    ("type", "Type"), ("service", "Dates of service"), ("received", "Received"),
                    ("status", "Status"), ("billed", "Billed"), ("paid", "Paid"))],
                "rows": [_claim_row(summary_body(item)) for item in found.items],
                "previous_href": trail.previous_href(paths.CLAIMS, kept),
                "next_href": trail.next_href(paths.CLAIMS, kept, found.next_token),
                "next_text": "More results", "position": f"Page {trail.number}",
                "empty": "No claims match. Change the search and select Search.",
            }
        except ValidationFailed as error:
            errors = field_errors(error, SEARCH_LABELS)
        except MemberNotFound:
            errors = field_errors(ValidationFailed(fields={"memberId": UNKNOWN_MEMBER}), SEARCH_LABELS)
    return Page("claims/search.html", {
        "title": "Claim Search", "values": values, "errors": errors,
        "summary_errors": summary(errors, SEARCH_LABELS), "acts_for_provider": not principal.is_plan_staff,
        "statuses": [{"value": "", "text": "Any status"}]
        + [{"value": status.value, "text": label} for status, label in STATUS_LABELS.items()],
        "table": table, "staff": principal.is_plan_staff, "whose": whose, "new_claim_link": paths.NEW_CLAIM,
    })


# A claim

def _with_words(line: dict[str, Any]) -> dict[str, Any]:
    return {**line, "adjustments": [{**adjustment, "group": GROUP_CODES.get(adjustment["group_code"], "")}
                                    for adjustment in line["adjustments"]]}


def attachments(claim: dict[str, Any]) -> dict[str, Any]:
    """The claim's attachments with their status (a refused one with its reason); refreshed while one waits."""
    documents = claim["documents"]
    waiting = any(document["status"] in WAITING for document in documents)
    return {
        "items": [{"name": document["file_name"], "tag": file_tag(document["status"]),
                   "type": DOCUMENT_FILE_TYPES.get(document["content_type"], (document["content_type"], ""))[0],
                   "reason": document.get("reason") if document["status"] == DocumentStatus.REJECTED.value else None}
                  for document in documents],
        "state": ",".join(document["status"] for document in documents), "waiting": waiting,
        "refresh_link": paths.claim(claim["claim_number"]),
    }


def may_attach(page: PageRequest, claim: dict[str, Any]) -> bool:
    """Attachments come from a user who submits claims for the claim's billing provider."""
    return _principal(page).has(Permission.CLAIMS_SUBMIT) and any(
        provider["provider_id"] == claim["billing_provider_id"] for provider in acting_providers(page))


@page_route(claim_pages, paths.CLAIM, permission=CLAIMS_READ, tag=TAG,
            summary="A claim: header, lines with their CARC/RARC in words, the payment it was in, its history, "
                    "its attachments (add one)")
def claim_page(page: PageRequest, number: str) -> Page:
    principal = _principal(page)
    view = _claims().view(principal, number)
    claim = detail_body(view.claim, view.documents)
    payment = _payments().payment_of(view.claim)
    may_change = actionable(page, claim)
    return Page("claims/claim.html", {
        "title": f"Claim {claim['claim_number']}", "claim": {**claim, "service_lines": [
            _with_words(line) for line in claim["service_lines"]]},
        "tag": status_tag(claim),
        "payment": payment_body(payment) if payment else None,
        "payment_link": paths.payment(payment.payment_id) if payment else "",
        "original_link": paths.claim(claim["original_claim_number"]) if claim.get("original_claim_number") else "",
        "replaced_link": paths.claim(claim["replaced_by"]) if claim.get("replaced_by") else "",
        "search_link": paths.CLAIMS,
        "correction_link": paths.correction(claim["claim_number"]) if may_change else "",
        "void_link": paths.void(claim["claim_number"]) if may_change else "",
        "attachments": attachments(claim),
        "attachment_link": paths.attachments(claim["claim_number"]) if may_attach(page, claim) else "",
    })


# Payments and EOPs

@page_route(claim_pages, paths.PAYMENTS, permission=PAYMENTS_READ,
            tag=TAG, summary="Payments and EOPs: the Tax ID's payment history",
            description="Group accounts (payments go to the Tax ID); a practitioner account is told where its "
            "EOP lines are. Newest first, 20 a page, no total.")
def payments_page(page: PageRequest) -> Page:
    principal = _principal(page)
    table = None
    refused = False
    errors: dict[str, str] = {}
    try:
        trail = PageTrail.from_query(page.query)
        found = _payments().list(principal, None, None, None, PAGE_SIZE, trail.token)
        table = {
            "id": "payments", "caption": "Payments, newest first", "total": None,
            "columns": [{"key": key, "label": label} for key, label in (
                ("payment", "Payment"), ("paid", "Paid on"), ("method", "Method"), ("trace", "Check or EFT trace"),
                ("payee", "Payee"), ("claims", "Claims"), ("amount", "Amount"))],
            "rows": [[
                {"text": item.payment_id, "href": paths.payment(item.payment_id), "sr": "explanation of payment"},
                us_date(item.paid_on), "EFT" if item.method == "EFT" else "Check", item.trace_number,
                item.payee_name, str(item.claim_count), "$" + payment_body(item)["amount"],
            ] for item in found.items],
            "previous_href": trail.previous_href(paths.PAYMENTS, {}),
            "next_href": trail.next_href(paths.PAYMENTS, {}, found.next_token),
            "next_text": "More results", "position": f"Page {trail.number}",
            "empty": "No payments yet. Claims are paid in the weekly payment cycle (Tuesdays).",
        }
    except PaymentsNotPermitted:
        refused = True
    except ValidationFailed as error:
        errors = field_errors(error, {"taxId": "Tax ID", "nextToken": "Page"})
    return Page("claims/payments.html", {
        "title": "Payments and EOPs", "table": table, "refused": refused, "errors": errors,
        "search_link": paths.CLAIMS,
    })


@page_route(claim_pages, paths.PAYMENT, permission=PAYMENTS_READ, tag=TAG,
            summary="An Explanation of Payment (EOP), printable: every claim with its lines, adjustments and totals",
            description="A group account gets the whole EOP and the 835; a practitioner account, the lines of its "
            "own claims (the payment's amount is the Tax ID's and is not shown).")
def payment_page(page: PageRequest, payment_id: str) -> Page:
    eop = explanation_body(_payments().explanation(_principal(page), payment_id))
    claims = [{**claim, "tag": status_tag(claim), "claim_link": paths.claim(claim["claim_number"]),
               "service_lines": [_with_words(line) for line in claim["service_lines"]]} for claim in eop["claims"]]
    return Page("claims/eop.html", {
        "title": f"Explanation of Payment {eop['payment']['payment_id']}", "eop": eop, "claims": claims,
        "remittance_link": paths.remittance(payment_id) if eop["whole_payment"] else "",
        "payments_link": paths.PAYMENTS if eop["whole_payment"] else paths.CLAIMS, "today": page.now,
    })


@page_route(claim_pages, paths.REMITTANCE, permission=PAYMENTS_READ, tag=TAG, produces=X12_CONTENT_TYPE,
            summary="Download the payment's X12 835 (group accounts and plan staff)")
def remittance_download(page: PageRequest, payment_id: str) -> Response:
    body = _payments().remittance_advice(_principal(page), payment_id)
    return Response(body=body, status_code=200, headers={
        "Content-Type": X12_CONTENT_TYPE, "Content-Disposition": f'attachment; filename="{payment_id}.835"'})
