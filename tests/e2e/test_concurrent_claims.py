"""Twelve offices' submissions at once on the threaded local server: each request keeps its own key and body.

Chalice keeps the current request on the app; before the route helper read it once and the
local server made it thread-local, concurrent POST /claims took each other's Idempotency-Keys
(most answered 409) and could store another request's body.
"""

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.test_claims_journey import YESTERDAY

pytestmark = pytest.mark.e2e
OFFICES = 12


def claim_body(number: int, run: str) -> dict[str, Any]:
    """A professional claim for Ava Thompson, like the journey's, with its own account number and charge
    (distinct charges: equal ones on the same day would adjudicate as duplicates of each other)."""
    charge = f"{120 + number}.{number:02d}"
    return {
        "claimType": "PROFESSIONAL", "billingProviderId": "100000000001", "memberId": "10000000001",
        "placeOfService": "11", "diagnosisCodes": ["E11.9"], "totalCharge": charge,
        "patientControlNumber": f"RACE-{run}-{number:02d}",
        "serviceLines": [{"procedureCode": "99213", "charge": charge, "serviceDate": YESTERDAY.isoformat(),
                          "diagnosisPointers": [1]}],
    }


def test_concurrent_submissions_each_keep_their_own_idempotency_key_and_body(stack):
    token = stack.login("demo.group", "Demo-Portal-2026!")
    run = uuid.uuid4().hex[:8]
    bodies = [claim_body(number, run) for number in range(OFFICES)]

    def submit(number: int) -> Any:
        return stack.call("POST", "/claims", bodies[number], token=token,
                          headers={"Idempotency-Key": f"race-{run}-{number}"})

    with ThreadPoolExecutor(max_workers=OFFICES) as pool:
        answers = list(pool.map(submit, range(OFFICES)))
    assert [answer.status_code for answer in answers] == [201] * OFFICES, [answer.text for answer in answers]
    numbers = [answer.json()["claimNumber"] for answer in answers]
    assert len(set(numbers)) == OFFICES

    for number, claim_number in enumerate(numbers):
        stored = stack.call("GET", f"/claims/{claim_number}", token=token).json()
        sent = bodies[number]
        assert (stored["patientControlNumber"], stored["totalCharge"], stored["serviceLines"][0]["charge"]) == (
            sent["patientControlNumber"], sent["totalCharge"], sent["totalCharge"])

    with ThreadPoolExecutor(max_workers=OFFICES) as pool:
        retried = list(pool.map(submit, range(OFFICES)))
    assert [answer.json()["claimNumber"] for answer in retried] == numbers
