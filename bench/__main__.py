"""`make bench`: figures, each next to a baseline measured in the same run. Never a pass/fail.

- Latency (p50/p99) and AWS calls per request for login, /me and registration, over HTTP
  against the local stack (`make run`'s runner, production argon2 costs), next to GET /health
  on the same server and a bare DynamoDB GetItem against the same moto endpoint.
- Cold-start import time of app.py next to the bare import of its libraries.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from local.environment import PROJECT_DIR
from local.launcher import local_stack


@dataclass
class Sample:
    name: str
    latencies_ms: list[float]
    aws_calls: list[int]

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
        if not self.aws_calls:
            return "1"
        low, high = min(self.aws_calls), max(self.aws_calls)
        return str(low) if low == high else f"{low}-{high} (mean {statistics.mean(self.aws_calls):.1f})"


def measure(name: str, count: int, request: Callable[[int], requests.Response], expect: int) -> Sample:
    latencies: list[float] = []
    calls: list[int] = []
    for i in range(count):
        started = time.perf_counter()
        response = request(i)
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != expect:
            raise SystemExit(f"{name}: expected {expect}, got {response.status_code}: {response.text[:200]}")
        calls.append(int(response.headers.get("X-Aws-Calls", "0")))
    return Sample(name, latencies, calls)


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


def api_latencies(requests_per_route: int) -> list[Sample]:
    with local_stack("--count-aws-calls", "--schedule-seconds", "3600") as stack:
        session = requests.Session()
        url = stack.api_url

        def post(path: str, body: dict[str, object], token: str | None = None) -> requests.Response:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return session.post(url + path, json=body, headers=headers, timeout=30)

        def login(_: int) -> requests.Response:
            return post("/auth/login", {"username": "demo.group", "password": "Demo-Portal-2026!"})

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
        samples = [
            measure("baseline: GET /health", requests_per_route, lambda _: session.get(url + "/health", timeout=10),
                    200),
            bare_get_item(stack.moto_url, requests_per_route),
            measure("GET /me", requests_per_route,
                    lambda _: session.get(url + "/me", headers={"Authorization": f"Bearer {token}"}, timeout=10), 200),
            measure("POST /auth/login", requests_per_route, login, 200),
            measure("POST /auth/register", max(50, requests_per_route // 2), register, 201),
        ]
    return samples


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
    args = parser.parse_args()

    libraries = "import boto3, pynamodb.models, chalice, aws_lambda_powertools.logging"
    bare = import_seconds(libraries, args.import_runs)
    app = import_seconds("import app", args.import_runs)
    heavy = subprocess.run(
        [sys.executable, "-c", "import sys, app; print(sorted(m for m in ('zxcvbn', 'argon2', 'pydantic.main', "
         "'simple_icd_10_cm', 'pyx12', 'fhir') if m in sys.modules))"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=True, env={"PORTAL_STAGE": "dev", "PATH": ""},
    ).stdout.strip()

    samples = api_latencies(args.requests)
    health, get_item = samples[0], samples[1]
    print(f"\nLatency over HTTP against the local stack ({args.requests} requests per route, one client)")
    print(f"{'route':<36}{'p50 ms':>9}{'p99 ms':>9}{'p50 / health':>14}{'p50 / GetItem':>15}  AWS calls/request")
    for sample in samples:
        print(f"{sample.name:<36}{sample.p50:>9.2f}{sample.p99:>9.2f}{sample.p50 / health.p50:>13.1f}x"
              f"{sample.p50 / get_item.p50:>14.1f}x  {sample.calls}")
    print("\nlogin and registration hash with argon2id at production cost (t=3, 64 MiB), on purpose.")
    print("\nCold-start import (median of", args.import_runs, "fresh interpreters)")
    print(f"  bare libraries ({libraries[7:]}): {bare * 1000:.0f} ms")
    print(f"  import app:                              {app * 1000:.0f} ms   ratio {app / bare:.2f}x (target <= 1.3x)")
    print(f"  code sets / parsers loaded at cold start: {heavy}")


if __name__ == "__main__":
    main()
