"""`make run`: the whole stack on this machine, in the foreground. Ctrl-C stops it all.

1. a moto server on 127.0.0.1 (every AWS service the app uses),
2. the resources of infrastructure/resources.yaml, created from that same file,
3. the demo data,
4. the API (Chalice's local server) on 127.0.0.1,
5. the event pump: SQS messages and schedules delivered to the app's handlers,
6. every email SES accepted, printed with its links.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import requests

from local.environment import DEFAULT_API_PORT, DEFAULT_MOTO_PORT, HOST, PROJECT_DIR, apply_local_environment

READY_LINE = "PORTAL READY"


class StartupFailed(Exception):
    pass


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex((HOST, port)) != 0


def _wait_for(url: str, what: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupFailed(f"{what} exited with code {process.returncode}; see its log in build/")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise StartupFailed(f"{what} did not answer at {url} within {timeout:.0f}s")


class Stack:
    def __init__(self, moto_port: int, api_port: int, log_dir: Path) -> None:
        self.moto_port = moto_port
        self.api_port = api_port
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def moto_url(self) -> str:
        return f"http://{HOST}:{self.moto_port}"

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}-{os.getpid()}.log").open("wb")
        process = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT,
                                   env=os.environ.copy())
        self.processes.append(process)
        return process

    def start_moto(self) -> None:
        process = self._spawn("moto", [sys.executable, "-m", "local.moto_server", "-H", HOST, "-p",
                                       str(self.moto_port)])
        _wait_for(f"{self.moto_url}/_local/inbox", "moto server", process)

    def start_api(self, count_aws_calls: bool) -> None:
        command = [sys.executable, "-m", "local.api_server", "--moto-port", str(self.moto_port),
                   "--api-port", str(self.api_port)]
        if count_aws_calls:
            command.append("--count-aws-calls")
        process = self._spawn("api", command)
        _wait_for(f"{self.api_url}/health", "API server", process)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _print_banner(stack: Stack, counts: dict[str, int], planadmin_password_from_env: bool) -> None:
    from local.demo_data import DEMO_ACCOUNTS, DEMO_PROVIDERS, DEMO_TOTP_SECRETS, DEMO_USER_PASSWORD

    print(f"\nProvider portal, local stack\n  API:            {stack.api_url}  (try {stack.api_url}/openapi.json)")
    print(f"  Login page:     {stack.api_url}/")
    print(f"  AWS (moto):     {stack.moto_url}  (dashboard {stack.moto_url}/moto-api/)")
    print(f"  Demo data:      {counts}")
    print("  Providers to register against:")
    for provider in DEMO_PROVIDERS:
        print(f"    {provider.provider_id}  {provider.provider_type.value:<12} {provider.name:<26} "
              f"Tax ID {provider.tax_id}  ZIP {', '.join(provider.zip_codes)}  {provider.state}")
    print(f"  Demo users (password {DEMO_USER_PASSWORD}): " + ", ".join(a.username for a in DEMO_ACCOUNTS))
    source = "PORTAL_PLANADMIN_PASSWORD" if planadmin_password_from_env else "the README's local default"
    print(f"  Plan staff:     planadmin (password from {source})")
    print("  Two-step verification: each demo user's TOTP secret (add it to an authenticator app, or compute the code")
    print("  with: python -c 'import pyotp; print(pyotp.TOTP(\"SECRET\").now())'):")
    for username, secret in DEMO_TOTP_SECRETS.items():
        print(f"    {username:<13} {secret}")
    print("  Emails the portal sends appear below, with their links.\n")
    print(READY_LINE, flush=True)


def _email_printer(moto_url: str) -> Callable[[], None]:
    """Print each new email once; the inbox is read only when SES's sent count moved. Moto unreachable for a
    moment (refused, reset, timed out) is logged and tried again on the next round."""
    from chalicelib.platform.aws.clients import aws_client
    from chalicelib.platform.logs import logger
    from local.inbox import fetch_emails
    from local.pump import TRANSIENT_ERRORS

    seen: set[str] = set()
    last_count = -1

    def print_new() -> None:
        nonlocal last_count
        try:
            count = int(aws_client("ses").get_send_quota()["SentLast24Hours"])
            if count == last_count:
                return
            emails = fetch_emails(moto_url)
        except (*TRANSIENT_ERRORS, requests.RequestException, ValueError) as error:
            logger.warning("email printer: moto unreachable; trying again on the next round",
                           extra={"error": type(error).__name__})
            return
        last_count = count
        for email in emails:
            if email.message_id in seen:
                continue
            seen.add(email.message_id)
            print(f"[email] to {', '.join(email.to)} from {email.sender}\n        subject: {email.subject}")
            for link in email.links:
                print(f"        link: {link}")
            if email.code():
                print(f"        code: {email.code()}")
            sys.stdout.flush()

    return print_new


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("PORTAL_MOTO_PORT", DEFAULT_MOTO_PORT)))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("PORTAL_API_PORT", DEFAULT_API_PORT)))
    parser.add_argument("--schedule-seconds", type=float, default=60.0, help="how often schedules fire")
    parser.add_argument("--count-aws-calls", action="store_true", help="X-Aws-Calls header on responses")
    parser.add_argument("--log-dir", type=Path, default=PROJECT_DIR / "build" / "logs")
    args = parser.parse_args(argv)

    for port in (args.moto_port, args.api_port):
        if not _port_free(port):
            print(f"Port {port} on {HOST} is in use. Stop what uses it, or pass --moto-port/--api-port "
                  "(or PORTAL_MOTO_PORT/PORTAL_API_PORT).", file=sys.stderr)
            return 2
    apply_local_environment(args.moto_port, args.api_port)
    stack = Stack(args.moto_port, args.api_port, args.log_dir)

    def stop_on_signal(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    try:
        stack.start_moto()
        from chalicelib.platform.config import get_settings
        from infrastructure.provision import provision
        from local.demo_data import DEFAULT_PLANADMIN_PASSWORD, load_demo_data

        settings = get_settings()
        provision(stage=settings.stage, region=settings.region, endpoint_url=settings.aws_endpoint_url,
                  sender_email=settings.sender_email)
        planadmin_password = os.environ.get("PORTAL_PLANADMIN_PASSWORD") or DEFAULT_PLANADMIN_PASSWORD
        counts = load_demo_data(planadmin_password)
        stack.start_api(args.count_aws_calls)

        from app import app
        from local.pump import EventPump

        pump = EventPump(app, schedule_every_seconds=args.schedule_seconds)
        print_new_emails = _email_printer(stack.moto_url)
        _print_banner(stack, counts, bool(os.environ.get("PORTAL_PLANADMIN_PASSWORD")))
        pump.run_apart(threading.Event())  # daemon threads: they end with the runner
        while True:
            print_new_emails()
            for process in stack.processes:
                if process.poll() is not None:
                    raise StartupFailed(f"a child process exited with code {process.returncode}")
            time.sleep(0.3)
    except KeyboardInterrupt:
        print("\nStopping the local stack...", flush=True)
        return 0
    except StartupFailed as error:
        print(f"The local stack failed: {error}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
