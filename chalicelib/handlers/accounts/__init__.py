"""Accounts' entry points: the JSON routes (``routes``, ``users_routes``) and the browser's pages (``pages``,
``users_pages``: Manage Users, ``confirmation_pages``: Confirm your practice and the review desk)."""

from chalicelib.handlers.accounts.confirmation_pages import confirmation_pages
from chalicelib.handlers.accounts.pages import account_pages
from chalicelib.handlers.accounts.routes import auth_routes
from chalicelib.handlers.accounts.users_pages import user_pages
from chalicelib.handlers.accounts.users_routes import user_routes

__all__ = ["account_pages", "auth_routes", "confirmation_pages", "user_pages", "user_routes"]
