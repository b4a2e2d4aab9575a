"""The local event pump and email printer survive moto refusing a connection: they log it and go on."""

from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError
from chalice.app import SQSEventConfig

from local import pump as pump_module
from local.pump import EventPump

URL = "http://127.0.0.1:5000/123456789012/portal-local-uploads"


class FlakySqs:
    """An SQS client whose first calls fail as a busy moto does, then hands out one message."""

    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.pending = [{"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": "{}"}]
        self.deleted: list[str] = []

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        self._maybe_fail()
        return {"QueueUrl": URL}

    def get_queue_attributes(self, **_: Any) -> dict[str, Any]:
        return {"Attributes": {"QueueArn": "arn:aws:sqs:us-east-1:123456789012:portal-local-uploads"}}

    def receive_message(self, **_: Any) -> dict[str, Any]:
        self._maybe_fail()
        messages, self.pending = self.pending, []
        return {"Messages": messages}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> None:
        self.deleted += [entry["ReceiptHandle"] for entry in Entries]


class FakeApp:
    def __init__(self) -> None:
        self.event_sources = [SQSEventConfig(name="process_uploaded_documents", handler_string="app.x",
                                             queue="portal-local-uploads", queue_arn=None, batch_size=1,
                                             maximum_batching_window_in_seconds=0, maximum_concurrency=None)]


@pytest.fixture
def delivered(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    monkeypatch.setattr(pump_module, "invoke", lambda app, name, event: calls.append((name, event)))
    return calls


def test_a_refused_connection_is_logged_and_the_next_round_delivers(monkeypatch, delivered, caplog):
    sqs = FlakySqs([EndpointConnectionError(endpoint_url=URL),
                    ConnectionClosedError(endpoint_url=URL)])
    monkeypatch.setattr(pump_module, "aws_client", lambda service: sqs)
    pump = EventPump(FakeApp(), schedule_every_seconds=3600)  # type: ignore[arg-type]
    pump._last_schedule_run = float("inf")  # no schedules in this test

    pump.tick()  # moto refuses the connection
    pump.tick()  # moto drops it mid-call
    assert delivered == []
    assert "AWS (moto) unreachable" in caplog.text
    pump.tick()  # moto is back
    assert [name for name, _ in delivered] == ["process_uploaded_documents"]
    assert delivered[0][1]["Records"][0]["messageId"] == "m-1"
    assert sqs.deleted == ["r-1"]


def test_a_failing_schedule_is_logged_and_the_others_still_fire(monkeypatch, caplog):
    fired: list[str] = []

    def invoke(app: Any, name: str, event: Any) -> None:
        if name == "broken":
            raise RuntimeError("schedule blew up")
        fired.append(name)

    monkeypatch.setattr(pump_module, "invoke", invoke)
    monkeypatch.setattr(pump_module, "scheduled_event", lambda app, name, now: {})
    monkeypatch.setattr(EventPump, "schedules", lambda self: [type("S", (), {"name": n})() for n in
                                                             ("broken", "sweep_email_outbox")])
    pump = EventPump(FakeApp())  # type: ignore[arg-type]
    monkeypatch.setattr(pump_module.wiring, "current", lambda: type("W", (), {"now": lambda self: None})())
    assert pump.fire_schedules() == 1
    assert fired == ["sweep_email_outbox"]
    assert "schedule handler failed" in caplog.text


def test_the_email_printer_survives_moto_being_unreachable(monkeypatch, capsys, caplog):
    from chalicelib.platform.aws import clients
    from local import inbox, run

    failures = [EndpointConnectionError(endpoint_url=URL)]

    class Ses:
        def get_send_quota(self) -> dict[str, float]:
            if failures:
                raise failures.pop(0)
            return {"SentLast24Hours": 1.0}

    email = type("E", (), {"message_id": "e-1", "to": ["a@example.org"], "sender": "webmaster <x@example.org>",
                           "subject": "Activate Your Provider Portal Account", "links": ["http://127.0.0.1/x"],
                           "code": lambda self: None})()
    monkeypatch.setattr(clients, "aws_client", lambda service: Ses())
    monkeypatch.setattr(inbox, "fetch_emails", lambda url: [email])
    print_new = run._email_printer("http://127.0.0.1:5000")
    print_new()  # refused: logged, nothing printed
    assert "[email]" not in capsys.readouterr().out
    assert "email printer: moto unreachable" in caplog.text
    print_new()
    assert "subject: Activate Your Provider Portal Account" in capsys.readouterr().out


def test_the_email_printer_shows_a_practice_code(monkeypatch, capsys):
    """A person running `make run` reads the practice's one-time code on the console, as from its mailbox."""
    from chalicelib.platform.aws import clients
    from local import inbox, run
    from local.inbox import Email

    body = "<p>They enter it on the Confirm your practice page: 042917</p><a href=\"http://127.0.0.1/c\">x</a>"
    email = Email("e-2", "webmaster <x@example.org>", ("office@example.org",), "Confirm", body)
    monkeypatch.setattr(clients, "aws_client", lambda service: type("S", (), {
        "get_send_quota": lambda self: {"SentLast24Hours": 1.0}})())
    monkeypatch.setattr(inbox, "fetch_emails", lambda url: [email])
    run._email_printer("http://127.0.0.1:5000")()
    printed = capsys.readouterr().out
    assert "link: http://127.0.0.1/c" in printed
    assert "code: 042917" in printed
