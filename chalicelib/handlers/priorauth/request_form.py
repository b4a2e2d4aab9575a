"""Submit a Prior Authorization, in the browser: the request, then the clinical questions of its codes, then AutoAuth.

Three plain POSTs of one form, no JavaScript: "Continue" checks the request with the JSON route's schema
and asks the service for the clinical questions of the codes under the member's own plan on the start
date; "Submit the request" sends it through the same idempotent submission as ``POST /prior-auths`` (the
form carries its own key, so a double click makes one request) and opens the request's page, where
AutoAuth's answer is. "More service lines" redraws the form with three more blank lines. A field the
schema or the service refuses is named beside it, with every value kept.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.handlers.layout import selected_provider
from chalicelib.handlers.priorauth import paths
from chalicelib.handlers.priorauth.routes import submission_from, submit_idempotently
from chalicelib.platform.errors import MemberNotFound, NotEligible, PortalError, ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.forms import form_key, parse_us_date, sentence, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route

if TYPE_CHECKING:
    from chalicelib.platform.access import Principal
    from chalicelib.priorauth.schemas import PriorAuthRequestIn
    from chalicelib.priorauth.service import Requirement

request_form_pages = Blueprint(__name__)
TAG = "Pages"
FIRST_LINES, MORE_LINES, MAX_LINES = 3, 3, 20
FIELDS = ("requestType", "urgency", "memberId", "servicingProviderId", "startDate", "endDate", "diagnosisCodes",
          "medicalHistory")
NEWBORN_FIELDS = ("newborn.birthDate", "newborn.gender", "newborn.birthWeightGrams", "newborn.gestationalAgeWeeks",
                  "newborn.deliveryMethod", "newborn.nicuAdmission")
NEWBORN = "NEWBORN_NOTIFICATION"
LABELS = {"requestType": "Request type", "urgency": "Urgency", "memberId": "Member ID",
          "servicingProviderId": "Servicing provider ID", "startDate": "Start date", "endDate": "End date",
          "serviceLines": "Service lines", "diagnosisCodes": "Diagnosis codes", "medicalHistory": "Medical history",
          "newborn": "Newborn", "newborn.birthDate": "Birth date", "newborn.gender": "Gender",
          "newborn.birthWeightGrams": "Birth weight", "newborn.gestationalAgeWeeks": "Gestational age",
          "newborn.deliveryMethod": "Delivery", "newborn.nicuAdmission": "NICU admission"}
_LINE_FIELD = re.compile(r"^serviceLines\.(\d+)\.(code|units)$")


def _principal(page: PageRequest) -> Principal:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


def _label(name: str) -> str:
    line = _LINE_FIELD.match(name)
    if line:
        return f"Line {int(line.group(1)) + 1} {'code' if line.group(2) == 'code' else 'units'}"
    return LABELS.get(name, LABELS.get(name.split(".")[0], "This field"))


def _named(fields: dict[str, str]) -> dict[str, str]:
    return {name: sentence(_label(name), message) for name, message in fields.items()}


class RequestForm:
    """The form as typed: its values, its service lines (by position on the form) and its answers."""

    def __init__(self, page: PageRequest) -> None:
        form = page.form
        self.values = {name: (form.get(name) or "").strip() for name in FIELDS + NEWBORN_FIELDS}
        day = parse_us_date(self.values["newborn.birthDate"])
        self.values["newborn.birthDate"] = day.isoformat() if day else self.values["newborn.birthDate"]
        self.values["requestType"] = self.values["requestType"] or "OUTPATIENT"
        self.values["urgency"] = self.values["urgency"] or "STANDARD"
        for name in ("startDate", "endDate"):  # kept as ISO: the USWDS date picker reads its value so
            day = parse_us_date(self.values[name])
            self.values[name] = day.isoformat() if day else self.values[name]
        self.line_count = min(MAX_LINES, max(FIRST_LINES, _int(form.get("lineCount")) or FIRST_LINES))
        self.lines = [{"code": (form.get(f"serviceLines.{i}.code") or "").strip().upper(),
                       "units": (form.get(f"serviceLines.{i}.units") or "").strip()} for i in range(self.line_count)]
        self.answers = {name.removeprefix("criterion."): value for name, value in form.items()
                        if name.startswith("criterion.") and value in ("met", "not-met")}
        self.key = form_key(form.get("formKey"))

    def body(self) -> tuple[PriorAuthRequestIn, list[int]]:
        """The JSON route's body (its schema's checks), and each body line's position on the form."""
        from pydantic import ValidationError

        from chalicelib.platform.web.api import field_errors as schema_errors
        from chalicelib.priorauth.schemas import PriorAuthRequestIn

        problems: dict[str, str] = {}
        dates = {}
        for name in ("startDate", "endDate"):
            day = parse_us_date(self.values[name])
            if day is None:
                problems[name] = "must be a date (mm/dd/yyyy)" if self.values[name] else "is required"
            dates[name] = day.isoformat() if day else None
        positions = [i for i, line in enumerate(self.lines) if line["code"] or line["units"]]
        body: dict[str, Any] = {
            "requestType": self.values["requestType"], "urgency": self.values["urgency"],
            "memberId": self.values["memberId"], "servicingProviderId": self.values["servicingProviderId"],
            "startDate": dates["startDate"] or "2000-01-01", "endDate": dates["endDate"] or "2000-01-01",
            "serviceLines": [{"code": self.lines[i]["code"], "units": _units(self.lines[i]["units"])}
                             for i in positions],
            "diagnosisCodes": [code for code in re.split(r"[\s,]+", self.values["diagnosisCodes"].upper()) if code],
            "medicalHistory": self.values["medicalHistory"] or None,
            "clinicalCriteria": [{"criterionId": criterion, "met": answer == "met"}
                                 for criterion, answer in sorted(self.answers.items())],
            **({"newborn": self.newborn(problems)} if self.values["requestType"] == NEWBORN else {}),
        }
        try:
            parsed = PriorAuthRequestIn.model_validate_json(json.dumps(body))  # as the JSON route reads it
        except ValidationError as error:
            problems.update(self.on_form(schema_errors(error), positions))
        if problems:
            raise ValidationFailed(fields=problems)
        return parsed, positions

    def newborn(self, problems: dict[str, str]) -> dict[str, Any]:
        """The newborn's facts as the schema reads them; a birth date that is not a date is named here."""
        values = self.values
        birth = parse_us_date(values["newborn.birthDate"])
        if birth is None:
            problems["newborn.birthDate"] = "must be a date (mm/dd/yyyy)" if values["newborn.birthDate"] else \
                "is required"
        return {
            "birthDate": birth.isoformat() if birth else "2000-01-01", "gender": values["newborn.gender"] or None,
            "birthWeightGrams": _units(values["newborn.birthWeightGrams"]) or None,
            "gestationalAgeWeeks": _units(values["newborn.gestationalAgeWeeks"]) or None,
            "deliveryMethod": values["newborn.deliveryMethod"] or None,
            "nicuAdmission": {"yes": True, "no": False}.get(values["newborn.nicuAdmission"]),
        }

    def on_form(self, fields: dict[str, str], positions: list[int]) -> dict[str, str]:
        """Problems named as the form names its fields: a body line's index becomes its line on the form."""
        named = {}
        for name, message in fields.items():
            line = re.match(r"^serviceLines\.(\d+)\.(\w+)$", name)
            if line and int(line.group(1)) < len(positions):
                name = f"serviceLines.{positions[int(line.group(1))]}.{line.group(2)}"
            elif name.startswith("serviceLines") or name == "serviceLines":
                name = "serviceLines.0.code"
            named[name] = message
        return named


