"""CLAIMS pages: Claim Search, a claim's page, the payment history, an EOP and its 835."""

from __future__ import annotations

import pytest

from tests.claims.test_claims import office_visit, submit

pytestmark = pytest.mark.usefixtures("fee_schedules")


def text(soup, element_id):
    return " ".join(soup.find(id=element_id).get_text(" ", strip=True).split())


def rows(soup, table_id="claims"):
    caption = soup.find(id=f"{table_id}-caption")
    return [] if caption is None else caption.find_parent("table").select("tbody tr")


def roberts_visit(**changes):
    return office_visit(billingProviderId="100000000002", serviceLines=[
        {"procedureCode": "99214", "units": 1, "charge": "175.00", "serviceDate": "2031-11-05",
         "diagnosisPointers": [1]}], totalCharge="175.00", **changes)


def test_search_lists_the_offices_claims_with_status_and_amounts_and_links_each_page(api, token_for, logged_in):
    jdoe = token_for("demo.jdoe")
    paid = submit(api, jdoe, office_visit()).data
    denied = submit(api, jdoe, office_visit()).data  # the exact duplicate: CO-18
    browser = logged_in("demo.jdoe")
    soup = browser.get("/claims-center/claims").html
    assert soup.find("h1").get_text(strip=True) == "Claim Search"
    found = {tr.find("a").get_text(" ", strip=True).split()[0]: tr.get_text(" ", strip=True) for tr in rows(soup)}
    assert set(found) == {paid["claimNumber"], denied["claimNumber"]}
    assert "Approved, to be paid" in found[paid["claimNumber"]]  # adjudicated to pay, in no payment yet
    assert "$150.00 $78.00" in found[paid["claimNumber"]]
    assert "Denied $150.00 $0.00" in found[denied["claimNumber"]]
    assert soup.select_one(".portal-table__total") is None  # no count: DECISIONS, lists and counts
    assert "Jane Doe (100000000001)" in text(soup, "results-scope")

    only_denied = browser.get("/claims-center/claims?search=1&status=DENIED").html
    assert [tr.find("a").get_text(" ", strip=True).split()[0] for tr in rows(only_denied)] == [denied["claimNumber"]]
    by_number = browser.get(f"/claims-center/claims?search=1&claimNumber={paid['claimNumber']}").html
    assert [tr.find("a")["href"] for tr in rows(by_number)] == [f"/claims-center/claims/{paid['claimNumber']}"]
    by_member = browser.get("/claims-center/claims?search=1&memberId=10000000001&serviceFrom=11/01/2031"
                            "&serviceTo=11/30/2031").html
    assert len(rows(by_member)) == 2
    none_then = browser.get("/claims-center/claims?search=1&memberId=10000000001&serviceFrom=12/01/2031").html
    assert rows(none_then) == []
    assert "No claims match" in none_then.find("main").get_text()


def test_search_pages_by_next_token_with_more_results_and_no_total(api, token_for, logged_in):
    jdoe = token_for("demo.jdoe")
    for day in range(1, 23):
        submit(api, jdoe, office_visit(serviceLines=[
            {"procedureCode": "99213", "units": 1, "charge": "125.00", "serviceDate": f"2031-10-{day:02d}",
             "diagnosisPointers": [1]}], totalCharge="125.00"))
    browser = logged_in("demo.jdoe")
    first = browser.get("/claims-center/claims").html
    assert len(rows(first)) == 20
    more = first.find("a", rel="next")
    assert more.get_text(strip=True) == "More results"
    second = browser.get(more["href"]).html
    assert len(rows(second)) == 2
    assert second.find("a", rel="next") is None
    assert second.find("a", rel="prev") is not None
    assert {tr.find("a")["href"] for tr in rows(first)}.isdisjoint({tr.find("a")["href"] for tr in rows(second)})


