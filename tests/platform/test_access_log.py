"""The access log names route templates: never a member ID from the path, nor a query string's names and birth dates,
in the app's own line (every response, ``edge``) or in the local server's."""

from __future__ import annotations

import logging

import pytest

from chalicelib.platform.logs import logger
from local.api_server import RequestHandler, route_matcher

MEMBER_ID = "10000000001"


def every_field(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(" ".join(f"{name}={value}" for name, value in vars(record).items()) for record in caplog.records)


def access_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.getMessage() == "request"]


def test_a_member_read_logs_its_route_template_not_the_member_id(api, token_for, members, caplog):
    token = token_for("demo.jdoe")
    caplog.set_level(logging.INFO, logger=logger.name)
    caplog.clear()
    response = api.get(f"/members/{MEMBER_ID}", token=token)
    assert response.status_code == 200, response.body
    assert MEMBER_ID in response.body.decode()
    [line] = access_lines(caplog)
    assert (line.method, line.route, line.status) == ("GET", "/members/{memberId}", 200)
    assert MEMBER_ID not in every_field(caplog)


def test_names_and_birth_dates_in_a_query_string_are_refused_and_logged_nowhere(api, token_for, members, caplog):
    token = token_for("demo.jdoe")
    caplog.set_level(logging.DEBUG, logger=logger.name)
    caplog.clear()
    response = api.get("/members/eligibility?lastName=Rivera&firstName=Ava&birthDate=1990-04-12"
                       "&dateOfService=2031-11-23", token=token)
    assert (response.status_code, set(response.data["fields"])) == (400, {"lastName", "firstName", "birthDate"})
    [line] = access_lines(caplog)
    assert line.route == "/members/eligibility"
    logged = every_field(caplog)
    for detail in ("Rivera", "1990-04-12", "lastName", "birthDate"):
        assert detail not in logged


class QuietHandler(RequestHandler):
    """The local server's handler without a socket: what it would write to the console, captured."""

    def __init__(self, app, command: str, path: str) -> None:
        self.routes = route_matcher(app)
        self.command, self.path = command, path
        self.written: list[str] = []

    def log_message(self, format: str, *args: object) -> None:
        self.written.append(format % args)


@pytest.mark.parametrize(("path", "logged"), [
    (f"/members/{MEMBER_ID}", '"GET /members/{memberId}" 200'),
    ("/members/eligibility?lastName=Rivera&birthDate=1990-04-12", '"GET /members/eligibility" 200'),
    (f"/prior-auths/PA3111230000001/documents?member={MEMBER_ID}",
     '"GET /prior-auths/{authorizationNumber}/documents" 200'),
    ("/no/such/route", '"GET -" 200'),
])
def test_the_local_servers_access_log_names_the_route_template(app, path, logged):
    handler = QuietHandler(app, "GET", path)
    handler.log_request(200)
    assert handler.written == [logged]
