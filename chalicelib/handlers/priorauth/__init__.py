"""Prior authorization's entry points: the portal's JSON routes, its pages and the FHIR (Da Vinci PAS) routes."""

from chalicelib.handlers.priorauth.fhir import fhir_routes
from chalicelib.handlers.priorauth.metrics_pages import metrics_pages
from chalicelib.handlers.priorauth.pages import prior_auth_pages
from chalicelib.handlers.priorauth.request_form import request_form_pages
from chalicelib.handlers.priorauth.review_pages import review_pages
from chalicelib.handlers.priorauth.routes import prior_auth_routes

__all__ = [
    "fhir_routes", "metrics_pages", "prior_auth_pages", "prior_auth_routes", "request_form_pages", "review_pages",
]
