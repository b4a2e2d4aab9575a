"""Claims' entry points: the JSON routes (claims, 837 files, payments, the payment schedule) and the CLAIMS pages."""

from chalicelib.handlers.claims.claim_form import claim_form_pages
from chalicelib.handlers.claims.pages import claim_pages
from chalicelib.handlers.claims.routes import claim_routes

__all__ = ["claim_form_pages", "claim_pages", "claim_routes"]
