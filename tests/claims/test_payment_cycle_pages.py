"""Payment Cycles (plan staff): the claims waiting, starting a cycle once per form key, its payments on the page, and
a cycle already running said in words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.claims.store import ClaimModel, PaymentModel
from tests.claims.test_claims import office_visit, submit
from tests.support.pages import Browser

pytestmark = pytest.mark.usefixtures("fee_schedules")
CYCLES = "/claims-center/payment-cycles"


def text(soup, element_id):
    return " ".join(soup.find(id=element_id).get_text(" ", strip=True).split())


def rows(soup, table_id):
    caption = soup.find(id=f"{table_id}-caption")
    return [] if caption is None else [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
                                       for tr in caption.find_parent("table").select("tbody tr")]


def form_key(soup):
    return soup.find("form", id="start-cycle").find("input", attrs={"name": "formKey"})["value"]


def start(browser, key):
    return browser.submit(CYCLES, {"formKey": key})


def test_staff_see_the_claims_waiting_per_tax_id_and_offices_get_the_403_page(api, token_for, logged_in, client):
    from local.demo_data import DEMO_USER_PASSWORD

    jdoe = token_for("demo.jdoe")
    submit(api, jdoe, office_visit())
    submit(api, jdoe, office_visit())  # the duplicate, denied: reported on the next payment too
    submit(api, token_for("demo.buckeye"), office_visit(memberId="20000000001", billingProviderId="200000000002"))
    staff = logged_in("planadmin")
    soup = staff.get(CYCLES).html
    assert soup.find("h1").get_text(strip=True) == "Payment Cycles"
    assert rows(soup, "waiting") == [["310000001", "2"], ["310000002", "1"]]
    assert "3 claims wait" in text(soup, "waiting-claims")
    assert soup.find(id="cycle-result") is None
    nav = soup.find("nav", attrs={"aria-label": "Portal sections"})
    assert nav.find("a", string="Payment Cycles")["href"] == CYCLES

    office = Browser(client)
    assert office.login("demo.group", DEMO_USER_PASSWORD).status == 303
    refused = office.get(CYCLES)
    assert refused.status == 403
    assert "Claims and payments operator" in refused.html.find("main").get_text()
    home = office.get("/home").html
    assert home.find("a", string="Payment Cycles") is None


def test_starting_a_cycle_shows_its_payments_and_the_same_form_key_starts_no_second(api, token_for, logged_in):
    jdoe = token_for("demo.jdoe")
    paid = submit(api, jdoe, office_visit()).data
    denied = submit(api, jdoe, office_visit()).data
    staff = logged_in("planadmin")
    key = form_key(staff.get(CYCLES).html)

    answer = start(staff, key)
    assert answer.status == 200, answer.text
    soup = answer.html
    [row] = rows(soup, "cycle-payments")
    payment_id = row[0].split()[0]
    assert row[1:6] == ["310000001", "Default Provider", "2", "$78.00", f"EFT {payment_id[1:]}"]
    assert soup.find(id="cycle-payments-caption").find_parent("table").find("a")["href"] == \
        f"/claims-center/payments/{payment_id}"
    assert "1 payment made" in text(soup, "cycle-result")
    assert rows(soup, "waiting") == []  # what it paid no longer waits
    assert "No claims wait for a payment cycle." in text(soup, "waiting-claims")
    assert {ClaimModel.get(c["claimNumber"]).payment_id for c in (paid, denied)} == {payment_id}
    assert form_key(soup) != key  # the next cycle is a new form

    again = start(staff, key)  # a double click, or a reload of the answer: the same cycle, no second run
    assert [r[0].split()[0] for r in rows(again.html, "cycle-payments")] == [payment_id]
    assert [p.payment_id for p in PaymentModel.by_tax_id.query("310000001")] == [payment_id]

    nothing = start(staff, form_key(soup))
    assert nothing.status == 200
    assert "Nothing to pay" in text(nothing.html, "cycle-result")
    assert rows(nothing.html, "cycle-payments") == []


def test_a_cycle_already_running_is_said_on_the_page_and_the_same_key_pays_once_it_ends(api, token_for, logged_in,
                                                                                        clock):
    from chalicelib.platform.dynamo.control import release_lease, take_lease

    paid = submit(api, token_for("demo.jdoe"), office_visit()).data
    staff = logged_in("planadmin")
    key = form_key(staff.get(CYCLES).html)
    assert take_lease("payment-cycle", "the-weekly-schedule", clock(), timedelta(minutes=15))

    busy = start(staff, key)
    assert busy.status == 409
    assert "Another payment cycle is running" in text(busy.html, "cycle-busy")
    assert "Nothing was paid by this request" in text(busy.html, "cycle-busy")
    assert form_key(busy.html) == key  # trying again is this same cycle
    assert ClaimModel.get(paid["claimNumber"]).payment_id is None
    assert rows(busy.html, "waiting") == [["310000001", "1"]]

    release_lease("payment-cycle", "the-weekly-schedule")
    done = start(staff, key)
    assert done.status == 200
    [row] = rows(done.html, "cycle-payments")
    assert row[0].split()[0] == ClaimModel.get(paid["claimNumber"]).payment_id


def test_held_tax_ids_and_a_form_without_its_csrf_token_changes_nothing(api, token_for, logged_in):
    jdoe = token_for("demo.jdoe")
    paid = submit(api, jdoe, office_visit()).data
    staff = logged_in("planadmin")
    start(staff, form_key(staff.get(CYCLES).html))
    submit(api, jdoe, office_visit(frequency="8", originalClaimNumber=paid["claimNumber"]))  # takes $78.00 back

    forged = staff.post(CYCLES, {"formKey": "a-forged-form-key-0123456789"})
    assert forged.status == 403
    assert rows(staff.get(CYCLES).html, "waiting") == [["310000001", "1"]]  # the void still waits

    held = start(staff, form_key(staff.get(CYCLES).html))
    assert "Nothing to pay" in text(held.html, "cycle-result")
    assert "Held: 310000001" in text(held.html, "held-tax-ids")


def test_the_waiting_list_reads_keys_only_and_says_more_past_its_limit(api, token_for, logged_in, items_read,
                                                                       monkeypatch):
    import sys

    pages = sys.modules["chalicelib.handlers.claims.payment_cycle_pages"]  # the package names its blueprint so
    jdoe = token_for("demo.jdoe")
    for day in range(1, 5):
        submit(api, jdoe, office_visit(serviceLines=[
            {"procedureCode": "99213", "units": 1, "charge": "125.00", "serviceDate": f"2031-10-{day:02d}",
             "diagnosisPointers": [1]}], totalCharge="125.00"))
    monkeypatch.setattr(pages, "WAITING_SHOWN", 2)
    staff = logged_in("planadmin")
    items_read.reset()
    soup = staff.get(CYCLES).html
    assert rows(soup, "waiting") == [["310000001", "2"]]
    assert "More than 2 claims wait" in text(soup, "waiting-claims")
    queries = [items for operation, items in items_read.calls if operation == "Query"]
    assert queries == [3]  # the limit plus one key: never the claims, never the other waiting keys
    assert "Scan" not in items_read.operations()
