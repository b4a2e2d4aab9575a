"""Claims: online submission (CMS-1500, UB-04, ADA), search, detail, attachments, 837 files; payments and EOP."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Cron, Response

from chalicelib import wiring
from chalicelib.claims.enums import (
    CLAIM_BATCHES_QUEUE,
    STATUS_LABELS,
    X12_CONTENT_TYPE,
    ClaimStatus,
    ClaimType,
    Frequency,
)
from chalicelib.documents.enums import DocumentKind, DocumentStatus
from chalicelib.handlers.bodies import document_body, ticket_body, uploads_page
from chalicelib.handlers.documents import receive_count
from chalicelib.platform import metrics
from chalicelib.platform.access import Principal
from chalicelib.platform.aws import queue, storage
from chalicelib.platform.config import get_settings
from chalicelib.platform.logs import logger
from chalicelib.platform.money import money
from chalicelib.platform.permissions import CLAIM_FILES_READ, CLAIMS_READ, PAYMENTS_READ, Permission
from chalicelib.platform.web.api import api_route
from chalicelib.platform.web.idempotency import idempotency_key

if TYPE_CHECKING:
    from chalicelib.claims.form import ClaimInput
    from chalicelib.claims.payments import PaymentService, PaymentView
    from chalicelib.claims.schemas import ClaimFileIn, ClaimIn, ClaimSearchQuery, PaymentListQuery
    from chalicelib.claims.service import ClaimService
    from chalicelib.claims.store import ClaimModel, PaymentModel
    from chalicelib.documents.store import DocumentModel
    from chalicelib.platform.web.api import RequestInfo
    from chalicelib.platform.web.schemas import ListQuery
    from chalicelib.priorauth.schemas import AttachmentsIn

claim_routes = Blueprint(__name__)
TAG = "Claims"
PAYMENTS_TAG = "Payments"


def _claims() -> ClaimService:
    return wiring.current().claims()


def _payments() -> PaymentService:
    return wiring.current().payments()


def cents(value: Decimal) -> int:
    return int(value * 100)


def claim_input(body: ClaimIn) -> ClaimInput:
    from chalicelib.claims.form import ClaimInput, ClaimLineInput

    return ClaimInput(
        claim_type=ClaimType(body.claim_type), billing_provider_id=body.billing_provider_id, member_id=body.member_id,
        diagnosis_codes=tuple(code.strip().upper() for code in body.diagnosis_codes),
        lines=tuple(ClaimLineInput(
            charge_cents=cents(line.charge), units=line.units, service_date=line.service_date,
            procedure_code=line.procedure_code.upper() if line.procedure_code else None,
            revenue_code=line.revenue_code, modifiers=tuple(modifier.upper() for modifier in line.modifiers),
            service_date_to=line.service_date_to, place_of_service=line.place_of_service,
            diagnosis_pointers=tuple(line.diagnosis_pointers), tooth=line.tooth.upper() if line.tooth else None,
            surfaces=line.surfaces.upper() if line.surfaces else None,
        ) for line in body.service_lines),
        total_charge_cents=cents(body.total_charge), frequency=Frequency(body.frequency),
        original_claim_number=body.original_claim_number, rendering_provider_id=body.rendering_provider_id,
        patient_control_number=body.patient_control_number, place_of_service=body.place_of_service,
        facility_type_code=body.facility_type_code, admission_date=body.admission_date,
        discharge_status=body.discharge_status, prior_authorization_number=body.prior_authorization_number,
        other_payer_paid_cents=cents(body.other_payer_paid) if body.other_payer_paid is not None else None,
    )


def summary_body(claim: ClaimModel) -> dict[str, Any]:
    return {
        **{name: getattr(claim, name) for name in (
            "claim_number", "claim_type", "status", "frequency", "member_id", "billing_provider_id",
            "billing_provider_name", "patient_control_number", "received_at", "service_from", "service_to",
            "payment_id", "paid_on", "payment_method", "payment_trace")},
        "status_label": STATUS_LABELS[ClaimStatus(claim.status)],
        "member_name": f"{claim.member_first_name} {claim.member_last_name}",
        "total_charge": money(int(claim.total_charge_cents)),
        "paid": money(int(claim.paid_cents)),
    }


def _adjustment(group_code: str, reason_code: str, amount_cents: int) -> dict[str, Any]:
    from chalicelib.claims.adjudicator import CARC_DESCRIPTIONS

    return {"group_code": group_code, "reason_code": reason_code, "amount": money(amount_cents),
            "description": CARC_DESCRIPTIONS.get(reason_code, "")}


def detail_body(claim: ClaimModel, documents: list[DocumentModel]) -> dict[str, Any]:
    from chalicelib.claims.adjudicator import RARC_DESCRIPTIONS

    values = claim.attribute_values
    return {
        **summary_body(claim),
        **{name: values.get(name) for name in (
            "source", "batch_id", "original_claim_number", "replaced_by", "member_birth_date", "state", "program",
            "tax_id", "rendering_provider_id", "place_of_service", "facility_type_code", "admission_date",
            "discharge_status", "prior_authorization_number", "pend_reason", "consent_type", "consent_document_id",
            "adjudicated_at")},
        "diagnosis_codes": list(claim.diagnosis_codes),
        "allowed": money(int(claim.allowed_cents)),
        "patient_responsibility": money(int(claim.patient_responsibility_cents)),
        "other_payer_paid": money(int(claim.other_payer_paid_cents)) if claim.other_payer_paid_cents is not None
        else None,
        "reversal": money(int(claim.reversal_cents)),
        "service_lines": [{
            **{name: line.attribute_values.get(name) for name in (
                "line", "procedure_code", "revenue_code", "units", "service_date", "service_date_to",
                "place_of_service", "tooth", "surfaces")},
            "modifiers": list(line.modifiers),
            "diagnosis_pointers": [int(pointer) for pointer in line.diagnosis_pointers],
            "charge": money(int(line.charge_cents)), "allowed": money(int(line.allowed_cents)),
            "paid": money(int(line.paid_cents)),
            "patient_responsibility": money(int(line.patient_responsibility_cents)),
            "adjustments": [_adjustment(a.group_code, a.reason_code, int(a.amount_cents)) for a in line.adjustments],
            "remarks": [{"code": code, "description": RARC_DESCRIPTIONS.get(code, "")} for code in line.remark_codes],
        } for line in claim.lines],
        "history": [entry.attribute_values for entry in claim.history],
        "documents": [document_body(document) for document in documents],
    }


def _detail(principal: Principal, claim_number: str) -> dict[str, Any]:
    view = _claims().view(principal, claim_number)
    return detail_body(view.claim, view.documents)


@api_route(claim_routes, "/claims", permission=Permission.CLAIMS_SUBMIT, method="POST", tag=TAG, status=201,
           summary="Submit a professional (CMS-1500), institutional (UB-04) or dental (ADA) claim",
           body="claims:ClaimIn", response="claims:ClaimOut", errors=(404, 409),
           description="Validated field by field (ICD-10-CM billable on the date of service, pointers, totals, the "
           "delivery rule, frequency 7/8 with the original claim number), the member eligible on every date of "
           "service, then adjudicated at once: APPROVED (to be paid, with allowed, paid and CARC/RARC per line; PAID "
           "once a payment cycle includes it), DENIED, or PENDED (e.g. for a consent form; released when one that "
           "applies arrives). Send an Idempotency-Key header to "
           "make retries safe: the same key answers the same claim.")
def submit_claim(principal: Principal, body: ClaimIn, request: RequestInfo) -> dict[str, Any]:
    key = idempotency_key(request)
    if key is None:
        return _detail(principal, _claims().submit(principal, claim_input(body)).claim_number)
    return _detail(principal, submit_idempotently(principal, body, key, request.lambda_context))


def submit_idempotently(principal: Principal, body: ClaimIn, key: str, lambda_context: Any) -> str:
    """The claim number ``body`` became under ``key``: the same key and body answer the same claim (the portal's
    form sends its own key, so a double click makes one claim)."""
    from chalicelib.platform.idempotency import once

    claim = claim_input(body)
    fingerprint = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    return once("claim", principal, key, fingerprint, lambda: _claims().submit(principal, claim).claim_number,
                lambda_context)


@api_route(claim_routes, "/claims", permission=CLAIMS_READ, tag=TAG, summary="Search claims, newest first",
           query="claims:ClaimSearchQuery", response="claims:ClaimList", errors=(404,),
           description="By claimNumber; by memberId (optionally serviceFrom/serviceTo on the first date of service, "
           "providerId, status); or by providerId (default: every provider of your Tax ID) with an optional status "
           "and received date range. Each page is one DynamoDB Query on a key or index reading at most the page's "
           "items plus one; there is no total: nextToken says that more results exist.")
def search_claims(principal: Principal, query: ClaimSearchQuery) -> dict[str, Any]:
    from chalicelib.claims.service import SearchCriteria

    page = _claims().search(principal, SearchCriteria(
        claim_number=query.claim_number, member_id=query.member_id, provider_id=query.provider_id,
        status=ClaimStatus(query.status) if query.status else None, received_from=query.received_from,
        received_to=query.received_to, service_from=query.service_from, service_to=query.service_to,
        limit=query.limit, next_token=query.next_token,
    ))
    return {"items": [summary_body(item) for item in page.items], "next_token": page.next_token}


@api_route(claim_routes, "/claims/{claimNumber}", permission=CLAIMS_READ, tag=TAG,
           summary="A claim with its lines, adjudication (CARC/RARC), history and attachments",
           response="claims:ClaimOut", errors=(404,))
def get_claim(principal: Principal, claimNumber: str) -> dict[str, Any]:
    return _detail(principal, claimNumber)


@api_route(claim_routes, "/claims/{claimNumber}/documents", permission=Permission.CLAIMS_SUBMIT,
           method="POST", tag=TAG, status=201,
           summary="Attach images to a claim (presigned S3 uploads: PDF, TIFF, JPEG, PNG)",
           body="priorauth:AttachmentsIn", response="priorauth:AttachmentsOut", errors=(404, 409))
def attach_to_claim(principal: Principal, body: AttachmentsIn, claimNumber: str) -> dict[str, Any]:
    tickets = _claims().attach_documents(principal, claimNumber,
                                         [(item.file_name, item.content_type) for item in body.attachments])
    return {"uploads": [{"document": document_body(ticket.document), "upload": ticket_body(ticket)}
                        for ticket in tickets]}


# 837 files


def claim_file_body(document: DocumentModel) -> dict[str, Any]:
    seconds = get_settings().presigned_url_seconds
    done = document.status == DocumentStatus.COMPLETED.value
    acknowledged = document.status in (DocumentStatus.COMPLETED.value, DocumentStatus.PROCESSING.value)
    return {  # the 999 is written before the claims are made: it is offered while they are
        **document.attribute_values,
        "acknowledgment_url": storage.presigned_get(document.acknowledgment_key, f"{document.document_id}.999",
                                                    seconds) if acknowledged and document.acknowledgment_key else None,
        "results_url": storage.presigned_get(document.result_key, f"claim-results-{document.document_id}.csv",
                                             seconds) if done and document.result_key else None,
    }


@api_route(claim_routes, "/claim-files", permission=Permission.CLAIMS_SUBMIT, method="POST", tag=TAG, status=201,
           summary="Send an 837P or 837I file (X12 5010): ask for a presigned upload",
           body="claims:ClaimFileIn", response="claims:ClaimFileTicketOut", errors=(404,),
           description="837P 005010X222A1/A2 and 837I 005010X223A2/A3. The file is validated with pyx12, "
           "answered with a 999, and every valid claim is submitted as the online form would be; a claim that "
           "fails is listed with its reasons and the others go through. Follow GET /claim-files/{documentId}.")
def request_claim_file(principal: Principal, body: ClaimFileIn) -> dict[str, Any]:
    ticket = wiring.current().claim_files().start(principal, body.provider_id, body.file_name)
    return {"file": claim_file_body(ticket.document), "upload": ticket_body(ticket)}


@api_route(claim_routes, "/claim-files/{documentId}", permission=CLAIM_FILES_READ, tag=TAG,
           summary="Progress of an 837 file: the 999 outcome, claim counts, links to the 999 and the results",
           response="claims:ClaimFileOut", errors=(404,))
def get_claim_file(principal: Principal, documentId: str) -> dict[str, Any]:
    return claim_file_body(wiring.current().claim_files().get(principal, documentId))


@api_route(claim_routes, "/claim-files", permission=CLAIM_FILES_READ, tag=TAG, summary="Your 837 files, newest first",
           description="A group sees every file under its Tax ID; a practitioner, those sent for it.",
           query="base:ListQuery", response="claims:ClaimFileList")
def list_claim_files(principal: Principal, query: ListQuery) -> dict[str, Any]:
    return uploads_page(principal, DocumentKind.CLAIM_FILE, query, claim_file_body)


# Payments


def payment_body(payment: PaymentModel) -> dict[str, Any]:
    return {**payment.attribute_values, "amount": money(int(payment.amount_cents))}


def explanation_body(view: PaymentView) -> dict[str, Any]:
    claims = view.claims

    def total(name: str) -> str:
        return money(sum(int(getattr(claim, name)) for claim in claims))

    payment = payment_body(view.payment)
    if not view.whole:  # the Tax ID's total and claim count are not a practitioner's to see
        payment.update(amount=None, claim_count=None)
    return {
        "whole_payment": view.whole,
        "payment": payment,
        "claims": [detail_body(claim, []) for claim in claims],
        "total_charge": total("total_charge_cents"), "total_allowed": total("allowed_cents"),
        "total_paid": total("paid_cents"), "total_patient_responsibility": total("patient_responsibility_cents"),
        "total_reversed": total("reversal_cents"),
    }


@api_route(claim_routes, "/payments", permission=PAYMENTS_READ,
           tag=PAYMENTS_TAG, summary="Payment history (checks and EFTs) for a Tax ID",
           query="claims:PaymentListQuery", response="claims:PaymentList", errors=(403, 404),
           description="Payments go to the Tax ID: its group accounts with the payments permission (and plan "
           "staff) list them; a practitioner account answers 403 PAYMENTS_NOT_PERMITTED.")
def list_payments(principal: Principal, query: PaymentListQuery) -> dict[str, Any]:
    page = _payments().list(principal, query.tax_id, query.paid_from, query.paid_to, query.limit, query.next_token)
    return {"items": [payment_body(item) for item in page.items], "count": page.count,
            "next_token": page.next_token}


@api_route(claim_routes, "/payments/{paymentId}", permission=PAYMENTS_READ, tag=PAYMENTS_TAG,
           summary="Explanation of Payment (EOP): the payment and every claim it settles",
           response="claims:ExplanationOfPaymentOut", errors=(404,),
           description="A group account with the payments permission (and plan staff) gets the whole EOP. A "
           "practitioner account with it gets the lines "
           "of its own claims only (wholePayment false; the payment's amount and claim count, which are the Tax "
           "ID's, are null); a payment with none of its claims is 404.")
def explanation_of_payment(principal: Principal, paymentId: str) -> dict[str, Any]:
    return explanation_body(_payments().explanation(principal, paymentId))


@api_route(claim_routes, "/payments/{paymentId}/835", permission=PAYMENTS_READ,
           tag=PAYMENTS_TAG, produces=X12_CONTENT_TYPE,
           summary="The payment's X12 835 (005010X221A1) remittance advice", errors=(403, 404),
           description="The whole payment: the Tax ID's group accounts with the payments permission and plan "
           "staff; a practitioner account answers 403 PAYMENTS_NOT_PERMITTED.")
def remittance_advice(principal: Principal, paymentId: str) -> Response:
    body = _payments().remittance_advice(principal, paymentId)
    return Response(body=body, status_code=200, headers={
        "Content-Type": X12_CONTENT_TYPE,
        "Content-Disposition": f'attachment; filename="{paymentId}.835"',
    })


@api_route(claim_routes, "/review/payment-cycles", permission=Permission.CLAIMS_OPERATOR,
           method="POST", tag=PAYMENTS_TAG, status=201,
           summary="Run the payment cycle now (plan staff): pay finished claims per Tax ID",
           response="claims:PaymentCycleOut", errors=(403, 409),
           description="The same cycle the weekly schedule runs. Claims approved or denied since the last cycle are "
           "grouped per Tax ID into an EFT or check with its EOP and 835. One cycle runs at a time: while one "
           "runs, another answers 409 PAYMENT_CYCLE_RUNNING.")
def run_payment_cycle(principal: Principal) -> dict[str, Any]:
    result = _payments().run_cycle()
    return {"payments": [payment_body(payment) for payment in result.payments], "held_tax_ids": result.held_tax_ids}


class ClaimBatchFailed(Exception):
    """A batch of an 837 file's claims was not processed; SQS redelivers it (claims made are not made again)."""


