"""The entry points: each area's routes, pages and event handlers. They reach services through the wiring."""

from chalicelib import wiring
from chalicelib.platform.web import api


def _authenticate(token: str) -> object:
    return wiring.current().accounts().authenticate(token)


api.use_authenticator(_authenticate)
