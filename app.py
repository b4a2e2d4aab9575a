"""Wires the provider portal: the Chalice app and its blueprints. No logic here."""

from chalice import Chalice

from chalicelib.handlers.accounts import (
    account_help_pages,
    account_help_routes,
    account_pages,
    auth_routes,
    confirmation_pages,
    impersonation_pages,
    impersonation_routes,
    inactivity_events,
    link_request_pages,
    link_routes,
    linker_pages,
    mfa_pages,
    mfa_routes,
    my_account_pages,
    my_account_routes,
    user_pages,
    user_routes,
)
from chalicelib.handlers.assets import asset_routes
from chalicelib.handlers.audit import audit_pages, audit_routes, audit_stream
from chalicelib.handlers.claims import (
    claim_attachment_pages,
    claim_file_pages,
    claim_form_pages,
    claim_pages,
    claim_routes,
    payment_cycle_pages,
)
from chalicelib.handlers.codesets import codeset_routes
from chalicelib.handlers.documents import document_routes, upload_events
from chalicelib.handlers.emails import email_events
from chalicelib.handlers.home import home_pages
from chalicelib.handlers.members import member_pages, member_routes, member_upload_pages
from chalicelib.handlers.priorauth import (
    fhir_routes,
    metrics_pages,
    prior_auth_pages,
    prior_auth_routes,
    request_form_pages,
    review_pages,
)
from chalicelib.handlers.reports import export_pages, membership_pages, registry_pages, report_routes
from chalicelib.handlers.system import system_routes
from chalicelib.handlers.training import training_routes
from chalicelib.platform.web.assets import BINARY_TYPES
from chalicelib.platform.web.edge import every_response

app = Chalice(app_name="provider-portal")
# Fonts and images of the portal's assets travel base64-encoded through API Gateway (README: "Web portal").
app.api.binary_types.extend(t for t in BINARY_TYPES if t not in app.api.binary_types)

app.register_middleware(every_response, "http")  # security headers and the access log line on every response
app.register_blueprint(system_routes)
app.register_blueprint(home_pages)
app.register_blueprint(account_pages)
app.register_blueprint(asset_routes)
app.register_blueprint(auth_routes)
app.register_blueprint(user_routes)
app.register_blueprint(user_pages)
app.register_blueprint(confirmation_pages)
app.register_blueprint(mfa_routes)
app.register_blueprint(mfa_pages)
app.register_blueprint(my_account_routes)
app.register_blueprint(my_account_pages)
app.register_blueprint(link_routes)
app.register_blueprint(linker_pages)
app.register_blueprint(link_request_pages)
app.register_blueprint(impersonation_routes)
app.register_blueprint(impersonation_pages)
app.register_blueprint(account_help_routes)
app.register_blueprint(account_help_pages)
app.register_blueprint(member_routes)
app.register_blueprint(member_pages)
app.register_blueprint(member_upload_pages)
app.register_blueprint(document_routes)
app.register_blueprint(prior_auth_routes)
app.register_blueprint(prior_auth_pages)
app.register_blueprint(request_form_pages)
app.register_blueprint(review_pages)
app.register_blueprint(metrics_pages)
app.register_blueprint(claim_routes)
app.register_blueprint(claim_pages)
app.register_blueprint(claim_form_pages)
app.register_blueprint(claim_file_pages)
app.register_blueprint(claim_attachment_pages)
app.register_blueprint(payment_cycle_pages)
app.register_blueprint(codeset_routes)
app.register_blueprint(fhir_routes)
app.register_blueprint(report_routes)
app.register_blueprint(membership_pages)
app.register_blueprint(export_pages)
app.register_blueprint(registry_pages)
app.register_blueprint(audit_routes)
app.register_blueprint(audit_pages)
app.register_blueprint(training_routes)
app.register_blueprint(email_events)
app.register_blueprint(inactivity_events)
app.register_blueprint(upload_events)
app.register_blueprint(audit_stream)
