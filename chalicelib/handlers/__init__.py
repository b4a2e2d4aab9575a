"""The entry points: each area's routes, pages and event handlers. They reach services through the wiring."""

from chalicelib import wiring
from chalicelib.accounts.impersonation import is_impersonation_token
from chalicelib.platform.web import api, pages


def _authenticate(token: str, acting_provider_id: str | None = None) -> object:
    """A login's session acting in the Tax ID of ``acting_provider_id`` (Account Linker), or a view of the portal as
    another user (its token says which: Impersonate User), which acts in the user's own Tax ID only."""
    if is_impersonation_token(token):
        return wiring.current().impersonations().authenticate(token)
    return wiring.current().accounts().authenticate(token, acting_provider_id)


api.use_authenticator(_authenticate)
pages.use_clock(lambda: wiring.current().now())


def _layout(page: pages.PageRequest) -> dict[str, object]:
    from chalicelib.handlers.layout import layout_context

    return layout_context(page)


pages.use_layout(_layout)
