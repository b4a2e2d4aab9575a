"""`make bench`: figures, each next to a baseline measured in the same run. Never a pass/fail.

- Latency (p50/p99) and AWS calls per request for login, /me, a permission-checked route (GET /payments) and
  registration, over HTTP against the local stack (`make run`'s runner, production argon2 costs), next to GET /health
  on the same server and a bare DynamoDB GetItem against the same moto endpoint.
- Cold-start import time of app.py next to the bare import of its libraries.
- The ICD-10-CM lookup (GET /codesets/icd10cm): the first call of the server process by code and by words, then
  p50/p99 of each kind, next to GET /health.
- Web pages: per page, HTML bytes, time and DynamoDB items read next to the JSON route behind it; a first load with
  its assets and a later page with the assets cached (fingerprinted, immutable).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urljoin, urlparse

import requests

from chalicelib import wiring
from local.environment import PROJECT_DIR
from local.launcher import RunningStack, local_stack


@dataclass
class Sample:
    name: str
    latencies_ms: list[float]
    aws_calls: list[int]
    items_read: list[int] = field(default_factory=list)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    @property
    def calls(self) -> str:
        return _spread(self.aws_calls, "1")

    @property
    def items(self) -> str:
        return _spread(self.items_read, "1")


def _spread(values: list[int], when_none: str) -> str:
    if not values:
        return when_none
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high} (mean {statistics.mean(values):.1f})"


def measure(name: str, count: int, request: Callable[[int], requests.Response], expect: int) -> Sample:
    latencies: list[float] = []
    calls: list[int] = []
    items: list[int] = []
    for i in range(count):
        started = time.perf_counter()
        response = request(i)
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != expect:
            raise SystemExit(f"{name}: expected {expect}, got {response.status_code}: {response.text[:200]}")
        calls.append(int(response.headers.get("X-Aws-Calls", "0")))
        items.append(int(response.headers.get("X-Dynamo-Items-Read", "0")))
    return Sample(name, latencies, calls, items)


def bare_get_item(moto_url: str, count: int) -> Sample:
    import boto3

    client = boto3.client("dynamodb", endpoint_url=moto_url, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    key = {"provider_id": {"S": "999999999999"}}
    client.get_item(TableName="portal-local-providers", Key=key)
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        client.get_item(TableName="portal-local-providers", Key=key)
        latencies.append((time.perf_counter() - started) * 1000)
    return Sample("baseline: bare DynamoDB GetItem", latencies, [])


DEMO_LOGIN = {"username": "demo.group", "password": "Demo-Portal-2026!"}
_remembered: dict[str, str] = {}
"""demo.group's device token, from its first two-step login: later logins (the measured ones) skip the code step,
as a remembered browser does, so they neither replay a code nor leave logins at the code step (which count toward
the lock)."""


def demo_login(post: Callable[..., requests.Response]) -> requests.Response:
    """demo.group's login: the first one through the code step (the code computed from its README secret, the next
    step's if this one was just used), remembering the device; later ones with the device token."""
    if "device" in _remembered:
        return post("/auth/login", {**DEMO_LOGIN, "deviceToken": _remembered["device"]})
    import pyotp

    from local.demo_data import DEMO_TOTP_SECRETS

    totp = pyotp.TOTP(DEMO_TOTP_SECRETS[DEMO_LOGIN["username"]])
    challenge = post("/auth/login", DEMO_LOGIN).json()["challenge"]
    for moment in (datetime.now(UTC), datetime.now(UTC) + timedelta(seconds=30)):
        opened = post("/auth/login/mfa", {"challenge": challenge, "code": totp.at(moment), "rememberDevice": True})
        if opened.status_code == 200:
            _remembered["device"] = opened.json()["deviceToken"]
            return opened
    raise SystemExit(f"demo.group's code step refused: {opened.text[:200]}")