def test_refused_search_fields_are_said_beside_them_with_the_values_kept(logged_in):
    browser = logged_in("demo.jdoe")
    soup = browser.get("/claims-center/claims?search=1&memberId=abc-1&serviceFrom=13/45/2031&claimNumber=").html
    assert "Member ID" in text(soup, "memberId-error")
    assert text(soup, "serviceFrom-error").endswith("Service from must be a date (mm/dd/yyyy)")
    assert soup.find("input", attrs={"name": "memberId"})["value"] == "abc-1"
    assert soup.find("input", attrs={"name": "serviceFrom"})["value"] == "13/45/2031"
    assert [a["href"] for a in soup.select("#error-summary a")] == ["#memberId", "#serviceFrom"]
    assert soup.find(id="claims-caption") is None

    by_dates_alone = browser.get("/claims-center/claims?search=1&serviceFrom=11/01/2031").html
    assert "Member ID is required to search by date of service" in text(by_dates_alone, "memberId-error")
    unknown = browser.get("/claims-center/claims?search=1&memberId=99999999999").html
    assert "Member ID matches no member" in text(unknown, "memberId-error")
    assert unknown.find("input", attrs={"name": "memberId"})["value"] == "99999999999"
    bad_number = browser.get("/claims-center/claims?search=1&claimNumber=12AB").html
    assert "Claim number" in text(bad_number, "claimNumber-error")
    assert bad_number.find("input", attrs={"name": "claimNumber"})["value"] == "12AB"


def test_another_offices_claim_is_the_404_page(api, token_for, logged_in):
    number = submit(api, token_for("demo.jdoe"), office_visit()).data["claimNumber"]
    buckeye = logged_in("demo.buckeye")
    answer = buckeye.get(f"/claims-center/claims/{number}")
    assert answer.status == 404
    assert "10000000001" not in answer.html.find("main").get_text()
    searched = buckeye.get(f"/claims-center/claims?search=1&claimNumber={number}")
    assert searched.status == 404


def test_a_claims_page_says_its_lines_carc_and_rarc_in_words_and_the_payment_it_was_in(api, token_for, logged_in):
    jdoe = token_for("demo.jdoe")
    paid = submit(api, jdoe, office_visit()).data
    unlisted = submit(api, jdoe, office_visit(serviceLines=[
        {"procedureCode": "99499", "units": 1, "charge": "80.00", "serviceDate": "2031-11-03",
         "diagnosisPointers": [1]}], totalCharge="80.00")).data
    browser = logged_in("demo.jdoe")
    approved = browser.get(f"/claims-center/claims/{paid['claimNumber']}").html
    assert paid["claimNumber"] in approved.find("h1").get_text()
    assert text(approved, "claim-status") == "Approved, to be paid"
    assert "Ava Thompson (10000000001)" in text(approved, "claim-facts")
    assert text(approved, "claim-paid") == "$78.00"
    lines = text(approved, "service-lines")
    assert "99213" in lines
    assert "CO-45 $50.00: Charge exceeds fee schedule/maximum allowable" in lines
    assert "Not in a payment yet" in text(approved, "claim-payment")

    denied = browser.get(f"/claims-center/claims/{unlisted['claimNumber']}").html
    assert "Denied" in text(denied, "outcome")
    assert "CO-96 $80.00: Non-covered charge(s)." in text(denied, "service-lines")
    assert "Remark N130: Consult plan benefit documents/guidelines" in text(denied, "service-lines")

    [payment] = [p for p in api.post("/review/payment-cycles", token=token_for("planadmin")).data["payments"]
                 if p["taxId"] == "310000001"]
    now_paid = browser.get(f"/claims-center/claims/{paid['claimNumber']}").html
    assert text(now_paid, "claim-status") == "Paid"
    assert payment["paymentId"] in text(now_paid, "claim-payment")
    assert now_paid.find(id="claim-payment").find("a")["href"] == f"/claims-center/payments/{payment['paymentId']}"
    assert "$" + payment["amount"] not in text(now_paid, "claim-payment")  # the Tax ID's amount, not hers
    history = [tr.get_text(" ", strip=True) for tr in now_paid.select("#history tbody tr")]
    assert [row.split(" Adjudication")[0].split()[-1] for row in history[:1]] == ["Approved"]
    assert f"Paid Payment cycle Payment {payment['paymentId']} of {payment['paidOn']}" in history[-1]


