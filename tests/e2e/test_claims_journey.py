"""Claims over HTTP against the running stack: the demo history, a new claim, an 837 file, payments and the 835."""

import io
import time
from datetime import date, timedelta

import pytest
import pyx12.params
import pyx12.x12n_document
import requests

from local.x12_generate import GeneratedClaim, generate_837p

pytestmark = pytest.mark.e2e
YESTERDAY = date.today() - timedelta(days=1)


def test_the_demo_history_has_claims_in_every_final_status_with_payments_and_valid_835s(stack):
    token = stack.login("demo.group", "Demo-Portal-2026!")
    listed = stack.call("GET", "/claims?limit=500", token=token).json()
    assert len(listed["items"]) >= 100
    statuses = {claim["status"] for claim in listed["items"]}
    assert {"PAID", "DENIED", "PENDED"} <= statuses  # the stack's schedule pays approved claims within seconds
    oldest = min(date.fromisoformat(claim["receivedAt"][:10]) for claim in listed["items"])
    assert oldest < date.today() - timedelta(days=600)
    payments = stack.call("GET", "/payments?limit=5", token=token).json()
    assert payments["count"] >= 20
    payment = payments["items"][0]
    eop = stack.call("GET", f"/payments/{payment['paymentId']}", token=token).json()
    assert eop["totalPaid"] == payment["amount"] or eop["totalReversed"] != "0.00"
    assert len(eop["claims"]) == payment["claimCount"]
    remittance = stack.call("GET", f"/payments/{payment['paymentId']}/835", token=token)
    assert remittance.headers["Content-Type"].startswith("application/edi-x12")
    assert pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(remittance.text), None, None, None,
                                             None)


def test_an_office_submits_online_and_by_837_file(stack):
    token = stack.login("demo.group", "Demo-Portal-2026!")
    online = stack.call("POST", "/claims", {
        "claimType": "PROFESSIONAL", "billingProviderId": "100000000001", "memberId": "10000000001",
        "placeOfService": "11", "diagnosisCodes": ["J45.909"], "totalCharge": "188.88",
        "serviceLines": [{"procedureCode": "99214", "charge": "188.88", "serviceDate": YESTERDAY.isoformat(),
                          "diagnosisPointers": [1]}],
    }, token=token)
    assert online.status_code == 201, online.text
    assert (online.json()["status"], online.json()["paid"]) == ("APPROVED", "110.00")

    text = generate_837p([GeneratedClaim("10000000001", "THOMPSON", "AVA", date(1990, 4, 12), "F", YESTERDAY,
                                         procedure_code="99203", charge="151.51")], "1912301953", "310000001")
    ticket = stack.call("POST", "/claim-files", {"fileName": "today.837"}, token=token).json()
    sent = requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"],
                         files={"file": ("today.837", text.encode())}, timeout=10)
    assert sent.status_code in (200, 204)
    document_id = ticket["file"]["documentId"]
    deadline = time.monotonic() + 60
    result = {}
    while time.monotonic() < deadline:
        result = stack.call("GET", f"/claim-files/{document_id}", token=token).json()
        if result["status"] in ("COMPLETED", "REJECTED"):
            break
        time.sleep(0.5)
    assert (result["status"], result["acknowledgment"], result["claimsAccepted"]) == ("COMPLETED", "A", 1)
    ack = requests.get(result["acknowledgmentUrl"], timeout=10).text
    assert "AK2*837*0001*005010X222A2~" in ack
    assert "IK5*A~" in ack
    from_file = stack.call("GET", f"/claims?memberId=10000000001&serviceFrom={YESTERDAY}&serviceTo={YESTERDAY}",
                           token=token).json()
    assert any(claim["patientControlNumber"] == "GEN0000000" for claim in from_file["items"])
