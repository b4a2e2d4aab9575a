"""Submit a Claim in the browser: professional (CMS-1500), institutional (UB-04), dental (ADA); corrections, voids.

One plain form per claim type, no JavaScript needed: "More service lines" redraws it with more blank lines (portal.js
may add one in place), the diagnosis fields are plain text inputs the ICD-10-CM combo box enhances, and "Submit the
claim" builds the JSON route's body, checks it with its schema (``ClaimIn``) and sends it through the same idempotent
submission as ``POST /claims``, keyed by the form's own hidden key, so a double click makes one claim. A refused field
is named beside it (a line's beside that line), with every value kept; the claim's page shows the outcome.

From a final claim's page (APPROVED, PAID, DENIED) of a provider the user acts for: "Submit a corrected claim" (the
form prefilled from the claim, frequency 7, the original's number carried) and "Void this claim" (a confirmation,
then frequency 8 with the original's lines). A claim that changed meanwhile is said on the form.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.claims.enums import FINAL_STATUSES, ClaimStatus
from chalicelib.handlers.claims import paths
from chalicelib.handlers.claims.routes import detail_body, submit_idempotently
from chalicelib.handlers.layout import acting_providers, selected_provider
from chalicelib.platform.errors import MemberNotFound, NotEligible, PortalError, ValidationFailed
from chalicelib.platform.permissions import Permission
from chalicelib.platform.web.forms import form_key, parse_us_date, sentence, summary
from chalicelib.platform.web.pages import Page, PageRequest, Redirect, page_route

if TYPE_CHECKING:
    from chalicelib.claims.schemas import ClaimIn
    from chalicelib.platform.access import Principal

claim_form_pages = Blueprint(__name__)
TAG = "Pages"
FIRST_LINES, MORE_LINES, MAX_LINES = 2, 2, 50
DIAGNOSES = 12
LETTERS = "ABCDEFGHIJKL"
PROFESSIONAL, INSTITUTIONAL, DENTAL = "PROFESSIONAL", "INSTITUTIONAL", "DENTAL"
FORMS = {
    PROFESSIONAL: {"name": "Professional", "paper": "CMS-1500", "fields": (
        "memberId", "billingProviderId", "renderingProviderId", "patientControlNumber", "placeOfService",
        "priorAuthorizationNumber", "otherPayerPaid"), "line_fields": (
        "serviceDate", "serviceDateTo", "placeOfService", "procedureCode", "modifiers", "diagnosisPointers", "units",
        "charge")},
    INSTITUTIONAL: {"name": "Institutional", "paper": "UB-04", "fields": (
        "memberId", "billingProviderId", "patientControlNumber", "facilityTypeCode", "admissionDate",
        "dischargeStatus", "priorAuthorizationNumber", "otherPayerPaid"), "line_fields": (
        "serviceDate", "revenueCode", "procedureCode", "units", "charge")},
    DENTAL: {"name": "Dental", "paper": "ADA", "fields": (
        "memberId", "billingProviderId", "renderingProviderId", "patientControlNumber", "placeOfService",
        "priorAuthorizationNumber", "otherPayerPaid"), "line_fields": (
        "serviceDate", "procedureCode", "tooth", "surfaces", "diagnosisPointers", "units", "charge")},
}
CLAIM_FIELDS = ("memberId", "billingProviderId", "renderingProviderId", "patientControlNumber", "placeOfService",
                "facilityTypeCode", "admissionDate", "dischargeStatus", "priorAuthorizationNumber", "otherPayerPaid")
LINE_FIELDS = ("serviceDate", "serviceDateTo", "placeOfService", "procedureCode", "revenueCode", "modifiers",
               "diagnosisPointers", "units", "charge", "tooth", "surfaces")
LABELS = {"memberId": "Member ID", "billingProviderId": "Billing provider", "renderingProviderId":
          "Rendering provider ID", "patientControlNumber": "Patient account number", "placeOfService":
          "Place of service", "facilityTypeCode": "Type of bill (facility type code)", "admissionDate":
          "Admission date", "dischargeStatus": "Discharge status", "priorAuthorizationNumber":
          "Prior authorization number", "otherPayerPaid": "Other payer paid", "originalClaimNumber":
          "Original claim number", "totalCharge": "Total charge", "diagnosisCodes": "Diagnosis codes",
          "serviceLines": "Service lines", "claimType": "Claim type", "frequency": "Frequency"}
LINE_LABELS = {"serviceDate": "date of service", "serviceDateTo": "date of service to", "placeOfService":
               "place of service", "procedureCode": "procedure code", "revenueCode": "revenue code", "modifiers":
               "modifiers", "diagnosisPointers": "diagnosis pointers", "units": "units", "charge": "charge",
               "tooth": "tooth", "surfaces": "surfaces"}
PROCEDURE_LABELS = {PROFESSIONAL: "Procedure code", INSTITUTIONAL: "HCPCS code", DENTAL: "CDT code"}
DATE_FIELDS = ("admissionDate",)
LINE_DATE_FIELDS = ("serviceDate", "serviceDateTo")
STALE = ("The original claim changed after this form was opened (it was corrected or voided meanwhile): open the "
         "claim again and start from its latest version.")
_LINE_FIELD = re.compile(r"^serviceLines\.(\d+)\.(\w+)(?:\.\d+)?$")
_DIAGNOSIS_FIELD = re.compile(r"^diagnosisCodes\.(\d+)$")


def _principal(page: PageRequest) -> Principal:
    assert page.principal is not None  # page_route lets no request without a session through
    return page.principal


def _label(name: str) -> str:
    line = _LINE_FIELD.match(name)
    if line:
        return f"Line {int(line.group(1)) + 1} {LINE_LABELS.get(line.group(2), 'field')}"
    diagnosis = _DIAGNOSIS_FIELD.match(name)
    if diagnosis:
        return f"Diagnosis {LETTERS[int(diagnosis.group(1))]}"
    return LABELS.get(name, "This field")


def _claim_type(text: str | None) -> str:
    wanted = (text or "").strip().upper()
    return wanted if wanted in FORMS else PROFESSIONAL


class ClaimForm:
    """The form as typed: its header values, its diagnoses (A-L) and its service lines, by position on the form."""

    def __init__(self, page: PageRequest) -> None:
        form = page.form
        self.claim_type = _claim_type(form.get("claimType") or page.query.get("type"))
        self.values = {name: (form.get(name) or "").strip() for name in CLAIM_FIELDS}
        self.values["frequency"] = form.get("frequency") if form.get("frequency") in ("7", "8") else "1"
        original = (form.get("originalClaimNumber") or "").strip()
        self.values["originalClaimNumber"] = original if self.values["frequency"] != "1" else ""
        for name in DATE_FIELDS:
            self.values[name] = _iso_if_date(self.values[name])
        self.diagnoses = [(form.get(f"diagnosisCodes.{i}") or "").strip().upper() for i in range(DIAGNOSES)]
        self.line_count = min(MAX_LINES, max(FIRST_LINES, _int(form.get("lineCount")) or FIRST_LINES))
        self.lines = [self._line(form, i) for i in range(self.line_count)]
        self.key = form_key(form.get("formKey"))
        self.line_positions: list[int] = []
        self.diagnosis_positions: list[int] = []

    @staticmethod
    def _line(form: Any, index: int) -> dict[str, str]:
        line = {name: (form.get(f"serviceLines.{index}.{name}") or "").strip() for name in LINE_FIELDS}
        for name in LINE_DATE_FIELDS:
            line[name] = _iso_if_date(line[name])
        for name in ("procedureCode", "modifiers", "diagnosisPointers", "tooth", "surfaces"):
            line[name] = line[name].upper()
        return line

    @property
    def line_fields(self) -> tuple[str, ...]:
        return FORMS[self.claim_type]["line_fields"]

    def add_lines(self, count: int) -> None:
        self.line_count = min(MAX_LINES, self.line_count + count)
        self.lines += [dict.fromkeys(LINE_FIELDS, "") for _ in range(self.line_count - len(self.lines))]

    def body(self) -> ClaimIn:
        """The JSON route's body, checked with its schema; every problem named as the form names its fields."""
        from pydantic import ValidationError

        from chalicelib.claims.schemas import ClaimIn
        from chalicelib.platform.web.api import field_errors as schema_errors

        problems: dict[str, str] = {}
        self.diagnosis_positions = diagnosis_positions = [i for i, code in enumerate(self.diagnoses) if code]
        self.line_positions = line_positions = [i for i, line in enumerate(self.lines)
                                                if any(line[name] for name in self.line_fields)]
        fields = FORMS[self.claim_type]["fields"]
        body: dict[str, Any] = {
            "claimType": self.claim_type, "frequency": self.values["frequency"],
            **({"originalClaimNumber": self.values["originalClaimNumber"]} if self.values["frequency"] != "1" else {}),
            **{name: self.values[name] for name in fields if self.values[name] and name not in ("otherPayerPaid",)},
            "diagnosisCodes": [self.diagnoses[i] for i in diagnosis_positions],
            "serviceLines": [self._line_body(i, diagnosis_positions, problems) for i in line_positions],
        }
        body.setdefault("billingProviderId", "")
        body.setdefault("memberId", "")
        for name in DATE_FIELDS:
            if name in body:
                body[name] = self._date(name, body[name], problems)
        if self.values["otherPayerPaid"]:
            body["otherPayerPaid"] = self.values["otherPayerPaid"].replace("$", "").replace(",", "")
        body["totalCharge"] = _total(body["serviceLines"])
        try:
            parsed = ClaimIn.model_validate_json(json.dumps(body))  # as the JSON route reads it
        except ValidationError as error:
            problems.update(self.on_form(schema_errors(error)))
        if not line_positions:
            problems["serviceLines.0.serviceDate"] = "Enter at least one service line"
        if problems:
            raise ValidationFailed(fields=problems)
        return parsed

    def _line_body(self, index: int, diagnosis_positions: list[int], problems: dict[str, str]) -> dict[str, Any]:
        line = self.lines[index]
        name = f"serviceLines.{index}"
        body: dict[str, Any] = {
            field: line[field] for field in self.line_fields
            if line[field] and field not in ("modifiers", "diagnosisPointers", "units", "charge")
        }
        for field in LINE_DATE_FIELDS:
            if field in body:
                body[field] = self._date(f"{name}.{field}", body[field], problems)
        body.setdefault("serviceDate", None)
        if body["serviceDate"] is None and f"{name}.serviceDate" not in problems:
            problems[f"{name}.serviceDate"] = "is required"
            body["serviceDate"] = "2000-01-01"
        if "modifiers" in self.line_fields:
            body["modifiers"] = [m for m in re.split(r"[\s,]+", line["modifiers"]) if m]
        if "diagnosisPointers" in self.line_fields:
            body["diagnosisPointers"] = self._pointers(name, line["diagnosisPointers"], diagnosis_positions, problems)
        body["units"] = int(line["units"]) if line["units"].isdigit() else (line["units"] or 1)
        body["charge"] = line["charge"].replace("$", "").replace(",", "") or None
        return body

    @staticmethod
    def _date(name: str, text: str, problems: dict[str, str]) -> str:
        day = parse_us_date(text)
        if day is None:
            problems[name] = "must be a date (mm/dd/yyyy)"
            return "2000-01-01"
        return day.isoformat()

    @staticmethod
    def _pointers(name: str, text: str, diagnosis_positions: list[int], problems: dict[str, str]) -> list[Any]:
        """Letters A-L (or 1-12) of the form's diagnosis fields, as 1-based positions in the body's diagnosisCodes."""
        pointers: list[Any] = []
        for pointer in (p for p in re.split(r"[\s,]+", text) if p):
            position = LETTERS.find(pointer) if pointer.isalpha() and len(pointer) == 1 else \
                int(pointer) - 1 if pointer.isdigit() and 1 <= int(pointer) <= DIAGNOSES else -1
            if position < 0:
                problems[f"{name}.diagnosisPointers"] = f"{pointer} is not a diagnosis letter (A-L) or number (1-12)"
            elif position not in diagnosis_positions:
                problems[f"{name}.diagnosisPointers"] = f"{pointer} points at no diagnosis: enter diagnosis " \
                                                        f"{LETTERS[position]} or point at another"
            else:
                pointers.append(diagnosis_positions.index(position) + 1)
        return pointers

    def on_form(self, fields: dict[str, str]) -> dict[str, str]:
        """Problems named as the form names its fields: a body line's index becomes its line on the form, a body
        diagnosis its letter's field; a problem of the total is the first line's charge's."""
        named: dict[str, str] = {}
        line_positions, diagnosis_positions = self.line_positions, self.diagnosis_positions
        first_line = line_positions[0] if line_positions else 0
        for name, message in fields.items():
            line = _LINE_FIELD.match(name)
            diagnosis = _DIAGNOSIS_FIELD.match(name)
            if line and int(line.group(1)) < len(line_positions):
                name = f"serviceLines.{line_positions[int(line.group(1))]}.{line.group(2)}"
            elif diagnosis and int(diagnosis.group(1)) < len(diagnosis_positions):
                name = f"diagnosisCodes.{diagnosis_positions[int(diagnosis.group(1))]}"
            elif name.startswith("diagnosisCodes"):
                name = "diagnosisCodes.0"
            elif name.startswith("serviceLines") or name == "totalCharge":
                name = f"serviceLines.{first_line}.{'charge' if name == 'totalCharge' else 'serviceDate'}"
            named.setdefault(name, message)
        return named

    def ordered_fields(self) -> dict[str, str]:
        """Every field in the form's order: the error summary lists its entries so."""
        return {**dict.fromkeys(("originalClaimNumber", *FORMS[self.claim_type]["fields"]), ""),
                **{f"diagnosisCodes.{i}": "" for i in range(DIAGNOSES)},
                **{f"serviceLines.{i}.{name}": "" for i in range(self.line_count) for name in self.line_fields}}


