"""Audit's entry points: the JSON routes (``routes``), the plan staff's pages (``pages``) and the table's stream
(``stream``: each record archived)."""

from chalicelib.handlers.audit.pages import audit_pages
from chalicelib.handlers.audit.routes import audit_routes
from chalicelib.handlers.audit.stream import audit_stream

__all__ = ["audit_pages", "audit_routes", "audit_stream"]
