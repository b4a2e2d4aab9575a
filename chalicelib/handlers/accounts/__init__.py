"""Accounts' entry points: the JSON routes (``routes``) and the browser's pages (``pages``)."""

from chalicelib.handlers.accounts.pages import account_pages
from chalicelib.handlers.accounts.routes import auth_routes

__all__ = ["account_pages", "auth_routes"]