def _iso_if_date(text: str) -> str:
    """Kept as ISO when it is a date (the USWDS date picker reads its value so), else as typed."""
    day = parse_us_date(text)
    return day.isoformat() if day else text


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def _total(lines: list[dict[str, Any]]) -> str:
    """The claim's total (CMS-1500 box 28) is the lines' sum: the form adds them, the schema checks each charge."""
    total = Decimal(0)
    for line in lines:
        try:
            total += Decimal(line["charge"] or "0")
        except InvalidOperation:
            continue
    return f"{total:.2f}" if total.is_finite() and total > 0 else "0.01"


def _page(page: PageRequest, form: ClaimForm, *, errors: dict[str, str] | None = None, status: int = 200) -> Page:
    named = {name: sentence(_label(name), message) for name, message in (errors or {}).items()}
    kind = FORMS[form.claim_type]
    providers = acting_providers(page)
    corrected = form.values["frequency"] == "7"
    return Page("claims/new.html", {
        "title": f"Submit a Corrected {kind['name']} Claim" if corrected else
        f"Submit {'an' if kind['name'][0] in 'AEIOU' else 'a'} {kind['name']} Claim", "claim_type": form.claim_type,
        "kind": kind, "fields": kind["fields"], "line_fields": form.line_fields, "values": form.values,
        "diagnoses": form.diagnoses, "letters": LETTERS, "lines": form.lines, "line_count": form.line_count,
        "can_add_lines": form.line_count < MAX_LINES, "errors": named,
        "summary_errors": summary(named, form.ordered_fields()), "form_key": form.key, "action": paths.NEW_CLAIM,
        "procedure_label": PROCEDURE_LABELS[form.claim_type], "acts_for_provider": True,
        "types": [{"value": value, "name": item["name"], "paper": item["paper"], "href": paths.new_claim(value),
                   "current": value == form.claim_type} for value, item in FORMS.items()] if not corrected else [],
        "providers": [{"value": p["provider_id"], "text": f"{p['name']} ({p['provider_id']})"} for p in providers],
        "original_link": paths.claim(form.values["originalClaimNumber"]) if corrected else "",
        "lookup": "/portal/codesets/icd10cm",
    }, status=status)


