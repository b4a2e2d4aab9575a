"""Provider Training over the API and the pages: what the provider acted for requires, attesting, the office's
standing for its administrators, and the banner every page carries while a required module is overdue."""

from __future__ import annotations

from chalicelib import wiring
from chalicelib.platform.permissions import PROVIDER_PERMISSIONS, Permission
from chalicelib.training.modules import module_named
from chalicelib.training.store import AttestationModel

FWA = module_named("fraud-waste-abuse")


def by_id(body):
    return {item["moduleId"]: item for item in body["items"]}


def test_an_indiana_office_owes_fraud_waste_abuse_and_cultural_competency_not_model_of_care(api, token_for):
    answer = api.get("/training", token=token_for("demo.jdoe"))
    assert answer.status_code == 200
    items = by_id(answer.data)
    assert answer.data["providerId"] == "100000000001"
    assert [i["moduleId"] for i in answer.data["items"]][:2] == ["cultural-competency", "fraud-waste-abuse"]
    assert (items["fraud-waste-abuse"]["required"], items["fraud-waste-abuse"]["status"]) == (True, "OVERDUE")
    assert items["fraud-waste-abuse"]["dueOn"] == "2031-12-31"
    assert (items["model-of-care"]["required"], items["model-of-care"]["status"]) == (False, "OPTIONAL")


def test_an_ohio_office_contracted_for_mycare_owes_the_model_of_care(api, token_for):
    items = by_id(api.get("/training", token=token_for("demo.buckeye")).data)
    assert (items["model-of-care"]["required"], items["model-of-care"]["status"]) == (True, "OVERDUE")
    assert items["cultural-competency"]["required"] is False


def test_attesting_completes_the_module_and_keeps_a_history_row_naming_the_version(api, token_for, clock):
    token = token_for("demo.jdoe")
    answer = api.post("/training/fraud-waste-abuse/attestations", {"version": FWA.version}, token=token)
    assert answer.status_code == 201, answer.data
    done = by_id(answer.data)["fraud-waste-abuse"]
    assert done["status"] == "COMPLETE"
    assert done["latest"]["version"] == FWA.version
    assert by_id(api.get("/training", token=token).data)["fraud-waste-abuse"]["status"] == "COMPLETE"
    history = list(AttestationModel.query("demo.jdoe", AttestationModel.record_key.startswith("HISTORY#")))
    assert [(row.module_id, row.version, row.provider_id, row.tax_id) for row in history] == [
        ("fraud-waste-abuse", FWA.version, "100000000001", "310000001")]
    assert history[0].completed_at == clock.now


def test_an_old_version_an_unknown_module_and_another_offices_provider_are_refused(api, token_for):
    token = token_for("demo.jdoe")
    stale = api.post("/training/fraud-waste-abuse/attestations", {"version": "2019.1"}, token=token)
    assert (stale.status_code, stale.data["code"]) == (409, "TRAINING_VERSION_CHANGED")
    assert FWA.version in stale.data["fields"]["version"]
    unknown = api.post("/training/basket-weaving/attestations", {"version": "1"}, token=token)
    assert (unknown.status_code, unknown.data["code"]) == (404, "TRAINING_MODULE_NOT_FOUND")
    other = api.get("/training?providerId=200000000001", token=token)
    assert (other.status_code, other.data["code"]) == (404, "PROVIDER_NOT_FOUND")
    assert list(AttestationModel.query("demo.jdoe")) == []


def test_the_administrator_sees_each_user_of_the_tax_id_and_others_may_not(api, token_for):
    api.post("/training/fraud-waste-abuse/attestations", {"version": FWA.version}, token=token_for("demo.jdoe"))
    office = api.get("/training/office", token=token_for("demo.group"))
    assert office.status_code == 200
    users = {u["username"]: by_id(u) for u in office.data["users"]}
    assert set(users) == {"demo.group", "demo.jdoe"}
    assert users["demo.jdoe"]["fraud-waste-abuse"]["status"] == "COMPLETE"
    assert users["demo.group"]["fraud-waste-abuse"]["status"] == "OVERDUE"
    assert "model-of-care" not in users["demo.jdoe"]  # only what the state requires
    other_office = api.get("/training/office", token=token_for("demo.buckeye"))
    assert [u["username"] for u in other_office.data["users"]] == ["demo.buckeye"]
    group = wiring.current().accounts().authenticate(token_for("demo.group"))
    wiring.current().accounts().change_permissions(group, "demo.jdoe", PROVIDER_PERMISSIONS - {Permission.USER_ADMIN})
    refused = api.get("/training/office", token=token_for("demo.jdoe"))
    assert (refused.status_code, refused.data["fields"]) == (403, {"permission": "USER_ADMIN"})
    staff = api.get("/training", token=token_for("planadmin"))
    assert (staff.status_code, staff.data["code"]) == (403, "FORBIDDEN")


def test_every_page_carries_the_overdue_banner_until_the_user_attests(logged_in):
    browser = logged_in("demo.jdoe")
    home = browser.get("/home")
    banner = home.html.select_one("#training-overdue")
    assert banner is not None
    assert "Fraud, Waste and Abuse" in banner.get_text()
    assert "Cultural Competency" in banner.get_text()
    training = browser.get("/provider-training")
    assert training.html.select_one("#module-fraud-waste-abuse .usa-tag").get_text(strip=True) == "Overdue"
    refused = browser.submit("/provider-training/fraud-waste-abuse/attestation", {"version": FWA.version},
                             form_page="/provider-training")
    assert refused.status == 400
    assert refused.html.select_one("#confirm-fraud-waste-abuse-error").get_text(strip=True).startswith("Check the box")
    for module in ("fraud-waste-abuse", "cultural-competency"):
        version = module_named(module).version
        done = browser.submit(f"/provider-training/{module}/attestation", {"version": version, "confirm": "yes"},
                              form_page="/provider-training")
        assert (done.status, done.location) == (303, f"/provider-training?attested={module}")
    after = browser.get("/provider-training?attested=cultural-competency")
    assert "You attested that you completed Cultural Competency" in after.text
    assert after.html.select_one("#module-fraud-waste-abuse .usa-tag").get_text(strip=True) == "Complete"
    assert browser.get("/home").html.select_one("#training-overdue") is None


def test_the_office_page_is_for_administrators(logged_in):
    admin = logged_in("demo.group")
    page = admin.get("/provider-training/office")
    assert page.status == 200
    rows = {row.th.get_text(strip=True): row.get_text(" ", strip=True)
            for row in page.html.select("#office-training tbody tr")}
    assert set(rows) == {"demo.group", "demo.jdoe"}
    assert "Fraud, Waste and Abuse and General Compliance: Overdue" in rows["demo.jdoe"]
