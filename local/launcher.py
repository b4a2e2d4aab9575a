"""Start the `make run` stack as a child process on free ports, for the e2e tests and `make bench`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from local.environment import HOST, PROJECT_DIR
from local.run import READY_LINE


class StackDidNotStart(Exception):
    pass


@dataclass(frozen=True)
class RunningStack:
    api_url: str
    moto_url: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def local_stack(*extra_args: str, env: dict[str, str] | None = None, timeout: float = 600) -> Iterator[RunningStack]:
    moto_port, api_port = free_port(), free_port()
    child_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    child_env.pop("PORTAL_STAGE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local.run", "--moto-port", str(moto_port), "--api-port", str(api_port),
         *extra_args],
        cwd=PROJECT_DIR, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        _wait_until_ready(process, timeout)
        threading.Thread(target=_drain, args=(process,), daemon=True).start()
        yield RunningStack(api_url=f"http://{HOST}:{api_port}", moto_url=f"http://{HOST}:{moto_port}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _drain(process: subprocess.Popen[str]) -> None:
    """Keep reading the runner's console so a full pipe never blocks it."""
    assert process.stdout is not None
    for _ in process.stdout:
        pass


def _wait_until_ready(process: subprocess.Popen[str], timeout: float) -> None:
    assert process.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        output.append(line)
        if line.strip() == READY_LINE:
            return
    raise StackDidNotStart("the local stack did not start:\n" + "".join(output[-40:]))
