"""Only the clock module reads the wall clock, and only the composition root hands it out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from local.environment import PROJECT_DIR

WALL_CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time"),
                    ("datetime", "today")}
CLOCK_MODULE = "chalicelib/platform/clock.py"
COMPOSITION_ROOT = "chalicelib/wiring.py"


def offences(source: str, relative: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and relative != CLOCK_MODULE
                and (node.value.id, node.attr) in WALL_CLOCK_READS):
            found.append(f"{relative}:{node.lineno} reads the wall clock ({node.value.id}.{node.attr})")
        named = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else (
            node.name if isinstance(node, ast.alias) else None)
        if named == "wall_clock" and relative not in (CLOCK_MODULE, COMPOSITION_ROOT):
            found.append(f"{relative}:{getattr(node, 'lineno', '?')} takes the wall clock itself")
    return found


def sources() -> list[Path]:
    return sorted(path for folder in ("chalicelib", "local") for path in (PROJECT_DIR / folder).rglob("*.py"))


def test_no_module_but_the_clock_reads_the_wall_clock():
    found = [problem for path in sources()
             for problem in offences(path.read_text(encoding="utf-8"), path.relative_to(PROJECT_DIR).as_posix())]
    assert found == []
    assert len(sources()) > 50  # the scan really read the tree


@pytest.mark.parametrize("line", [
    "from datetime import datetime\nx = datetime.now()",
    "import datetime as dt\nfrom datetime import date\nx = date.today()",
    "import time\nx = time.time()",
    "from chalicelib.platform.clock import wall_clock",
    "from chalicelib import clock\nx = clock.wall_clock()",
])
def test_the_scan_catches_each_way_of_reading_it(line):
    assert offences(line, "chalicelib/handlers/example.py")


def test_durations_and_the_injected_clock_are_fine():
    assert offences("import time\nstart = time.monotonic()\nnow = self._clock()", "chalicelib/x.py") == []
    assert offences("from chalicelib.platform.clock import wall_clock\nclock = wall_clock", COMPOSITION_ROOT) == []