def test_a_corrected_claim_and_its_original_link_each_other(api, token_for, logged_in):
    jdoe = token_for("demo.jdoe")
    original = submit(api, jdoe, office_visit()).data
    corrected = submit(api, jdoe, office_visit(frequency="7", originalClaimNumber=original["claimNumber"],
                                               patientControlNumber="ACCT-1002")).data
    browser = logged_in("demo.jdoe")
    replaced = browser.get(f"/claims-center/claims/{original['claimNumber']}").html
    assert f"Replaced by claim {corrected['claimNumber']}" in text(replaced, "claim-links")
    assert f"Replaced by corrected claim {corrected['claimNumber']}" in text(replaced, "outcome")
    correction = browser.get(f"/claims-center/claims/{corrected['claimNumber']}").html
    assert f"Corrects the original claim {original['claimNumber']}" in text(correction, "claim-links")
    assert correction.find(id="claim-links").find("a")["href"] == f"/claims-center/claims/{original['claimNumber']}"


def test_the_group_reads_its_payments_the_eop_with_totals_and_downloads_the_835(api, token_for, logged_in):
    jdoe, group = token_for("demo.jdoe"), token_for("demo.group")
    hers = submit(api, jdoe, office_visit()).data
    roberts = submit(api, group, roberts_visit()).data
    [payment] = api.post("/review/payment-cycles", token=token_for("planadmin")).data["payments"]
    browser = logged_in("demo.group")
    history = browser.get("/claims-center/payments").html
    [row] = rows(history, "payments")
    assert row.find("a")["href"] == f"/claims-center/payments/{payment['paymentId']}"
    assert "$188.00" in row.get_text(" ", strip=True)
    assert history.select_one(".portal-table__total") is None

    eop = browser.get(f"/claims-center/payments/{payment['paymentId']}").html
    assert payment["paymentId"] in eop.find("h1").get_text()
    assert text(eop, "payment-amount") == "$188.00"
    assert "Billed $325.00 Allowed $188.00 Paid $188.00" in text(eop, "eop-totals")
    assert {hers["claimNumber"], roberts["claimNumber"]} <= {
        section["id"].removeprefix("claim-") for section in eop.select("section.eop-claim")}
    assert "CO-45 $50.00" in text(eop, f"lines-{hers['claimNumber']}")
    assert eop.find("button", attrs={"data-print": True}) is not None
    download = eop.find("a", string="Download the 835")["href"]
    remit = browser.get(download)
    assert remit.status == 200
    assert remit.headers["Content-Type"] == "application/edi-x12"
    assert "BPR*I*188.00" in remit.text


def test_a_practitioner_sees_only_its_own_eop_lines_and_no_payment_history(api, token_for, logged_in):
    jdoe, group = token_for("demo.jdoe"), token_for("demo.group")
    hers = submit(api, jdoe, office_visit()).data
    roberts = submit(api, group, roberts_visit()).data
    [payment] = api.post("/review/payment-cycles", token=token_for("planadmin")).data["payments"]
    browser = logged_in("demo.jdoe")
    eop = browser.get(f"/claims-center/payments/{payment['paymentId']}")
    assert eop.status == 200, eop.text
    sections = [section["id"].removeprefix("claim-") for section in eop.html.select("section.eop-claim")]
    assert sections == [hers["claimNumber"]]
    assert roberts["claimNumber"] not in eop.text
    assert "Billed $150.00 Allowed $78.00 Paid $78.00" in text(eop.html, "eop-totals")
    assert eop.html.find(id="payment-amount") is None
    assert eop.html.find("a", string="Download the 835") is None
    assert browser.get(f"/claims-center/payments/{payment['paymentId']}/835").status == 403

    history = browser.get("/claims-center/payments").html
    assert "Payments go to the Tax ID" in history.find("main").get_text()
    assert rows(history, "payments") == []


def test_navigation_and_home_link_the_claims_pages(logged_in):
    browser = logged_in("demo.group")
    home = browser.get("/home").html
    sections = home.find("nav", attrs={"aria-label": "Portal sections"})
    assert sections.find("a", string="Claim Search")["href"] == "/claims-center/claims"
    assert sections.find("a", string="Payments and EOPs")["href"] == "/claims-center/payments"
    assert sections.find("a", string="Submit a Claim")["href"] == "/claims-center/new-claim"
    assert sections.find("a", string="Claim Files")["href"] == "/claims-center/claim-files"
    assert any(a["href"] == "/claims-center/claims" for a in home.find("main").find_all("a"))