def api_latencies(stack: RunningStack, requests_per_route: int) -> list[Sample]:
    session = requests.Session()
    url = stack.api_url

    def post(path: str, body: dict[str, object], token: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return session.post(url + path, json=body, headers=headers, timeout=30)

    def login(_: int) -> requests.Response:
        return demo_login(post)

    token = login(0).json()["token"]

    def register(i: int) -> requests.Response:
        return post("/auth/register", {
            "providerType": "Group", "groupName": "Default Provider", "taxId": "310000001",
            "providerId": "999999999999", "zipCode": "46204", "acceptAgreement": True,
            "username": f"bench.user{i}", "password": "Bench-Marking-Pass-9!", "email": f"bench{i}@example.org",
            "securityQuestion": "What city were you born in?", "securityAnswer": "Fishers",
        })

    for _ in range(20):  # warm the server's lazy imports and connections
        session.get(url + "/health", timeout=10)
    auth = {"Authorization": f"Bearer {token}"}
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    member_ids = [f"1{index + 1000:010d}" for index in range(requests_per_route)]
    in_a_week = (date.today() + timedelta(days=7)).isoformat()
    prior_auth = {
        "requestType": "OUTPATIENT", "memberId": "10000000001", "requestingProviderId": "100000000001",
        "servicingProviderId": "100000000001", "startDate": in_a_week, "endDate": in_a_week,
        "serviceLines": [{"code": "72148", "units": 1}], "diagnosisCodes": ["M54.50"],
        "clinicalCriteria": [{"criterionId": "MRI_6WK_CONSERVATIVE", "met": True}],
    }
    samples = [
        measure("baseline: GET /health", requests_per_route, lambda _: session.get(url + "/health", timeout=10),
                200),
        bare_get_item(stack.moto_url, requests_per_route),
        measure("GET /me", requests_per_route,
                lambda _: session.get(url + "/me", headers={"Authorization": f"Bearer {token}"}, timeout=10), 200),
        measure("GET /payments (needs PAYMENTS)", requests_per_route,
                lambda _: session.get(f"{url}/payments?limit=20", headers=auth, timeout=10), 200),
        measure("GET /members/eligibility by ID", requests_per_route,
                lambda i: session.get(f"{url}/members/eligibility?memberId={member_ids[i]}"
                                      f"&dateOfService={yesterday}", headers=auth, timeout=10), 200),
        measure("POST /members/eligibility by name", requests_per_route,
                lambda _: session.post(f"{url}/members/eligibility", json={
                    "lastName": "Thompson", "firstName": "Ava", "birthDate": "1990-04-12",
                    "dateOfService": yesterday}, headers=auth, timeout=10), 200),
        measure("POST /prior-auths (AutoAuth)", requests_per_route,
                lambda _: post("/prior-auths", prior_auth, token), 201),
        measure("GET /prior-auths (search page)", requests_per_route,
                lambda _: session.get(f"{url}/prior-auths?limit=20", headers=auth, timeout=10), 200),
        measure("POST /claims (adjudicated)", requests_per_route,
                lambda i: post("/claims", office_claim(i), token), 201),
        measure("GET /claims (search page)", requests_per_route,
                lambda _: session.get(f"{url}/claims?limit=20", headers=auth, timeout=10), 200),
        measure("GET /reports/registry (50 rows)", requests_per_route,
                lambda _: session.get(f"{url}/reports/registry?limit=50", headers=auth, timeout=10), 200),
        measure("GET /reports/registry, state+status", requests_per_route,
                lambda _: session.get(f"{url}/reports/registry?limit=50&state=Indiana&enrollmentStatus=RECENT",
                                      headers=auth, timeout=10), 200),
        measure("GET /reports/registry, no match", requests_per_route,
                lambda _: session.get(f"{url}/reports/registry?limit=50&state=Ohio", headers=auth, timeout=10),
                200),
        measure("POST /auth/login (a remembered device)", requests_per_route, login, 200),
        measure("POST /auth/register", max(50, requests_per_route // 2), register, 201),
    ]
    return samples


@dataclass(frozen=True)
class PageFigure:
    name: str
    page: Sample
    page_bytes: int
    page_gzip_bytes: int
    json: Sample
    json_bytes: int


@dataclass(frozen=True)
class LoadFigure:
    html_bytes: int
    linked_asset_bytes: int
    stylesheet_url_bytes: int
    uncached_asset_bytes: int
    """Linked assets a browser may not keep (none has max-age): a later page loads them again."""
    assets: int
    immutable: bool


PAGES = (
    ("home", "/home", "/me"),
    ("eligibility answer", "/member-search/eligibility?memberId=10000000001&dateOfService={day}",
     "/members/eligibility?memberId=10000000001&dateOfService={day}"),
    ("membership list", "/member-reports/membership", "/reports/membership?limit=50"),
    ("member detail", "/member-reports/members/10000000001", "/members/10000000001"),
    ("registry", "/member-reports/registry", "/reports/registry?limit=50"),
    ("claim search", "/claims-center/claims", "/claims?limit=20"),
    ("claim page", "/claims-center/claims/{claim}", "/claims/{claim}"),
    ("EOP", "/claims-center/payments/{payment}", "/payments/{payment}"),
    ("prior auth search", "/prior-authorization/requests", "/prior-auths?limit=20&providerId=999999999999"),
)
"""(page, its path, the JSON route behind it): the page calls the same services, then renders. A claim and a
payment are the newest of the demo group's (the demo data's claims and their weekly cycles)."""
ASSET_LINK = re.compile(r'(?:src|href)="(/assets/[^"]+)"')
STYLESHEET_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
LATER_PAGE_GOAL_BYTES = 30 * 1024


def page_figures(stack: RunningStack, requests_per_page: int) -> tuple[list[PageFigure], LoadFigure]:
    """Each page against its JSON route, as demo.group: the browser's session cookie holds the same session
    token the JSON routes take as a bearer token, so both are the same session."""
    session = requests.Session()
    url = stack.api_url
    token = demo_login(lambda path, body: session.post(url + path, json=body, timeout=30)).json()["token"]
    browser = requests.Session()
    browser.cookies.set("portal_session", token)
    auth = {"Authorization": f"Bearer {token}"}
    names = {"day": (date.today() - timedelta(days=1)).isoformat(),
             "claim": newest(session, f"{url}/claims?limit=1", auth, "claimNumber"),
             "payment": newest(session, f"{url}/payments?limit=1", auth, "paymentId")}
    figures = []
    for name, page_path, json_path in PAGES:
        page_url, json_url = url + page_path.format(**names), url + json_path.format(**names)
        html = browser.get(page_url, timeout=60)
        if html.status_code != 200 or not html.headers.get("Content-Type", "").startswith("text/html"):
            raise SystemExit(f"{name}: {page_path} answered {html.status_code} {html.headers.get('Content-Type')}")
        body = session.get(json_url, headers=auth, timeout=60)
        if body.status_code != 200:
            raise SystemExit(f"{name}: {json_path} answered {body.status_code}: {body.text[:200]}")
        figures.append(PageFigure(
            name,
            measure(f"{name} page", requests_per_page, lambda _, u=page_url: browser.get(u, timeout=60), 200),
            len(html.content), len(gzip.compress(html.content)),
            measure(f"{name} JSON", requests_per_page,
                    lambda _, u=json_url: session.get(u, headers=auth, timeout=60), 200),
            len(body.content)))
    return figures, first_and_later_load(browser, url)


def newest(session: requests.Session, list_url: str, auth: dict[str, str], key: str) -> str:
    """The first item's ID on a list route (newest first)."""
    answer = session.get(list_url, headers=auth, timeout=60)
    items = answer.json().get("items") if answer.status_code == 200 else None
    if not items:
        raise SystemExit(f"{list_url}: no item to measure a page with ({answer.status_code})")
    return str(items[0][key])


ICD10_BY_CODE = ("E11", "E11.9", "I10", "M54.5", "Z3A", "O80", "J06.9", "S61.41")
ICD10_BY_WORDS = ("type 2 diabetes", "essential hypertension", "low back pain", "acute upper respiratory",
                  "open wound left hand", "weeks gestation", "asthma", "major depressive")


@dataclass(frozen=True)
class LookupFigure:
    first_by_code_ms: float
    first_by_words_ms: float
    by_code: Sample
    by_words: Sample
    health: Sample
    me: Sample
    in_process: Sample


def in_process_lookups(count: int) -> Sample:
    """The code set's own part: ``icd10cm.lookup`` in this process (warmed), without HTTP or the session check."""
    from chalicelib.platform.codesets import icd10cm

    queries = ICD10_BY_CODE + ICD10_BY_WORDS
    today = date.today()
    for query in queries:
        icd10cm.lookup(query, today, 20)
    latencies = []
    for i in range(count):
        started = time.perf_counter()
        icd10cm.lookup(queries[i % len(queries)], today, 20)
        latencies.append((time.perf_counter() - started) * 1000)
    return Sample("icd10cm.lookup in process (both kinds)", latencies, [])


def icd10_figures(stack: RunningStack, count: int) -> LookupFigure:
    """The ICD-10-CM lookup on a server process that has not used the code set yet: its first call by code (maps
    the table), its first by words (makes the lower-case copy), then ``count`` of each kind, queries in turn."""
    session = requests.Session()
    url = stack.api_url
    token = demo_login(lambda path, body: session.post(url + path, json=body, timeout=30)).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    for _ in range(20):  # the server's imports and connections, not the code set
        session.get(url + "/health", timeout=10)
    session.get(url + "/me", headers=auth, timeout=10)
    health = measure("GET /health", count, lambda _: session.get(url + "/health", timeout=10), 200)
    me = measure("GET /me (session, account, providers)", count,
                 lambda _: session.get(url + "/me", headers=auth, timeout=10), 200)

    def lookup(queries: tuple[str, ...]) -> Callable[[int], requests.Response]:
        return lambda i: session.get(f"{url}/codesets/icd10cm", params={"q": queries[i % len(queries)]},
                                     headers=auth, timeout=30)

    first_code = measure("first by code", 1, lookup(ICD10_BY_CODE), 200)
    first_words = measure("first by words", 1, lookup(ICD10_BY_WORDS), 200)
    return LookupFigure(first_code.p50, first_words.p50,
                        measure("by code (E11, I10, ...)", count, lookup(ICD10_BY_CODE), 200),
                        measure("by words (low back pain, ...)", count, lookup(ICD10_BY_WORDS), 200), health, me,
                        in_process_lookups(count))


def print_icd10(figure: LookupFigure) -> None:
    requests_each = len(figure.by_code.latencies_ms)
    print(f"\nICD-10-CM lookup, GET /codesets/icd10cm ({requests_each} requests of each kind after the first call, "
          "one client)")
    print(f"  first call of the server process: by code {figure.first_by_code_ms:.1f} ms (maps the table), "
          f"then by words {figure.first_by_words_ms:.1f} ms (makes the lower-case copy)")
    print(f"{'after the first call':<42}{'p50 ms':>9}{'p99 ms':>9}{'p50 / health':>14}  DynamoDB items read/request")
    for sample in (figure.health, figure.me, figure.by_code, figure.by_words, figure.in_process):
        print(f"  {sample.name:<40}{sample.p50:>9.2f}{sample.p99:>9.2f}{sample.p50 / figure.health.p50:>13.1f}x"
              f"  {sample.items if sample.items_read else '-'}")
    worst = max(figure.by_code.p99, figure.by_words.p99)
    print(f"  goal: p99 under 50 ms after the first call: {'met' if worst < 50 else 'NOT met'} ({worst:.1f} ms over "
          "HTTP; a lookup reads 2 items, the session and its account, as every logged-in route does; the in-process "
          "row is the code set's own part)", flush=True)


def first_and_later_load(browser: requests.Session, url: str) -> LoadFigure:
    """The home page with every asset its HTML links (and, as an upper bound, every url() its stylesheets
    name: a browser fetches only the fonts and icons a page uses), and which assets a browser keeps."""
    home = browser.get(url + "/home", timeout=60)
    linked = sorted(set(ASSET_LINK.findall(home.text)))
    linked_bytes, named_bytes, uncached, immutable = 0, 0, 0, True
    named: set[str] = set()
    for path in linked:
        asset = browser.get(url + path, timeout=60)
        asset.raise_for_status()
        linked_bytes += len(asset.content)
        cache_control = asset.headers.get("Cache-Control", "")
        immutable = immutable and "immutable" in cache_control
        if "max-age" not in cache_control:
            uncached += len(asset.content)
        if path.endswith(".css"):
            named.update(urljoin(path, ref) for ref in STYLESHEET_URL.findall(asset.text)
                         if not ref.startswith("data:"))
    for path in sorted(named - set(linked)):
        asset = browser.get(url + path, timeout=60)
        if asset.status_code == 200:
            named_bytes += len(asset.content)
    return LoadFigure(len(home.content), linked_bytes, named_bytes, uncached, len(linked), immutable)


def office_claim(index: int) -> dict[str, object]:
    """A professional claim for Ava; the charge varies so no two are duplicates."""
    service_date = (date.today() - timedelta(days=1 + index % 20)).isoformat()
    charge = f"{100 + index}.00"
    return {
        "claimType": "PROFESSIONAL", "billingProviderId": "100000000001", "memberId": "10000000001",
        "placeOfService": "11", "diagnosisCodes": ["E11.9"], "totalCharge": charge,
        "serviceLines": [{"procedureCode": "99213", "charge": charge, "serviceDate": service_date,
                          "diagnosisPointers": [1]}],
    }


@dataclass
class ClaimFileFigure:
    claims: int
    validate_rate: float
    upload_seconds: float
    upload_peak_mib: float
    batches: int
    worker_seconds: float
    total_seconds: float

    @property
    def ingest_rate(self) -> float:
        return self.claims / self.total_seconds

    @property
    def seconds_per_claim_per_worker(self) -> float:
        return self.worker_seconds / self.claims


def claim_file_figures(sizes: tuple[int, ...], wait_seconds: float) -> list[ClaimFileFigure]:
    """Generated 837P files through the fan-out, against the stack's moto.

    Validation alone (pyx12 plus reading the claims, no tables) is the baseline. The upload handler runs
    here (tracemalloc on: its time and peak): it validates, writes the 999 and sends the claims in batches to
    the stack's claim-batches queue, where the runner's pump, one worker, makes them; the file is done when
    its last batch completes it. A worker's time runs from the first batch sent to COMPLETED.
    """
    from chalicelib.claims.batch import BATCH_CLAIMS, process_claim_file
    from chalicelib.claims.enums import CLAIM_BATCHES_QUEUE
    from chalicelib.documents.enums import DocumentKind, DocumentStatus
    from chalicelib.documents.store import DocumentModel
    from chalicelib.platform.aws import queue
    from chalicelib.platform.aws.clients import aws_client
    from chalicelib.platform.config import get_settings
    from chalicelib.platform.x12.read837 import read_837
    from local.x12_generate import GeneratedClaim, generate_837p

    figures = []
    today = date.today()
    for count in sizes:
        claims = [GeneratedClaim("10000000001", "THOMPSON", "AVA", date(1990, 4, 12), "F",
                                 today - timedelta(days=1 + index % 300),
                                 charge=f"{100 + index % 900}.{index % 97:02d}") for index in range(count)]
        text = generate_837p(claims, "1912301953", "310000001", control_number=count)
        del claims
        started = time.perf_counter()
        assert len(read_837(text).claims()) == count
        validation_rate = count / (time.perf_counter() - started)
        now = datetime.now(UTC)
        document = DocumentModel(
            document_id=f"bench-837-{count}-{now.timestamp():.0f}", kind=DocumentKind.CLAIM_FILE.value,
            status=DocumentStatus.AWAITING_UPLOAD.value, uploaded_by="demo.group", uploader_role="PROVIDER_USER",
            uploader_states=["Indiana"], provider_id="999999999999", tax_id="310000001", file_name="bench.837",
            content_type="application/edi-x12", created_at=now, created_key=now.isoformat(),
        )
        document.s3_key = f"bench/claims-{count}.837"  # no S3 event: this process is the upload handler
        document.save()
        aws_client("s3").put_object(Bucket=get_settings().documents_bucket, Key=document.s3_key, Body=text.encode(),
                                    ContentType="application/edi-x12")
        del text
        first_sent: list[float] = []

        def send(body: dict[str, object], sent: list[float] = first_sent) -> str:
            if not sent:
                sent.append(time.perf_counter())
            return queue.send_json(CLAIM_BATCHES_QUEUE, body)

        tracemalloc.start()
        started = time.perf_counter()
        running = wiring.current()
        status = process_claim_file(document, now, running.documents(), running.claims(), running.members(),
                                    send=send)
        upload_seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        assert status in ("PROCESSING", "COMPLETED"), status
        deadline = time.monotonic() + wait_seconds
        done = DocumentModel.get(document.document_id)
        while done.status == "PROCESSING" and time.monotonic() < deadline:
            time.sleep(0.5)
            done = DocumentModel.get(document.document_id)
        finished = time.perf_counter()
        assert done.status == "COMPLETED", (done.status, done.reason)
        assert done.claims_accepted == count, done.claims_accepted
        figures.append(ClaimFileFigure(count, validation_rate, upload_seconds, peak, -(-count // BATCH_CLAIMS),
                                       finished - (first_sent[0] if first_sent else started), finished - started))
    return figures


def deployed_worker_concurrency() -> tuple[str, int]:
    """The batch worker's reserved concurrency in the prod stage (.chalice/config.json)."""
    import json

    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text(encoding="utf-8"))
    worker = config["stages"]["prod"]["lambda_functions"]["process_claim_batches"]
    return "prod", int(worker["reserved_concurrency"])


def eligibility_file_figures(stack: RunningStack, sizes: tuple[int, ...]) -> list[tuple[int, float, float]]:
    """(rows, rows per second, peak MiB of Python allocations) for generated files of each size.

    Runs the same processing the upload handler runs, in this process, against the stack's moto
    (whose own memory is another process's), so the peak is the processing's alone.
    """
    from local.environment import apply_local_environment

    apply_local_environment(int(urlparse(stack.moto_url).port or 0), int(urlparse(stack.api_url).port or 0))
    from chalicelib.documents.enums import DocumentKind, DocumentStatus
    from chalicelib.documents.store import DocumentModel
    from chalicelib.members.batch import process_eligibility_file
    from chalicelib.platform.access import Principal, Role
    from chalicelib.platform.aws.clients import aws_client
    from chalicelib.platform.config import get_settings
    from chalicelib.providers.store import ProviderModel

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    provider = ProviderModel.get("999999999999")
    now = datetime.now(UTC)
    principal = Principal("demo.group", Role.PROVIDER_USER, "Group", (), (provider.tax_id,), ("Indiana",),
                          provider.provider_id, "bench", now, now)
    figures = []
    for rows in sizes:
        lines = ["memberId,medicaidId,lastName,firstName,birthDate,dateOfService"]
        for index in range(rows):
            member = 1000 + index % 3200
            if index % 10 == 9:
                lines.append(f",7{member:011d},,,,{yesterday}")
            else:
                lines.append(f"1{member:010d},,,,,{yesterday}")
        key = f"bench/eligibility-{rows}.csv"
        aws_client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key,
                                    Body="\r\n".join(lines).encode(), ContentType="text/csv")
        results = []
        for traced in (False, True):
            document = wiring.current().documents().new_document(principal, provider, DocumentKind.ELIGIBILITY_FILE,
                                                       "bench.csv", "text/csv")
            document.s3_key = key
            document.save()
            if traced:
                tracemalloc.start()
            started = time.perf_counter()
            running = wiring.current()
            status = process_eligibility_file(document, document.created_at, running.members(), running.documents())
            elapsed = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
            tracemalloc.stop()
            assert status == DocumentStatus.COMPLETED.value, status
            assert DocumentModel.get(document.document_id).rows_total == rows
            results.append(rows / elapsed if not traced else peak)
        figures.append((rows, results[0], results[1]))
    return figures


def export_figures(sizes: tuple[int, ...]) -> list[tuple[int, float, float]]:
    """(members, seconds, peak MiB of Python allocations) exporting generated rosters of each size.

    The rosters are written to the stack's moto first; the export runs in this process, so its
    peak memory is the export's alone (moto keeps the file in its own process).
    """

    from chalicelib.reports.store import ExportJobModel, RosterEntryModel, member_sort_key

    now = datetime.now(UTC)
    figures = []
    for members in sizes:
        view = f"TAX#BENCH{members}"
        with RosterEntryModel.batch_write() as batch:
            for index in range(members):
                member_id = f"9{index:010d}"
                batch.save(RosterEntryModel(
                    roster_key=view, sort_key=member_sort_key(f"Last{index % 997}", f"First {index}", member_id),
                    member_id=member_id, medicaid_id=f"9{index:011d}", first_name=f"First {index}",
                    last_name=f"Last{index % 997}, Jr.", gender="F", birth_date="1990-01-01", language="English",
                    phone="317-555-0100", program="Indiana - State Health Plans - Healthy Indiana Plan (HIP)",
                    pcp_provider_id="100000000001", pcp_name="Jane Doe",
                ))
        result = []
        for traced in (False, True):
            job = ExportJobModel(export_id=f"bench-{members}-{traced}", status="QUEUED", requested_by="bench",
                                 requester_role="PROVIDER_USER", provider_id="999999999999", tax_id="BENCH",
                                 roster_key=view, scope_label="bench", created_at=now, created_key=now.isoformat())
            job.save()
            if traced:
                tracemalloc.start()
            started = time.perf_counter()
            status = wiring.current().exports().run(job.export_id)
            elapsed = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
            tracemalloc.stop()
            assert status == "COMPLETED", status
            assert ExportJobModel.get(job.export_id).rows == members
            result.append(elapsed if not traced else peak)
        figures.append((members, result[0], result[1]))
    return figures


def import_seconds(statement: str, runs: int) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    timings = []
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True,
                                check=True, env={"PORTAL_STAGE": "dev", "PATH": "", "PYTHONPATH": str(PROJECT_DIR)})
        timings.append(float(result.stdout.strip()))
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300, help="requests per route")
    parser.add_argument("--import-runs", type=int, default=7)
    parser.add_argument("--page-requests", type=int, default=50, help="requests per web page and its JSON route")
    parser.add_argument("--file-rows", type=int, default=10_000, help="rows of the large Member File Upload")
    parser.add_argument("--file-claims", type=int, default=5_000, help="claims of the large 837P file")
    parser.add_argument("--claim-file-wait", type=float, default=3 * 3600,
                        help="seconds to wait for a file's batches (the local stack has one worker)")
    parser.add_argument("--computed-claims", type=int, default=50_000,
                        help="claims of the file whose time is computed for the deployed concurrency")
    parser.add_argument("--export-members", type=int, default=100_000, help="members of the large roster export")
    args = parser.parse_args()

    libraries = "import boto3, pynamodb.models, chalice, aws_lambda_powertools.logging"
    bare = import_seconds(libraries, args.import_runs)
    app = import_seconds("import app", args.import_runs)
    heavy = subprocess.run(
        [sys.executable, "-c", "import sys, app; print(sorted(m for m in ('zxcvbn', 'argon2', 'pydantic.main', "
         "'simple_icd_10_cm', 'pyx12', 'fhir') if m in sys.modules))"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=True, env={"PORTAL_STAGE": "dev", "PATH": ""},
    ).stdout.strip()

    print("\nCold-start import (median of", args.import_runs, "fresh interpreters)")
    print(f"  bare libraries ({libraries[7:]}): {bare * 1000:.0f} ms")
    print(f"  import app:                              {app * 1000:.0f} ms   ratio {app / bare:.2f}x (target <= 1.3x)")
    print(f"  code sets / parsers loaded at cold start: {heavy}", flush=True)
    # moto sorts a whole partition for every page it returns; a 100,000-row roster takes it seconds a page.
    os.environ["PORTAL_AWS_READ_TIMEOUT_SECONDS"] = "300"
    with local_stack("--count-aws-calls", "--schedule-seconds", "3600") as stack:
        from local.environment import apply_local_environment

        # before anything here reads chalicelib's settings (the demo login's secret comes from local.demo_data)
        apply_local_environment(int(urlparse(stack.moto_url).port or 0), int(urlparse(stack.api_url).port or 0))
        print_icd10(icd10_figures(stack, args.requests))  # first: nothing else of the bench uses the code set yet
        samples = api_latencies(stack, args.requests)
        print_latencies(samples, args.requests)
        pages, load = page_figures(stack, args.page_requests)
        print_pages(pages, load, args.page_requests)
        files = eligibility_file_figures(stack, (1_000, args.file_rows))
        print_files(files)
        claim_files = claim_file_figures((args.file_claims // 10, args.file_claims), args.claim_file_wait)
        print_claim_files(claim_files, args.computed_claims)
        exported = export_figures((args.export_members // 10, args.export_members))
        print_exports(exported)


def print_latencies(samples: list[Sample], requests_per_route: int) -> None:
    health, get_item = samples[0], samples[1]
    print(f"\nLatency over HTTP against the local stack ({requests_per_route} requests per route, one client)")
    print(f"{'route':<36}{'p50 ms':>9}{'p99 ms':>9}{'p50 / health':>14}{'p50 / GetItem':>15}  AWS calls/request"
          "  DynamoDB items read/request")
    for sample in samples:
        print(f"{sample.name:<36}{sample.p50:>9.2f}{sample.p99:>9.2f}{sample.p50 / health.p50:>13.1f}x"
              f"{sample.p50 / get_item.p50:>14.1f}x  {sample.calls:<18} {sample.items}")
    print("Items read counts what each Query or Scan examined before filtering: a page whose cost grew with its "
          "partition would show it here, whatever moto's speed.")
    print("Permission-checked routes (e.g. GET /payments) read no more for the check: the permissions come from the "
          "account item every request's authentication already reads (its session, then its account: 2 GetItems, "
          "as GET /me).")
    print("\nlogin and registration hash with argon2id at production cost (t=3, 64 MiB), on purpose.", flush=True)


def print_pages(figures: list[PageFigure], load: LoadFigure, requests_per_page: int) -> None:
    print(f"\nWeb pages next to the JSON route behind each ({requests_per_page} requests each, demo.group, one client)")
    print(f"{'page':<20}{'HTML bytes':>11}{'gzip':>8}{'JSON bytes':>11}{'bytes x':>9}{'page p50 ms':>13}"
          f"{'JSON p50 ms':>13}{'time x':>8}  AWS calls page / JSON  DynamoDB items read page / JSON")
    for figure in figures:
        ratio = figure.page.p50 / figure.json.p50
        calls = f"{figure.page.calls} / {figure.json.calls}"
        print(f"{figure.name:<20}{figure.page_bytes:>11,}{figure.page_gzip_bytes:>8,}{figure.json_bytes:>11,}"
              f"{figure.page_bytes / max(1, figure.json_bytes):>8.1f}x{figure.page.p50:>13.2f}{figure.json.p50:>13.2f}"
              f"{ratio:>7.2f}x{'' if ratio <= 1.5 else '!'}  {calls:<22} {figure.page.items} / {figure.json.items}")
    print("  goal: a page's time at most 1.5x its JSON route's (time x; ! marks one over it, reported, never failed); "
          "bytes are uncompressed, gzip beside them")
    first = load.html_bytes + load.linked_asset_bytes
    print(f"  first load (home page + its {load.assets} linked assets): {first:,} bytes"
          f" ({load.html_bytes:,} HTML + {load.linked_asset_bytes:,} assets); with every url() its stylesheets name"
          f" (fonts, icons: more than a browser fetches) {first + load.stylesheet_url_bytes:,} bytes")
    caching = "every one immutable" if load.immutable else "NOT all immutable"
    later = [(figure.name, figure.page_bytes + load.uncached_asset_bytes) for figure in figures]
    print(f"  a later page with the assets cached (linked assets: {caching}), goal under "
          f"{LATER_PAGE_GOAL_BYTES // 1024} KB: " + ", ".join(
              f"{name} {size:,}{'' if size < LATER_PAGE_GOAL_BYTES else ' (OVER)'}" for name, size in later))
    print("  bytes as sent by the local server, uncompressed (the gzip column is what compression would send)",
          flush=True)


def print_files(files: list[tuple[int, float, float]]) -> None:
    print("\nMember File Upload (batch eligibility), the upload handler's processing against moto")
    print(f"{'rows':>8}{'rows/s':>10}{'peak MiB':>10}")
    for rows, per_second, peak in files:
        print(f"{rows:>8}{per_second:>10.0f}{peak:>10.1f}")
    (small_rows, small_rate, small_peak), (large_rows, large_rate, large_peak) = files[0], files[-1]
    print(f"  {large_rows // small_rows}x the rows: time {small_rate / large_rate * large_rows / small_rows:.1f}x, "
          f"peak memory {large_peak / small_peak:.2f}x (flat memory means close to 1x)", flush=True)


def print_claim_files(files: list[ClaimFileFigure], computed_claims: int) -> None:
    from chalicelib.claims.batch import BATCH_CLAIMS

    print("\n837P claim files through the fan-out: pyx12 validation alone (baseline), the upload handler "
          f"(validate, 999, batches of {BATCH_CLAIMS} to SQS) and the batch worker, against moto")
    print(f"{'claims':>8}{'validate/s':>12}{'upload s':>10}{'upload peak MiB':>17}{'batches':>9}"
          f"{'worker s':>10}{'s/claim/worker':>16}{'end to end/s':>14}")
    for figure in files:
        print(f"{figure.claims:>8}{figure.validate_rate:>12.0f}{figure.upload_seconds:>10.1f}"
              f"{figure.upload_peak_mib:>17.1f}{figure.batches:>9}{figure.worker_seconds:>10.1f}"
              f"{figure.seconds_per_claim_per_worker:>16.4f}{figure.ingest_rate:>14.1f}")
    few, many = files[0], files[-1]
    print(f"  {many.claims // max(1, few.claims)}x the claims: upload handler time "
          f"{many.upload_seconds / few.upload_seconds:.1f}x, its peak memory "
          f"{many.upload_peak_mib / few.upload_peak_mib:.2f}x (pyx12 holds the file's claims while it validates; "
          f"the split lets each go once it is sent)")
    stage, concurrency = deployed_worker_concurrency()
    batches = -(-computed_claims // BATCH_CLAIMS)
    workers = min(concurrency, batches)
    upload = many.upload_seconds * computed_claims / many.claims
    claims_time = computed_claims * many.seconds_per_claim_per_worker / workers
    print(f"  COMPUTED, not measured: a {computed_claims:,}-claim file at the {stage} stage's batch-worker "
          f"concurrency ({concurrency}; {batches:,} batches, {workers} at a time) would take about "
          f"{upload + claims_time:,.0f} s: the upload handler {upload:,.0f} s (linear from {many.claims:,} claims) "
          f"then {computed_claims:,} x {many.seconds_per_claim_per_worker:.4f} s / {workers} workers "
          f"= {claims_time:,.0f} s (this machine's moto per claim; the split's batches go out while workers run)",
          flush=True)


def print_exports(exported: list[tuple[int, float, float]]) -> None:
    print("\nMember list export (CSV streamed to an S3 multipart upload), against moto")
    print(f"{'members':>9}{'seconds':>10}{'rows/s':>10}{'peak MiB':>10}")
    for members, seconds, peak in exported:
        print(f"{members:>9}{seconds:>10.1f}{members / seconds:>10.0f}{peak:>10.1f}")
    (few, few_seconds, few_peak), (many, many_seconds, many_peak) = exported[0], exported[-1]
    print(f"  {many // few}x the members: time {many_seconds / few_seconds:.1f}x (close to {many // few} is linear), "
          f"peak memory {many_peak / few_peak:.2f}x (close to 1 is flat)", flush=True)


if __name__ == "__main__":
    main()
