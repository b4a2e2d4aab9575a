"""The entry points: each area's routes, pages and event handlers. They reach services through the wiring."""

from chalicelib import wiring
from chalicelib.platform.web import api, pages


def _authenticate(token: str, acting_provider_id: str | None = None) -> object:
    return wiring.current().accounts().authenticate(token, acting_provider_id)


api.use_authenticator(_authenticate)
pages.use_clock(lambda: wiring.current().now())


def _layout(page: pages.PageRequest) -> dict[str, object]:
    from chalicelib.handlers.layout import layout_context

    return layout_context(page)


pages.use_layout(_layout)
