"""Member reports' entry points: the JSON routes and events (``routes``) and the browser's pages."""

from chalicelib.handlers.reports.export_pages import export_pages
from chalicelib.handlers.reports.membership_pages import membership_pages
from chalicelib.handlers.reports.registry_pages import registry_pages
from chalicelib.handlers.reports.routes import report_routes

__all__ = ["export_pages", "membership_pages", "registry_pages", "report_routes"]
