import csv
import io

import pytest
import requests

from chalicelib.audit.store import AuditEventModel
from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.config import get_settings

pytestmark = pytest.mark.usefixtures("members")

CSV_ROWS = [
    "memberId,medicaidId,lastName,firstName,birthDate,dateOfService",
    "10000000001,,,,,2031-11-01",
    ",700000000002,,,,2030-08-15",
    ",,thompson,AVA,1990-04-12,2031-10-01",
    "10000000002,,,,,2031-13-01",
    "10000000001,,,,,2032-01-01",
    "99999999999,,,,,2031-11-01",
    "20000000001,,,,,2031-11-01",
    ",,,,,2031-11-01",
    '"=HYPERLINK(""http://evil"")",,,,,2031-11-01',
    "",
    "10000000002,,,,,2031-01-05",
]


def start(api, token, name="members.csv"):
    response = api.post("/members/eligibility-files", {"fileName": name}, token=token)
    assert response.status_code == 201
    return response.data


def upload(ticket, content: bytes):
    response = requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"],
                             files={"file": ("members.csv", content)}, timeout=10)
    assert response.status_code in (200, 204)


def results(url: str) -> list[dict[str, str]]:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


def test_every_row_is_checked_and_bad_rows_get_a_reason(api, token_for, pump):
    token = token_for("demo.group")
    ticket = start(api, token)
    assert ticket["file"]["status"] == "AWAITING_UPLOAD"
    assert ticket["file"]["resultUrl"] is None
    upload(ticket, "\r\n".join(CSV_ROWS).encode("utf-8"))
    pump.drain_queues()

    job = api.get(f"/members/eligibility-files/{ticket['file']['documentId']}", token=token).data
    assert job["status"] == "COMPLETED"
    assert (job["rowsTotal"], job["rowsEligible"], job["rowsNotEligible"], job["rowsNotFound"],
            job["rowsRejected"]) == (10, 3, 1, 2, 4)
    rows = results(job["resultUrl"])
    by_row = {row["row"]: row for row in rows}
    assert by_row["1"]["status"] == "ELIGIBLE"
    assert by_row["1"]["program"] == "Indiana - State Health Plans - Healthy Indiana Plan (HIP)"
    assert by_row["1"]["pcpName"] == "Jane Doe"
    assert by_row["2"]["status"] == "NOT_ELIGIBLE"
    assert by_row["2"]["reason"] == "no coverage on the date of service"
    assert by_row["3"]["status"] == "ELIGIBLE"
    assert by_row["4"]["reason"] == "dateOfService must be a date as YYYY-MM-DD"
    assert by_row["5"]["reason"] == "dateOfService must not be in the future"
    assert by_row["6"]["status"] == "NOT_FOUND"
    assert by_row["7"]["status"] == "NOT_FOUND"  # an Ohio member, for an Indiana group
    assert by_row["8"]["reason"] == "give memberId, medicaidId, or lastName, firstName and birthDate"
    assert by_row["9"]["memberId"].startswith("'=")  # never a live formula in a spreadsheet
    assert by_row["11"]["otherInsurance"] == "Anthem Blue Cross (primary) ANT-55821934"
    audited = list(AuditEventModel.query("10000000001"))
    assert {event.action for event in audited} == {"BATCH_ELIGIBILITY_CHECK"}
    assert len(audited) == 2


def test_results_are_rfc4180_with_crlf_and_one_header(api, token_for, pump):
    token = token_for("demo.group")
    ticket = start(api, token)
    upload(ticket, b"\xef\xbb\xbfMember ID,Date of Service\n10000000001,2031-11-01\n")
    pump.drain_queues()
    job = api.get(f"/members/eligibility-files/{ticket['file']['documentId']}", token=token).data
    raw = requests.get(job["resultUrl"], timeout=10).content
    assert raw.count(b"\r\n") == 2
    assert raw.startswith(b"row,memberId,")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"name,phone\nAva,317\n", "the header row must have a dateOfService column"),
        (b"dateOfService,lastName\n2026-11-01,Thompson\n",
         "the header row must have memberId, medicaidId, or lastName, firstName and birthDate"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "the file is not CSV text"),
    ],
)
def test_a_file_that_cannot_be_read_as_asked_is_rejected_with_the_reason(api, token_for, pump, content, reason):
    token = token_for("demo.group")
    ticket = start(api, token)
    upload(ticket, content)
    pump.drain_queues()
    job = api.get(f"/members/eligibility-files/{ticket['file']['documentId']}", token=token).data
    assert job["status"] == "REJECTED"
    assert job["reason"] == reason
    keys = [item["Key"] for item in aws_client("s3").list_objects_v2(
        Bucket=get_settings().documents_bucket).get("Contents", [])]
    assert any(key.startswith("quarantine/eligibility-files/") for key in keys)