def _submitted(page: PageRequest, form: ClaimForm, render: Any) -> Page | Redirect:
    """Submit the form's claim once per form key; the claim's page, or ``render`` with the problems."""
    try:
        body = form.body()
    except ValidationFailed as error:
        return render(errors=error.fields, status=400)
    try:
        claim_number = submit_idempotently(_principal(page), body, form.key, page.lambda_context)
    except (ValidationFailed, NotEligible) as error:
        return render(errors=form.on_form(error.fields), status=400 if isinstance(error, ValidationFailed) else 409)
    except MemberNotFound as error:
        return render(errors={"memberId": error.message}, status=404)
    except PortalError as error:
        if error.code == "CLAIM_CHANGED":
            return render(errors={"originalClaimNumber": STALE}, status=409)
        if not error.fields:
            raise
        return render(errors=form.on_form(error.fields), status=400)
    return Redirect(paths.claim(claim_number))


@page_route(claim_form_pages, paths.NEW_CLAIM,
            permission=Permission.CLAIMS_SUBMIT, tag=TAG, summary="Submit a Claim: the form",
            description="?type=professional (CMS-1500, the default) | institutional (UB-04) | dental (ADA). The "
            "billing provider is chosen from the providers you act for (the selected one first).")
def new_claim_page(page: PageRequest) -> Page:
    form = ClaimForm(page)
    provider = selected_provider(page)
    form.values["billingProviderId"] = provider["provider_id"] if provider else ""
    form.values["memberId"] = (page.query.get("memberId") or "").strip()
    return _page(page, form)


