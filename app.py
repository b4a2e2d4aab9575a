"""Wires the provider portal: the Chalice app and its blueprints. No logic here."""

from chalice import Chalice

from chalicelib.handlers.accounts import auth_routes, pages
from chalicelib.handlers.audit import audit_routes
from chalicelib.handlers.claims import claim_routes
from chalicelib.handlers.documents import upload_events
from chalicelib.handlers.emails import email_events
from chalicelib.handlers.members import member_routes
from chalicelib.handlers.priorauth import fhir_routes, prior_auth_routes
from chalicelib.handlers.reports import report_routes
from chalicelib.handlers.system import system_routes

app = Chalice(app_name="provider-portal")

app.register_blueprint(system_routes)
app.register_blueprint(pages)
app.register_blueprint(auth_routes)
app.register_blueprint(member_routes)
app.register_blueprint(prior_auth_routes)
app.register_blueprint(claim_routes)
app.register_blueprint(fhir_routes)
app.register_blueprint(report_routes)
app.register_blueprint(audit_routes)
app.register_blueprint(email_events)
app.register_blueprint(upload_events)
