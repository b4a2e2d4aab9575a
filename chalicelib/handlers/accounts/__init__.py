"""Accounts' entry points: the JSON routes (``routes``, ``users_routes``, two-step login and MFA: ``mfa_routes``,
``my_account_routes``, Account Linker: ``link_routes``, ``impersonation_routes``) and the browser's pages (``pages``,
``users_pages``: Manage Users, ``link_request_pages``: its link requests, ``confirmation_pages``: Confirm your
practice and the review desk, ``mfa_pages``: the login's POST, its code step and MFA set-up, ``my_account_pages``:
Update My Account, ``linker_pages``: Account Linker, ``impersonation_pages``: Impersonate User; plan support's Account
Help: ``account_help_routes`` and ``account_help_pages``), and the daily schedule that deactivates unused accounts
(``inactivity_events``)."""

from chalicelib.handlers.accounts.account_help_pages import account_help_pages
from chalicelib.handlers.accounts.account_help_routes import account_help_routes
from chalicelib.handlers.accounts.confirmation_pages import confirmation_pages
from chalicelib.handlers.accounts.impersonation_pages import impersonation_pages
from chalicelib.handlers.accounts.impersonation_routes import impersonation_routes
from chalicelib.handlers.accounts.inactivity_events import inactivity_events
from chalicelib.handlers.accounts.link_request_pages import link_request_pages
from chalicelib.handlers.accounts.link_routes import link_routes
from chalicelib.handlers.accounts.linker_pages import linker_pages
from chalicelib.handlers.accounts.mfa_pages import mfa_pages
from chalicelib.handlers.accounts.mfa_routes import mfa_routes
from chalicelib.handlers.accounts.my_account_pages import my_account_pages
from chalicelib.handlers.accounts.my_account_routes import my_account_routes
from chalicelib.handlers.accounts.pages import account_pages
from chalicelib.handlers.accounts.routes import auth_routes
from chalicelib.handlers.accounts.users_pages import user_pages
from chalicelib.handlers.accounts.users_routes import user_routes

__all__ = ["account_help_pages", "account_help_routes", "account_pages", "auth_routes", "confirmation_pages",
           "impersonation_pages", "impersonation_routes", "inactivity_events", "link_request_pages", "link_routes",
           "linker_pages", "mfa_pages", "mfa_routes", "my_account_pages", "my_account_routes", "user_pages",
           "user_routes"]
