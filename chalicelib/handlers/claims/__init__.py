"""Claims' entry points: the JSON routes (claims, 837 files, payments, the payment schedule), the CLAIMS pages and
plan staff's Payment Cycles page."""

from chalicelib.handlers.claims.attachment_pages import claim_attachment_pages
from chalicelib.handlers.claims.claim_form import claim_form_pages
from chalicelib.handlers.claims.file_pages import claim_file_pages
from chalicelib.handlers.claims.pages import claim_pages
from chalicelib.handlers.claims.payment_cycle_pages import payment_cycle_pages
from chalicelib.handlers.claims.routes import claim_routes

__all__ = ["claim_attachment_pages", "claim_file_pages", "claim_form_pages", "claim_pages", "claim_routes",
           "payment_cycle_pages"]