@page_route(claim_form_pages, paths.NEW_CLAIM, method="POST",
            permission=Permission.CLAIMS_SUBMIT, tag=TAG,
            summary="Submit a Claim: more service lines, or the claim itself",
            description="step=lines | submit. Submit goes through POST /claims' schema and idempotent submission "
            "(the form's key) and answers with the claim's page: Approved (to be paid), Denied with the reasons, or "
            "Pended; a refused field comes back beside it.")
def new_claim_submit(page: PageRequest) -> Page | Redirect:
    form = ClaimForm(page)
    if page.form.get("step") == "lines":
        form.add_lines(MORE_LINES)
        return _page(page, form)
    return _submitted(page, form, lambda **problems: _page(page, form, **problems))


# Corrected and void claims, from a claim's page

def actionable(page: PageRequest, claim: dict[str, Any]) -> bool:
    """A claim may be corrected or voided when it is final and the user acts for its billing provider."""
    if ClaimStatus(claim["status"]) not in FINAL_STATUSES:
        return False
    return any(p["provider_id"] == claim["billing_provider_id"] for p in acting_providers(page))


def _claim(page: PageRequest, number: str) -> dict[str, Any]:
    view = wiring.current().claims().view(_principal(page), number)
    return detail_body(view.claim, view.documents)


