"""Members' entry points: the JSON routes (``routes``); the MEMBER SEARCH pages (``pages``, ``uploads``)."""

from chalicelib.handlers.members.pages import member_pages
from chalicelib.handlers.members.routes import member_routes
from chalicelib.handlers.members.uploads import member_upload_pages

__all__ = ["member_pages", "member_routes", "member_upload_pages"]
