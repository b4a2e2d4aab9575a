"""Provider Training: the modules owed by the provider acted for, attesting to one, and the office's standing.

The JSON API (``/training``) and the pages (``/provider-training``) say the same thing; every page also
carries a banner while a required module is overdue (``overdue_training`` in the layout), which never
blocks work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.handlers.layout import selected_provider
from chalicelib.platform.errors import Forbidden, ProviderNotFound
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.api import api_route
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route
from chalicelib.training.modules import Standing, TrainingStatus
from chalicelib.training.service import ActingFor

if TYPE_CHECKING:
    from chalicelib.platform.access import Principal
    from chalicelib.training.schemas import AttestationIn, TrainingQuery

training_routes = Blueprint(__name__)
TAG = "Provider Training"
PAGE_TAG = "Pages"
TRAINING_PAGE = "/provider-training"
OFFICE_PAGE = "/provider-training/office"
STATUS_WORDS = {TrainingStatus.COMPLETE: ("Complete", "success"), TrainingStatus.DUE: ("Due", "info"),
                TrainingStatus.OVERDUE: ("Overdue", "error"), TrainingStatus.OPTIONAL: ("Optional", "neutral")}


def _acting_for(principal: Principal, provider_id: str | None) -> ActingFor:
    """The provider named (one the user acts for) or the account's own; plan staff owe no provider training."""
    if principal.is_plan_staff:
        raise Forbidden("Provider Training is for offices: plan staff act for no provider.")
    found = wiring.current().accounts().providers_for(principal)
    wanted = provider_id or principal.home_provider_id
    chosen = next((p for p in found if p.provider_id == wanted), None) or (None if provider_id else
                                                                           next(iter(found), None))
    if chosen is None:
        raise ProviderNotFound()
    return ActingFor(chosen.provider_id, chosen.tax_id, chosen.state, chosen.programs)


def standing_body(item: Standing) -> dict[str, Any]:
    module = item.module
    return {
        "module_id": module.module_id, "title": module.title, "description": module.description,
        "link": module.link, "version": module.version, "required": item.required, "status": item.status.value,
        "due_on": item.due_on,
        "latest": {"version": item.latest.version, "completed_at": item.latest.completed_at} if item.latest else None,
    }


@api_route(training_routes, "/training", permission=None, tag=TAG, query="training:TrainingQuery",
           response="training:TrainingOut", errors=(403, 404),
           summary="Training modules for the provider acted for: required or not, and where you stand on each",
           description="COMPLETE (this training year's attestation of the current version), DUE, OVERDUE (last "
           "year's was missed) or OPTIONAL; required ones first. A training year ends on the module's due date.")
def my_training(principal: Principal, query: TrainingQuery) -> dict[str, Any]:
    acting = _acting_for(principal, query.provider_id)
    items = wiring.current().training().standing_of(principal, acting)
    return {"provider_id": acting.provider_id, "items": [standing_body(item) for item in items]}


@api_route(training_routes, "/training/{moduleId}/attestations", permission=None, method="POST", tag=TAG,
           status=201, body="training:AttestationIn", response="training:TrainingOut", errors=(403, 404, 409),
           summary="Attest that you completed a training module (its current version)",
           description="409 TRAINING_VERSION_CHANGED names the current version when another was read.")
def attest(principal: Principal, body: AttestationIn, moduleId: str) -> dict[str, Any]:
    acting = _acting_for(principal, body.provider_id)
    items = wiring.current().training().attest(principal, moduleId, body.version, acting)
    return {"provider_id": acting.provider_id, "items": [standing_body(item) for item in items]}


@api_route(training_routes, "/training/office", permission=Permission.USER_ADMIN, tag=TAG,
           query="training:TrainingQuery", response="training:OfficeTrainingOut", errors=(403, 404),
           summary="Administrators: each user of the Tax ID against the training the provider's state requires")
def office_training(principal: Principal, query: TrainingQuery) -> dict[str, Any]:
    acting = _acting_for(principal, query.provider_id)
    users = wiring.current().training().office(acting)
    return {"tax_id": acting.tax_id, "users": [
        {"username": u.user.username, "account_status": u.user.status,
         "items": [standing_body(item) for item in u.standings]} for u in users]}


# Pages


def _page_acting_for(page: PageRequest) -> ActingFor:
    assert page.principal is not None  # page_route lets no request without a session through
    provider = selected_provider(page)
    if page.principal.is_plan_staff or provider is None:
        raise Forbidden("Provider Training is for offices: plan staff act for no provider.")
    return ActingFor(provider["provider_id"], provider["tax_id"], provider["state"], tuple(provider["programs"]))


def _tag(status: TrainingStatus) -> dict[str, str]:
    text, tone = STATUS_WORDS[status]
    return {"text": text, "tone": tone}


@page_route(training_routes, TRAINING_PAGE, permission=None, tag=PAGE_TAG, summary="Provider Training")
def training_page(page: PageRequest) -> Page:
    assert page.principal is not None
    acting = _page_acting_for(page)
    items = wiring.current().training().standing_of(page.principal, acting)
    attested = page.query.get("attested", "")
    return _modules_page(page, items, next((i.module.title for i in items if i.module.module_id == attested), None))


def _modules_page(page: PageRequest, items: list[Standing], attested: str | None,
                  errors: dict[str, str] | None = None) -> Page:
    assert page.principal is not None
    errors = errors or {}
    return Page("training/modules.html", {
        "title": "Provider Training", "acts_for_provider": True,
        "items": [{"standing": item, "tag": _tag(item.status)} for item in items], "attested": attested,
        "errors": errors, "summary_errors": [{"text": text, "href": f"#{field}"} for field, text in errors.items()],
        "office_link": page.principal.has(Permission.USER_ADMIN),
    }, status=400 if errors else 200)


@page_route(training_routes, TRAINING_PAGE + "/{moduleId}/attestation", permission=None, method="POST",
            tag=PAGE_TAG, summary="Attest to a training module")
def attest_page(page: PageRequest, moduleId: str) -> Page | Redirect:
    assert page.principal is not None
    acting = _page_acting_for(page)
    training = wiring.current().training()
    if page.form.get("confirm") != "yes":
        return _modules_page(page, training.standing_of(page.principal, acting), None,
                             {f"confirm-{moduleId}": "Check the box to say you completed this training"})
    training.attest(page.principal, moduleId, page.form.get("version", ""), acting)
    return Redirect(f"{TRAINING_PAGE}?attested={moduleId}")


@page_route(training_routes, OFFICE_PAGE, permission=Permission.USER_ADMIN, tag=PAGE_TAG,
            summary="Provider Training: the office's users and where each stands")
def office_page(page: PageRequest) -> Page:
    acting = _page_acting_for(page)
    users = wiring.current().training().office(acting)
    return Page("training/office.html", {
        "title": "Provider Training for the office", "acts_for_provider": True, "tax_id": acting.tax_id,
        "users": [{"user": u.user, "items": [{"standing": s, "tag": _tag(s.status)} for s in u.standings]}
                  for u in users],
        "modules": sorted({s.module.title for u in users for s in u.standings}),
    })
