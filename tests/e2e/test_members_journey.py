"""Members over HTTP against the running stack: eligibility, consent upload, Member File Upload."""

import csv
import io
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from local.demo_calendar import DemoCalendar

pytestmark = pytest.mark.e2e
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
PLAN_TODAY = datetime.now(ZoneInfo("America/New_York")).date()  # the day the stack loaded its demo data on
PDF = b"%PDF-1.7\n%demo consent form\n%%EOF\n"


@pytest.fixture(scope="module")
def group_token(stack):
    return stack.login("demo.group", "Demo-Portal-2026!")


def wait_for_status(stack, path, token, done, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = stack.call("GET", path, token=token).json()
        if body["status"] in done:
            return body
        time.sleep(0.3)
    raise AssertionError(f"{path} still {body['status']} after {timeout}s")


def test_eligibility_of_the_readme_members(stack, group_token):
    ava = stack.call("GET", f"/members/eligibility?memberId=10000000001&dateOfService={YESTERDAY}",
                     token=group_token)
    assert ava.status_code == 200
    assert ava.json()["eligible"] is True
    assert ava.json()["pcp"]["name"] == "Jane Doe"
    in_the_gap = DemoCalendar(PLAN_TODAY).on("2025-08-01")  # the README's gap, as loaded today
    liam_gap = stack.call("GET", f"/members/eligibility?medicaidId=700000000002&dateOfService={in_the_gap}",
                          token=group_token).json()
    assert liam_gap["eligible"] is False
    by_name = stack.call("POST", "/members/eligibility", {"lastName": "BROOKS", "firstName": "olivia",
                                                          "birthDate": "1985-02-20", "dateOfService": YESTERDAY},
                         token=group_token)
    assert by_name.status_code == 404  # an Ohio member, for an Indiana group
    in_the_url = stack.call("GET", f"/members/eligibility?lastName=BROOKS&firstName=olivia&birthDate=1985-02-20"
                                   f"&dateOfService={YESTERDAY}", token=group_token)
    assert in_the_url.status_code == 400  # names stay out of URLs: the answer names the POST
    assert "POST /members/eligibility" in in_the_url.json()["message"]
    staff = stack.login("planadmin", "PlanAdmin-Local-2026!")
    audit = stack.call("GET", "/audit/members/10000000001", token=staff).json()
    assert audit["items"]
    assert audit["items"][0]["username"] == "demo.group"


def test_consent_form_upload_through_the_presigned_post_is_processed_within_seconds(stack, group_token):
    ticket = stack.call("POST", "/members/10000000001/consent-forms", {
        "consentType": "HYSTERECTOMY", "dateOfService": YESTERDAY, "fileName": "consent.pdf",
        "contentType": "application/pdf"}, token=group_token)
    assert ticket.status_code == 201
    upload = ticket.json()["upload"]
    assert upload["url"].startswith(stack.moto_url)
    posted = requests.post(upload["url"], data=upload["fields"], files={"file": ("consent.pdf", PDF)}, timeout=10)
    assert posted.status_code in (200, 204)
    document_id = ticket.json()["document"]["documentId"]
    document = wait_for_status(stack, f"/documents/{document_id}", group_token, {"RECEIVED", "REJECTED"})
    assert document["status"] == "RECEIVED"
    assert document["sizeBytes"] == len(PDF)


def test_member_file_upload_gives_a_results_csv(stack, group_token):
    ticket = stack.call("POST", "/members/eligibility-files", {"fileName": "today.csv"}, token=group_token).json()
    rows = ["memberId,dateOfService", f"10000000001,{YESTERDAY}", f"10000000002,{YESTERDAY}", "bad,not-a-date"]
    posted = requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"],
                           files={"file": ("today.csv", "\n".join(rows).encode())}, timeout=10)
    assert posted.status_code in (200, 204)
    job = wait_for_status(stack, f"/members/eligibility-files/{ticket['file']['documentId']}", group_token,
                          {"COMPLETED", "REJECTED", "FAILED"})
    assert job["status"] == "COMPLETED"
    assert (job["rowsTotal"], job["rowsEligible"], job["rowsRejected"]) == (3, 2, 1)
    result = list(csv.DictReader(io.StringIO(requests.get(job["resultUrl"], timeout=10).text)))
    assert [row["status"] for row in result] == ["ELIGIBLE", "ELIGIBLE", "ERROR"]


def test_membership_list_export_and_on_demand_schedules(stack, group_token):
    import subprocess
    import sys
    from urllib.parse import urlparse

    listing = stack.call("GET", "/reports/membership?limit=25", token=group_token).json()
    assert listing["provider"] == "Default Provider - 999999999999"
    assert listing["count"] == 2079
    assert len(listing["items"]) == 25

    job = stack.call("POST", "/reports/membership-exports", {}, token=group_token).json()
    done = wait_for_status(stack, f"/reports/membership-exports/{job['exportId']}", group_token,
                           {"COMPLETED", "FAILED"})
    assert done["status"] == "COMPLETED", done
    assert done["rows"] == 2079
    redirect = stack.call("GET", done["downloadPath"], token=group_token, allow_redirects=False)
    assert redirect.status_code == 302
    rows = list(csv.reader(io.StringIO(requests.get(redirect.headers["Location"], timeout=10).text)))
    assert len(rows) == 2080
    assert stack.wait_for_email("demo.group@example.org", "Your Provider Membership List export is ready")

    subscription = stack.call("POST", "/reports/membership-export-subscriptions", {"frequency": "WEEKLY"},
                              token=group_token)
    assert subscription.status_code == 201
    fired = subprocess.run(
        [sys.executable, "-m", "local.fire_schedules", "--moto-port", str(urlparse(stack.moto_url).port),
         "--api-port", str(urlparse(stack.api_url).port)], capture_output=True, text=True, check=True, timeout=120)
    assert "start_scheduled_exports" in fired.stdout
