"""`make bench` must finish: the whole benchmark at tiny sizes, on its own stack. Its timings are not checked."""

from __future__ import annotations

import re
import subprocess
import sys

from local.environment import PROJECT_DIR


def test_bench_runs_every_section_to_the_end() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--requests", "3", "--import-runs", "1", "--page-requests", "2",
         "--file-rows", "20", "--file-claims", "20", "--export-members", "200"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for heading in ("Cold-start import", "ICD-10-CM lookup, GET /codesets/icd10cm", "first call of the server process",
                    "goal: p99 under 50 ms", "Latency over HTTP", "DynamoDB items read/request",
                    "Web pages next to the JSON route", "first load (home page", "a later page with the assets cached",
                    "Member File Upload", "837P claim files", "Member list export"):
        assert heading in result.stdout, heading
    latency_rows = [line for line in result.stdout.splitlines() if line.startswith("GET /claims (search page)")]
    assert latency_rows, result.stdout[-2000:]
    spread = re.search(r"(\d+)(?:-(\d+))?(?: \(mean [\d.]+\))?$", latency_rows[0])
    assert spread is not None, latency_rows[0]
    most_read = int(spread.group(2) or spread.group(1))
    assert most_read > 0, latency_rows[0]  # the page's Query and the session read items; the figure is reported
    for page in ("home", "eligibility answer", "membership list", "member detail", "registry", "claim search",
                 "claim page", "EOP", "prior auth search"):
        row = next((line for line in result.stdout.splitlines() if line.startswith(f"{page}  ")), None)
        assert row is not None, page  # each page's figures are printed beside its JSON route's
        assert re.search(r"\d\.\d\dx", row), row
        page_items, json_items = re.search(r"(\d+)(?:-\d+ \(mean [\d.]+\))? / (\d+)(?:-\d+ \(mean [\d.]+\))?$",
                                           row).groups()
        assert int(page_items) > 0, row  # both read their session at least
        assert int(json_items) > 0, row
    for kind in ("by code", "by words"):
        row = next((line for line in result.stdout.splitlines() if line.strip().startswith(kind)), None)
        assert row is not None, kind
        assert re.search(r"\d+\.\d\d\s+\d+\.\d\d", row), row  # p50 and p99
