"""Audit's entry points: the JSON routes (``routes``) and the plan staff's pages (``pages``)."""

from chalicelib.handlers.audit.pages import audit_pages
from chalicelib.handlers.audit.routes import audit_routes

__all__ = ["audit_pages", "audit_routes"]