def _units(text: str) -> int | str:
    """Units as typed: a number the schema checks for its range, else the text, which it refuses by name."""
    return int(text) if text.isdigit() else (text or 0)


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def _page(page: PageRequest, form: RequestForm, *, errors: dict[str, str] | None = None,
          questions: list[Requirement] | None = None, status: int = 200) -> Page:
    errors = _named(errors or {})
    ordered = {**{name: name for name in FIELDS[:6]},
               **{f"serviceLines.{i}.{part}": "" for i in range(form.line_count) for part in ("code", "units")},
               "diagnosisCodes": "", "medicalHistory": "", **{name: "" for name in NEWBORN_FIELDS}}
    return Page("priorauth/new.html", {
        "title": "Submit a Prior Authorization", "values": form.values, "lines": form.lines,
        "line_count": form.line_count, "can_add_lines": form.line_count < MAX_LINES, "errors": errors,
        "summary_errors": summary(errors, ordered), "questions": questions, "answers": form.answers,
        "form_key": form.key, "action": paths.NEW_REQUEST, "acts_for_provider": True,
        "choices": {
            "requestType": [{"value": "OUTPATIENT", "text": "Outpatient", "hint": "Procedures, equipment, therapy"},
                            {"value": "INPATIENT", "text": "Inpatient", "hint": "A stay: revenue codes (4 digits)"},
                            {"value": NEWBORN, "text": "Newborn notification",
                             "hint": "Within 30 days of birth: nursery 0171, NICU 0174; the newborn's facts below"}],
            "gender": [{"value": "", "text": "- Select -"}, {"value": "F", "text": "Female"},
                       {"value": "M", "text": "Male"}, {"value": "U", "text": "Unknown"}],
            "delivery": [{"value": "VAGINAL", "text": "Vaginal"}, {"value": "CESAREAN", "text": "Cesarean"}],
            "nicu": [{"value": "no", "text": "No"}, {"value": "yes", "text": "Yes"}],
            "urgency": [{"value": "STANDARD", "text": "Standard", "hint": "Decided within 7 calendar days"},
                        {"value": "EXPEDITED", "text": "Expedited",
                         "hint": "Waiting could seriously jeopardize the member's life or health: within 72 hours"}],
        },
    }, status=status)


