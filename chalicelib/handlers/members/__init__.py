"""Members' entry points: the JSON routes (``routes``) and the browser's MEMBER SEARCH pages (``pages``)."""

from chalicelib.handlers.members.routes import member_routes

__all__ = ["member_routes"]
