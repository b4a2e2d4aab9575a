"""Another office's object answers exactly as a missing one (the same bytes), and only a security event tells them
apart: who, which route template, what kind of object; never the ID or the member."""

from __future__ import annotations

import json
import logging
from typing import Any

from chalicelib.platform.logs import logger
from tests.support.logs import take_json_lines

CROSS_OFFICE_READ = "CROSS_OFFICE_READ"
INDIANA_MEMBER = "10000000001"
NO_SUCH_MEMBER = "10000000099"
PROBE = {"X-Correlation-Id": "probe-1"}


def answer(response: Any) -> tuple[int, dict[str, str], bytes]:
    return response.status_code, dict(response.headers), response.body


def security_events(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("event") == CROSS_OFFICE_READ]


def test_another_states_member_answers_as_a_missing_one_and_writes_a_security_event(api, token_for, members,
                                                                                     caplog, emitted_json_logs):
    ohio = token_for("demo.buckeye")
    caplog.set_level(logging.INFO, logger=logger.name)
    take_json_lines(emitted_json_logs)
    withheld = api.get(f"/members/{INDIANA_MEMBER}", token=ohio, headers=PROBE)
    withheld_lines = take_json_lines(emitted_json_logs)
    missing = api.get(f"/members/{NO_SUCH_MEMBER}", token=ohio, headers=PROBE)
    assert security_events(take_json_lines(emitted_json_logs)) == []
    assert withheld.status_code == 404
    assert answer(withheld) == answer(missing)
    [event] = security_events(withheld_lines)
    assert {name: event[name] for name in ("level", "username", "role", "object_kind", "route", "correlation_id")} == {
        "level": "WARNING", "username": "demo.buckeye", "role": "PROVIDER_USER", "object_kind": "member",
        "route": "/members/{memberId}", "correlation_id": "probe-1"}
    assert event["timestamp"]
    assert INDIANA_MEMBER not in json.dumps(withheld_lines)
    assert api.get(f"/members/{INDIANA_MEMBER}", token=token_for("demo.jdoe")).status_code == 200
