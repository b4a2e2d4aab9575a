"""Submit a Claim in the browser: the three forms, errors beside their fields line by line, one claim per form key,
and corrected and void claims from a claim's page."""

import re

import pytest

from chalicelib.claims.store import ClaimModel
from tests.claims.test_claims import office_visit, submit

pytestmark = pytest.mark.usefixtures("fee_schedules")
NEW = "/claims-center/new-claim"


def text(soup, element_id):
    return " ".join(soup.find(id=element_id).get_text(" ", strip=True).split())


def value(soup, name):
    return soup.find(attrs={"name": name})["value"]


def form_fields(soup):
    """What the form would post as it is drawn: every named input's value, and each select's chosen option."""
    form = soup.find("form", attrs={"action": NEW}) or soup.find("main").find("form", method="post")
    fields = {tag["name"]: tag.get("value", "") for tag in form.find_all("input") if tag.get("name")}
    for select in form.find_all("select"):
        chosen = select.find("option", selected=True) or select.find("option")
        fields[select["name"]] = chosen["value"]
    return fields


def ava_visit(**changes):
    """Ava Thompson's office visit and venipuncture on 11/02/2031 (Jane Doe billing), as an office types it."""
    data = {
        "claimType": "PROFESSIONAL", "memberId": "10000000001", "billingProviderId": "100000000001",
        "placeOfService": "11", "patientControlNumber": "ACCT-1001", "diagnosisCodes.0": "E11.9",
        "diagnosisCodes.1": "I10",
        "serviceLines.0.serviceDate": "11/02/2031", "serviceLines.0.procedureCode": "99213",
        "serviceLines.0.diagnosisPointers": "A, B", "serviceLines.0.units": "1", "serviceLines.0.charge": "125.00",
        "serviceLines.1.serviceDate": "11/02/2031", "serviceLines.1.procedureCode": "36415",
        "serviceLines.1.diagnosisPointers": "A", "serviceLines.1.units": "1", "serviceLines.1.charge": "25.00",
        "lineCount": "2", "step": "submit",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(("kind", "heading", "present", "absent"), [
    ("professional", "Submit a Professional Claim", ["serviceLines.0.modifiers", "serviceLines.0.placeOfService",
                                                     "serviceLines.1.diagnosisPointers", "renderingProviderId"],
     ["serviceLines.0.revenueCode", "facilityTypeCode", "serviceLines.0.tooth"]),
    ("institutional", "Submit an Institutional Claim", ["facilityTypeCode", "admissionDate", "dischargeStatus",
                                                       "serviceLines.0.revenueCode", "serviceLines.0.procedureCode"],
     ["serviceLines.0.modifiers", "serviceLines.0.tooth", "placeOfService"]),
    ("dental", "Submit a Dental Claim", ["serviceLines.0.tooth", "serviceLines.0.surfaces", "placeOfService"],
     ["serviceLines.0.revenueCode", "facilityTypeCode", "serviceLines.0.modifiers"]),
])
def test_each_claim_type_has_its_form_with_the_selected_provider_billing(logged_in, kind, heading, present, absent):
    browser = logged_in("demo.group")
    soup = browser.get(f"{NEW}?type={kind}").html
    assert soup.find("h1").get_text(strip=True) == heading
    assert value(soup, "claimType") == kind.upper()
    assert all(soup.find(id=name) for name in present), [name for name in present if not soup.find(id=name)]
    assert not any(soup.find(id=name) for name in absent)
    assert [soup.find(id=f"diagnosisCodes.{i}").find_previous("label").get_text(strip=True)
            for i in (0, 11)] == ["Diagnosis A", "Diagnosis L"]
    assert soup.find(id="diagnosisCodes.0")["data-combobox"] == "/portal/codesets/icd10cm"
    billing = soup.find("select", attrs={"name": "billingProviderId"})
    assert {option["value"] for option in billing.find_all("option")} == {"999999999999", "100000000001",
                                                                          "100000000002"}
    assert billing.find("option", selected=True)["value"] == "999999999999"
    assert soup.select_one("#claim-types a[aria-current=page]").get_text(strip=True).lower().startswith(kind)


def test_a_professional_claim_goes_to_its_page_approved_with_the_fee_schedules_amount(logged_in):
    browser = logged_in("demo.jdoe")
    answer = browser.submit(NEW, ava_visit(), form_page=NEW)
    assert answer.status == 303, answer.text
    claim_number = re.fullmatch(r"/claims-center/claims/(\d{13})", answer.location).group(1)
    page = browser.get(answer.location).html
    assert "Approved, to be paid" in text(page, "outcome")
    assert "Approved for $78.00" in text(page, "outcome")
    stored = ClaimModel.get(claim_number)
    assert (stored.total_charge_cents, list(stored.diagnosis_codes), stored.patient_control_number) == (
        15000, ["E11.9", "I10"], "ACCT-1001")
    assert [list(line.diagnosis_pointers) for line in stored.lines] == [[1, 2], [1]]


def test_more_service_lines_redraws_the_form_with_blank_lines_and_the_values_kept(logged_in):
    browser = logged_in("demo.jdoe")
    soup = browser.submit(NEW, ava_visit(step="lines"), form_page=NEW).html
    assert value(soup, "lineCount") == "4"
    assert value(soup, "serviceLines.1.procedureCode") == "36415"
    assert value(soup, "serviceLines.3.charge") == ""
    assert ClaimModel.count() == 0


def test_a_bad_line_is_named_beside_it_with_every_value_kept(logged_in):
    browser = logged_in("demo.jdoe")
    answer = browser.submit(NEW, ava_visit(**{
        "serviceLines.1.units": "1.5", "serviceLines.1.charge": "abc", "serviceLines.1.diagnosisPointers": "C",
        "diagnosisCodes.1": "E11"}), form_page=NEW)
    assert answer.status == 400
    soup = answer.html
    assert text(soup, "serviceLines.1.units-error").startswith("Line 2 units")
    assert text(soup, "serviceLines.1.charge-error").startswith("Line 2 charge")
    assert "C points at no diagnosis" in text(soup, "serviceLines.1.diagnosisPointers-error")
    assert soup.find(id="serviceLines.0.units-error") is None  # line 1 is fine
    assert value(soup, "serviceLines.1.charge") == "abc"
    assert value(soup, "serviceLines.0.procedureCode") == "99213"
    assert value(soup, "diagnosisCodes.1") == "E11"
    links = [a["href"] for a in soup.select("#error-summary a")]
    assert links[:3] == ["#serviceLines.1.diagnosisPointers", "#serviceLines.1.units", "#serviceLines.1.charge"]
    assert ClaimModel.count() == 0

    category = browser.submit(NEW, ava_visit(**{"diagnosisCodes.1": "E11"}), form_page=NEW).html
    assert text(category, "diagnosisCodes.1-error").startswith("E11 is a category, not billable")
    assert [a["href"] for a in category.select("#error-summary a")] == ["#diagnosisCodes.1"]


def test_lines_and_diagnoses_left_blank_between_others_keep_their_places_on_the_form(logged_in):
    browser = logged_in("demo.jdoe")
    moved = {**ava_visit(), **{f"serviceLines.3.{k.split('.')[2]}": v for k, v in ava_visit().items()
                               if k.startswith("serviceLines.1.")}, "lineCount": "4",
             "serviceLines.3.charge": "-5", "diagnosisCodes.1": "", "diagnosisCodes.4": "I10",
             "serviceLines.0.diagnosisPointers": "A, E"}
    for name in [k for k in moved if k.startswith("serviceLines.1.")]:
        moved[name] = ""
    soup = browser.submit(NEW, moved, form_page=NEW).html
    assert list(soup.select("#error-summary a"))
    assert text(soup, "serviceLines.3.charge-error").startswith(
        "Line 4 charge")
    assert soup.find(id="serviceLines.0.diagnosisPointers-error") is None  # E is diagnosis 2 of the body


def test_a_double_submit_with_the_same_form_key_makes_one_claim(logged_in):
    browser = logged_in("demo.jdoe")
    key = value(browser.get(NEW).html, "formKey")
    first = browser.submit(NEW, ava_visit(formKey=key), form_page=NEW)
    second = browser.submit(NEW, ava_visit(formKey=key), form_page=NEW)
    assert first.status == second.status == 303
    assert first.location == second.location
    assert ClaimModel.count() == 1


def test_liam_carters_coverage_gap_is_said_on_the_lines_date(logged_in):
    browser = logged_in("demo.group")
    answer = browser.submit(NEW, ava_visit(**{"memberId": "10000000002", "billingProviderId": "100000000002",
                                              "serviceLines.1.serviceDate": "07/15/2030"}), form_page=NEW)
    assert answer.status == 409
    soup = answer.html
    assert text(soup, "serviceLines.1.serviceDate-error") == \
        "Line 2 date of service the member is not eligible on 2030-07-15"
    assert soup.find(id="serviceLines.0.serviceDate-error") is None
    assert [a["href"] for a in soup.select("#error-summary a")] == ["#serviceLines.1.serviceDate"]
    assert value(soup, "serviceLines.1.serviceDate") == "07/15/2030"
    assert ClaimModel.count() == 0


def test_a_provider_the_user_does_not_act_for_is_refused_beside_the_billing_provider(logged_in):
    browser = logged_in("demo.jdoe")
    soup = browser.submit(NEW, ava_visit(billingProviderId="100000000002"), form_page=NEW).html
    assert "is not a provider you act for" in text(soup, "billingProviderId-error")


def test_an_institutional_and_a_dental_claim_are_made_from_their_forms(logged_in):
    browser = logged_in("demo.jdoe")
    emergency = browser.submit(NEW, {
        "claimType": "INSTITUTIONAL", "memberId": "10000000001", "billingProviderId": "100000000001",
        "facilityTypeCode": "13", "diagnosisCodes.0": "R07.9", "serviceLines.0.serviceDate": "11/02/2031",
        "serviceLines.0.revenueCode": "0450", "serviceLines.0.procedureCode": "99284",
        "serviceLines.0.charge": "900.00", "step": "submit"}, form_page=f"{NEW}?type=institutional")
    assert emergency.status == 303, emergency.text
    dental = browser.submit(NEW, {
        "claimType": "DENTAL", "memberId": "10000000001", "billingProviderId": "100000000001",
        "placeOfService": "11", "diagnosisCodes.0": "K02.9", "serviceLines.0.serviceDate": "11/02/2031",
        "serviceLines.0.procedureCode": "D2391", "serviceLines.0.tooth": "3", "serviceLines.0.surfaces": "mo",
        "serviceLines.0.charge": "150.00", "step": "submit"}, form_page=f"{NEW}?type=dental")
    assert dental.status == 303, dental.text
    stored = {claim.claim_type: claim for claim in ClaimModel.scan()}
    assert stored["INSTITUTIONAL"].lines[0].revenue_code == "0450"
    assert stored["INSTITUTIONAL"].facility_type_code == "13"
    assert (stored["DENTAL"].lines[0].tooth, stored["DENTAL"].lines[0].surfaces) == ("3", "MO")


def test_a_corrected_claim_from_the_claims_page_is_prefilled_and_replaces_it(api, token_for, logged_in):
    original = submit(api, token_for("demo.jdoe"), office_visit()).data["claimNumber"]
    browser = logged_in("demo.jdoe")
    claim_page = browser.get(f"/claims-center/claims/{original}").html
    actions = {a.get_text(strip=True): a["href"] for a in claim_page.select("#claim-actions a")}
    assert actions == {"Submit a corrected claim": f"/claims-center/claims/{original}/correct",
                       "Void this claim": f"/claims-center/claims/{original}/void"}
    form = browser.get(actions["Submit a corrected claim"]).html
    fields = form_fields(form)
    assert (fields["frequency"], fields["originalClaimNumber"], fields["claimType"]) == ("7", original, "PROFESSIONAL")
    assert (fields["diagnosisCodes.0"], fields["diagnosisCodes.1"], fields["serviceLines.0.diagnosisPointers"]) == (
        "E11.9", "I10", "A, B")
    assert (fields["serviceLines.1.procedureCode"], fields["serviceLines.1.charge"],
            fields["serviceLines.1.serviceDate"]) == ("36415", "25.00", "11/02/2031")
    assert fields["billingProviderId"] == "100000000001"
    fields["serviceLines.0.charge"] = "135.00"
    corrected = browser.post(NEW, {**fields, "step": "submit"})
    assert corrected.status == 303, corrected.text
    assert "Approved, to be paid" in text(browser.get(corrected.location).html, "outcome")
    assert ClaimModel.get(original).status == "REPLACED"
    new = ClaimModel.get(corrected.location.rsplit("/", 1)[1])
    assert (new.frequency, new.original_claim_number, new.total_charge_cents) == ("7", original, 16000)

    again = browser.post(NEW, {**fields, "formKey": "another-form-key-0123456789", "step": "submit"})
    assert again.status == 400  # the original was replaced meanwhile: a stale form says so
    assert "was already replaced" in text(again.html, "originalClaimNumber-error")
    assert browser.get(f"/claims-center/claims/{original}/correct").status == 404
    assert browser.get(f"/claims-center/claims/{original}").html.find(id="claim-actions") is None


def test_a_void_from_the_claims_page_confirms_then_voids_it_with_its_lines(api, token_for, logged_in):
    original = submit(api, token_for("demo.jdoe"), office_visit()).data["claimNumber"]
    browser = logged_in("demo.jdoe")
    confirm = browser.get(f"/claims-center/claims/{original}/void").html
    assert confirm.find("h1").get_text(strip=True) == f"Void claim {original}"
    assert ClaimModel.count() == 1  # nothing happens before the confirmation
    key = value(confirm, "formKey")
    voided = browser.submit(f"/claims-center/claims/{original}/void", {"formKey": key})
    assert voided.status == 303, voided.text
    void = ClaimModel.get(voided.location.rsplit("/", 1)[1])
    assert (void.frequency, void.original_claim_number, void.status) == ("8", original, "VOID")
    assert [line.procedure_code for line in void.lines] == ["99213", "36415"]
    assert ClaimModel.get(original).status == "VOIDED"
    twice = browser.submit(f"/claims-center/claims/{original}/void", {"formKey": key})
    assert twice.location == voided.location  # the same form key: the same void
    stale = browser.submit(f"/claims-center/claims/{original}/void", {"formKey": "a-fresh-form-key-0123456789"})
    assert stale.status == 400
    assert "was already voided" in stale.html.find(id="error-summary").get_text()


def test_a_pended_claim_and_another_offices_claim_offer_no_correction(api, token_for, logged_in):
    made = submit(api, token_for("demo.buckeye"), office_visit(
        billingProviderId="200000000002", memberId="20000000001")).data
    browser = logged_in("demo.jdoe")
    assert browser.get(f"/claims-center/claims/{made['claimNumber']}/void").status == 404
    assert browser.get(f"/claims-center/claims/{made['claimNumber']}/correct").status == 404
