"""The paths of the user pages (Manage Users, Confirm your practice, the review desk), shared by their modules."""

from urllib.parse import quote

MANAGE_USERS = "/manage-users"
USER = MANAGE_USERS + "/users/{username}"
DEFAULTS = MANAGE_USERS + "/default-permissions"
LINK_REQUEST = MANAGE_USERS + "/link-requests/{username}/{providerId}"
CONFIRM_PRACTICE = "/confirm-practice"
CONFIRMATIONS = "/practice-confirmations"
VIEW_AS = "/impersonate"
"""Impersonate User (impersonation_pages): its page finds a user (plan support); a POST starts the view."""


def user(username: str, **query: str) -> str:
    path = USER.format(username=quote(username, safe="@."))
    return path + ("?" + "&".join(f"{name}={quote(value)}" for name, value in query.items()) if query else "")


def link_request(username: str, provider_id: str) -> str:
    return LINK_REQUEST.format(username=quote(username, safe="@."), providerId=quote(provider_id))