def _final_claim(page: PageRequest, number: str) -> dict[str, Any]:
    """The claim as its page shows it; one that cannot be corrected or voided (now) is the 404 page."""
    from chalicelib.platform.errors import ClaimNotFound

    claim = _claim(page, number)
    if not actionable(page, claim):
        raise ClaimNotFound("This claim cannot be corrected or voided now: only a final claim (approved, paid or "
                            "denied) of a provider you act for can.")
    return claim


def _prefilled(page: PageRequest, claim: dict[str, Any], frequency: str) -> ClaimForm:
    form = ClaimForm(page)
    form.claim_type = claim["claim_type"]
    form.values.update({name: str(claim.get(_snake(name)) or "") for name in CLAIM_FIELDS})
    form.values.update({"frequency": frequency, "originalClaimNumber": claim["claim_number"],
                        "otherPayerPaid": claim.get("other_payer_paid") or ""})
    form.diagnoses = [*claim["diagnosis_codes"], *[""] * DIAGNOSES][:DIAGNOSES]
    form.lines = [{
        **dict.fromkeys(LINE_FIELDS, ""),
        **{name: str(line.get(_snake(name)) or "") for name in LINE_FIELDS},
        "modifiers": " ".join(line["modifiers"]),
        "diagnosisPointers": ", ".join(LETTERS[p - 1] for p in line["diagnosis_pointers"] if 1 <= p <= DIAGNOSES),
        "units": str(line["units"]),
    } for line in claim["service_lines"]]
    form.line_count = len(form.lines)
    if frequency == "7":
        form.add_lines(1)
    return form


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda match: "_" + match.group(1).lower(), name)


@page_route(claim_form_pages, paths.CORRECTION,
            permission=Permission.CLAIMS_SUBMIT, tag=TAG, summary="Submit a corrected claim: the form, prefilled",
            description="Frequency 7 with the original claim number; only for a final claim (approved, paid or "
            "denied) of a provider you act for. It posts to Submit a Claim; the original becomes Replaced.")
def correction_page(page: PageRequest, number: str) -> Page:
    return _page(page, _prefilled(page, _final_claim(page, number), "7"))


def _void_page(page: PageRequest, claim: dict[str, Any], form: ClaimForm, *, errors: dict[str, str] | None = None,
               status: int = 200) -> Page:
    named = {name: sentence(_label(name), message) for name, message in (errors or {}).items()}
    return Page("claims/void.html", {
        "title": f"Void claim {claim['claim_number']}", "claim": claim, "form_key": form.key, "errors": named,
        "summary_errors": [{"text": message} for message in named.values()],
        "action": paths.void(claim["claim_number"]), "claim_link": paths.claim(claim["claim_number"]),
        "acts_for_provider": True,
    }, status=status)


@page_route(claim_form_pages, paths.VOID,
            permission=Permission.CLAIMS_SUBMIT, tag=TAG, summary="Void this claim: the confirmation",
            description="Only for a final claim (approved, paid or denied) of a provider you act for.")
def void_page(page: PageRequest, number: str) -> Page:
    claim = _final_claim(page, number)
    return _void_page(page, claim, ClaimForm(page))


@page_route(claim_form_pages, paths.VOID, method="POST",
            permission=Permission.CLAIMS_SUBMIT, tag=TAG, summary="Void this claim",
            description="Frequency 8 with the original's lines, through POST /claims' idempotent submission; the "
            "original becomes Voided (its payment, if any, is taken back on the next payment).")
def void_submit(page: PageRequest, number: str) -> Page | Redirect:
    claim = _claim(page, number)  # no longer final (voided in another tab meanwhile): the service says so
    typed = ClaimForm(page)
    form = _prefilled(page, claim, "8")
    form.key = typed.key
    return _submitted(page, form, lambda **problems: _void_page(page, claim, form, **problems))