def test_uploads_are_listed_for_the_group_and_hidden_from_others(api, token_for, pump):
    ticket = start(api, token_for("demo.group"))
    listed = api.get("/members/eligibility-files", token=token_for("demo.group")).data
    assert [item["documentId"] for item in listed["items"]] == [ticket["file"]["documentId"]]
    assert listed["count"] == 1
    other = api.get(f"/members/eligibility-files/{ticket['file']['documentId']}", token=token_for("demo.buckeye"))
    assert other.status_code == 404
    assert api.get("/members/eligibility-files", token=token_for("demo.buckeye")).data["count"] == 0


def test_file_name_is_required_and_bounded(api, token_for):
    token = token_for("demo.group")
    response = api.post("/members/eligibility-files", {"fileName": "x" * 201}, token=token)
    assert response.status_code == 400
    assert response.data["fields"] == {"fileName": "must be at most 200 characters"}


def test_a_member_file_posted_as_a_pdf_is_rejected_with_the_reason(api, token_for, pump):
    token = token_for("demo.group")
    ticket = start(api, token)
    fields = {**ticket["upload"]["fields"], "Content-Type": "application/pdf"}
    sent = requests.post(ticket["upload"]["url"], data=fields,
                         files={"file": ("members.csv", b"memberId,dateOfService\r\n10000000001,2031-11-01\r\n")},
                         timeout=10)
    assert sent.status_code in (200, 204)
    pump.drain_queues()
    job = api.get(f"/members/eligibility-files/{ticket['file']['documentId']}", token=token).data
    assert job["status"] == "REJECTED"
    assert job["reason"] == "the file was sent as application/pdf, but this upload takes text/csv"


def test_a_practitioners_file_is_checked_for_its_own_account_as_it_is_when_the_file_runs(api, token_for, pump):
    """The rows answer as the online check does for the uploader's own principal, rebuilt from its account when the
    file is processed: an account disabled since the upload has nothing checked in its name."""
    from chalicelib.accounts.store import AccountModel, account_key

    jdoe = token_for("demo.jdoe")
    content = b"memberId,dateOfService\r\n10000000001,2031-11-01\r\n20000000001,2031-11-01\r\n"
    checked = start(api, jdoe)
    upload(checked, content)
    pump.drain_queues()
    job = api.get(f"/members/eligibility-files/{checked['file']['documentId']}", token=jdoe).data
    assert [row["status"] for row in results(job["resultUrl"])] == ["ELIGIBLE", "NOT_FOUND"]  # Ohio: not Jane's
    audited = [(event.username, event.acting_for_provider_id) for event in AuditEventModel.query("10000000001")
               if event.action == "BATCH_ELIGIBILITY_CHECK"]
    assert audited == [("demo.jdoe", "100000000001")]

    refused = start(api, jdoe)
    upload(refused, content)
    AccountModel(pk=account_key("demo.jdoe")).update(actions=[AccountModel.status.set("DISABLED")])
    pump.drain_queues()
    job = api.get(f"/members/eligibility-files/{refused['file']['documentId']}", token=token_for("demo.group")).data
    assert (job["status"], job["rowsTotal"], job["resultUrl"]) == ("REJECTED", 0, None)
    assert job["reason"] == ("the account that uploaded the file is no longer active, or no longer acts for "
                             "provider 100000000001: nothing in the file was processed for it")
    assert len([event for event in AuditEventModel.query("10000000001")
                if event.action == "BATCH_ELIGIBILITY_CHECK"]) == 1