@page_route(request_form_pages, paths.NEW_REQUEST, permission=Permission.PRIOR_AUTH_SUBMIT,
            tag=TAG, summary="Submit a Prior Authorization: the request",
            description="Outpatient or inpatient; the member, the servicing provider, dates, service lines, "
            "diagnoses. The selected provider is the requesting one.")
def new_request_page(page: PageRequest) -> Page:
    form = RequestForm(page)
    provider = selected_provider(page)
    form.values["servicingProviderId"] = (page.query.get("servicingProviderId") or
                                          (provider["provider_id"] if provider else ""))
    form.values["memberId"] = (page.query.get("memberId") or "").strip()
    return _page(page, form)


@page_route(request_form_pages, paths.NEW_REQUEST, permission=Permission.PRIOR_AUTH_SUBMIT, method="POST", tag=TAG,
            summary="Submit a Prior Authorization: more lines, the clinical questions, or the request itself",
            description="step=lines | questions | submit. Submit answers with the request's page (AutoAuth's "
            "decision: APPROVED, PENDED with the reasons, or no authorization required).")
def new_request_submit(page: PageRequest) -> Page | Redirect:
    form = RequestForm(page)
    step = page.form.get("step") or "questions"
    if step == "lines":
        form.line_count = min(MAX_LINES, form.line_count + MORE_LINES)
        form.lines += [{"code": "", "units": ""}] * (form.line_count - len(form.lines))
        return _page(page, form)
    provider = selected_provider(page)
    requesting = provider["provider_id"] if provider else None
    service = wiring.current().prior_auths()
    try:
        body, _ = form.body()
        if step != "submit":
            questions = service.questions(_principal(page), body.member_id, body.start_date,
                                          [line.code for line in body.service_lines], requesting)
            return _page(page, form, questions=questions)
        body = body.model_copy(update={"requesting_provider_id": requesting})
        fingerprint = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
        outcome = submit_idempotently(_principal(page), submission_from(body), fingerprint, "PORTAL", form.key,
                                      page.lambda_context)
    except (ValidationFailed, NotEligible) as error:
        return _page(page, form, errors=error.fields, status=400 if isinstance(error, ValidationFailed) else 409)
    except MemberNotFound as error:
        return _page(page, form, errors={"memberId": error.message}, status=404)
    except PortalError as error:
        if not error.fields:
            raise
        return _page(page, form, errors=error.fields, status=400)
    return Redirect(paths.request(outcome.request.request_id))