@claim_routes.on_sqs_message(queue=get_settings().resource_name(CLAIM_BATCHES_QUEUE), batch_size=1)
def process_claim_batches(event: Any) -> None:
    """The batch worker: one message of an 837 file's claims at a time. A batch that fails on its queue's last
    delivery ends the file FAILED with a reason (and its message is finished): never only a DLQ message."""
    failures = 0
    for message in event:
        batch = json.loads(message.body)
        try:
            status = wiring.current().process_claim_batch(batch)
        except Exception:  # noqa: BLE001 - any failure leaves the batch to SQS's redelivery, up to its last
            reference = str(message.to_dict().get("messageId", ""))
            final = queue.is_last_delivery(CLAIM_BATCHES_QUEUE, receive_count(message))
            logger.exception("claim batch failed", extra={
                "document_id": batch.get("documentId"), "batch": batch.get("batch"), "reference": reference,
                "receive_count": receive_count(message), "final": final})
            if not final or wiring.current().claim_file_failed(str(batch.get("documentId")), reference) is None:
                failures += 1
            continue
        logger.info("claim batch processed", extra={"batch": batch.get("batch"), "status": status})
    metrics.flush()
    if failures:
        raise ClaimBatchFailed(f"{failures} claim batch(es) failed")


@claim_routes.schedule(Cron(0, 6, "?", "*", "TUE", "*"))
def weekly_payment_cycle(event: Any) -> None:
    from chalicelib.platform import metrics
    from chalicelib.platform.errors import PaymentCycleRunning
    from chalicelib.platform.logs import logger

    try:
        _payments().run_cycle()
    except PaymentCycleRunning:
        logger.info("scheduled payment cycle skipped: another cycle is running")
    finally:
        metrics.flush()
