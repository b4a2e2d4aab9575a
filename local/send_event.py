"""Deliver one sample of events/ to its handler, against a running `make run` stack (`make send-event`).

    make send-event EVENT=schedule-outbox-sweep
    make send-event EVENT=sqs-exports VALUES='exportId=0b5c...'

The stage, the documents bucket and the time (now) come from the stack; every other placeholder
from VALUES (space-separated name=value; a value given there wins). It calls the handler in this
process, as `make fire-schedules` does, on the stack's moto, and prints the handler, what it
logged and whether it raised. Whatever the handler puts on a queue, the stack's pump delivers.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from local.environment import DEFAULT_API_PORT, DEFAULT_MOTO_PORT, apply_local_environment

_RECORD_FIELDS = {*logging.makeLogRecord({}).__dict__, "message", "asctime"}


class _Collected(logging.Handler):
    """The records the handler logs while it runs, to say afterwards what it did."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def parse_values(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise ValueError(f"not name=value: {pair!r}")
        values[name] = value
    return values


def describe(record: logging.LogRecord) -> str:
    extras = " ".join(f"{key}={value}" for key, value in record.__dict__.items() if key not in _RECORD_FIELDS)
    line = f"  {record.levelname.lower()}: {record.getMessage()}" + (f" ({extras})" if extras else "")
    if record.exc_info and record.exc_info[1] is not None:
        line += f" [{type(record.exc_info[1]).__name__}: {record.exc_info[1]}]"
    return line


def _list_events() -> None:
    from local import events

    stack = set(events.stack_values())
    print("usage: make send-event EVENT=<name> [VALUES='name=value ...']", file=sys.stderr)
    for name in events.event_names():
        needs = [value for value in events.placeholders(name) if value not in stack]
        print(f"  {name}" + (f"  VALUES='{' '.join(f'{value}=...' for value in needs)}'" if needs else ""),
              file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("event", nargs="?", help="a file name of events/, without .json")
    parser.add_argument("values", nargs="*", metavar="name=value")
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("PORTAL_MOTO_PORT", DEFAULT_MOTO_PORT)))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("PORTAL_API_PORT", DEFAULT_API_PORT)))
    args = parser.parse_args(argv)
    apply_local_environment(args.moto_port, args.api_port)
    from local import events

    if not args.event:
        _list_events()
        return 2
    try:
        event = events.load_event(args.event, **{**events.stack_values(), **parse_values(args.values)})
    except (events.UnknownEvent, events.MissingValues, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    from app import app
    from chalicelib.platform.logs import logger

    try:
        handler = events.handler_for(app, event)
    except events.NoHandler as error:
        print(error, file=sys.stderr)
        return 2
    collected = _Collected()
    portal_logger = logging.getLogger(logger.name)
    portal_logger.addHandler(collected)
    print(f"{args.event} -> {handler}")
    try:
        events.invoke(app, handler, event)
    except Exception as error:  # noqa: BLE001 - reported, as Lambda would report a failed invocation
        outcome, code = f"{handler} raised {type(error).__name__}: {error}", 1
    else:
        outcome, code = f"{handler} returned", 0
    finally:
        portal_logger.removeHandler(collected)
    print("\n".join(describe(record) for record in collected.records) or "  (it logged nothing)")
    print(outcome)
    return code


if __name__ == "__main__":
    sys.exit(main())
