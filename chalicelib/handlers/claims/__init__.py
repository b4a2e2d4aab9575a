"""Claims' entry points: the JSON routes (claims, 837 files, payments, the payment schedule)."""

from chalicelib.handlers.claims.routes import claim_routes

__all__ = ["claim_routes"]
