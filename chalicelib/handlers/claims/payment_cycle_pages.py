"""Payment Cycles (plan staff, claims operators): what the next cycle would take up, and starting one now.

The same cycle as ``POST /review/payment-cycles`` and the weekly schedule. The form carries an idempotency key (its
hidden ``formKey``), so a double click or a reload of the answer starts one cycle: the second post with that key is
answered with the first one's payments (their numbers are what the key keeps; the page reads them again by key). The
answer is drawn on the same page: the payments made, or "nothing to pay". One cycle runs at a time (a lease): while
another runs, the page says so (409) and nothing is paid by this one.

"Waiting for the next cycle" is read from the payable index's keys alone (one Query of at most ``WAITING_SHOWN`` + 1
keys), never from the claims: claims per Tax ID, and "more" past that.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.handlers.claims import paths
from chalicelib.handlers.claims.routes import payment_body
from chalicelib.platform.errors import PaymentCycleRunning, PortalError, RequestInProgress
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.forms import form_key
from chalicelib.platform.web.pages import Page, PageRequest, page_route
from chalicelib.platform.web.templating import us_date

if TYPE_CHECKING:
    from chalicelib.claims.payments import PaymentService
    from chalicelib.claims.store import PaymentModel
    from chalicelib.platform.access import Principal

payment_cycle_pages = Blueprint(__name__)
TAG = "Pages"
WAITING_SHOWN = 200
PAYMENTS_SHOWN = 100
"""A cycle's payments shown on its answer (and kept under its key); the rest are in each Tax ID's payment history."""


def _payments() -> PaymentService:
    return wiring.current().payments()


def _principal(page: PageRequest) -> Principal:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


def _run_once(page: PageRequest, key: str) -> dict[str, Any]:
    """The cycle this form key started (run now, or the one an earlier post with the key ran): the numbers of its
    first payments, how many it made, and the Tax IDs it held."""
    from chalicelib.platform.idempotency import once

    def cycle() -> str:
        result = _payments().run_cycle()
        return json.dumps({"payments": [payment.payment_id for payment in result.payments[:PAYMENTS_SHOWN]],
                           "count": len(result.payments), "held": result.held_tax_ids})

    return dict(json.loads(once("payment-cycle", _principal(page), key, "payment-cycle", cycle, page.lambda_context)))


def _payment_row(payment: PaymentModel) -> list[Any]:
    body = payment_body(payment)
    method = "EFT" if payment.method == "EFT" else "Check"
    return [
        {"text": payment.payment_id, "href": paths.payment(payment.payment_id), "sr": "explanation of payment"},
        payment.tax_id, payment.payee_name, str(payment.claim_count), "$" + body["amount"],
        f"{method} {payment.trace_number}", us_date(payment.paid_on),
    ]


def _result(page: PageRequest, outcome: dict[str, Any]) -> dict[str, Any]:
    shown = _payments().payments(_principal(page), list(outcome["payments"]))
    return {
        "count": int(outcome["count"]), "held": list(outcome["held"]), "more": int(outcome["count"]) - len(shown),
        "table": {
            "id": "cycle-payments", "caption": "Payments this cycle made", "total": int(outcome["count"]),
            "columns": [{"key": key, "label": label} for key, label in (
                ("payment", "Payment number"), ("taxId", "Tax ID"), ("payee", "Payee"), ("claims", "Claims"),
                ("amount", "Amount"), ("method", "Method and trace"), ("paid", "Paid on"))],
            "rows": [_payment_row(payment) for payment in shown], "empty": "",
        },
    }


def _page(page: PageRequest, *, result: dict[str, Any] | None = None, busy: PortalError | None = None,
          key: str | None = None, status: int = 200) -> Page:
    """The page; ``key``: the form's key to post again (a busy answer keeps it, so a retry is that same cycle)."""
    waiting = _payments().waiting(_principal(page), WAITING_SHOWN)
    return Page("claims/payment_cycles.html", {
        "title": "Payment Cycles", "action": paths.PAYMENT_CYCLES, "result": result,
        "busy": {"code": busy.code, "message": busy.message} if busy else None,
        "form_key": key or form_key(None),
        "waiting": {"claims": waiting.claims, "more": waiting.more, "shown": WAITING_SHOWN, "table": {
            "id": "waiting", "caption": "Claims waiting for the next cycle, by Tax ID", "total": None,
            "columns": [{"key": "taxId", "label": "Tax ID"}, {"key": "claims", "label": "Claims waiting"}],
            "rows": [[tax_id, f"{count:,}"] for tax_id, count in waiting.by_tax_id.items()],
            "empty": "No claims wait for a payment cycle.",
        }},
    }, status=status)


@page_route(payment_cycle_pages, paths.PAYMENT_CYCLES, permission=Permission.CLAIMS_OPERATOR, tag=TAG,
            summary="Payment Cycles (plan staff): the claims waiting for the next cycle, and the form to start one",
            description="Claims waiting per Tax ID come from the payable index's keys (one Query, at most 201 keys). "
            "An office gets the 403 page.")
def payment_cycles_page(page: PageRequest) -> Page:
    return _page(page)


@page_route(payment_cycle_pages, paths.PAYMENT_CYCLES, method="POST", permission=Permission.CLAIMS_OPERATOR,
            tag=TAG, summary="Start a payment cycle now (plan staff): its payments, or nothing to pay, on the page",
            description="The cycle of POST /review/payment-cycles, once per form key (formKey): posting the same key "
            "again answers that cycle's payments. While another cycle runs: 409 and the page says so.")
def payment_cycles_submit(page: PageRequest) -> Page:
    key = form_key(page.form.get("formKey"))
    try:
        outcome = _run_once(page, key)
    except (PaymentCycleRunning, RequestInProgress) as error:  # this key's cycle did not run, or has not ended
        return _page(page, busy=error, key=key, status=409)
    return _page(page, result=_result(page, outcome))
