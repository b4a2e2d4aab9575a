"""No answer, and no amount of AWS work, tells a username or email that has an account from one that has none;
no live token sits in plaintext in the outbox or on the queue."""

from __future__ import annotations

import json

import pytest

from chalicelib.emails import outbox
from chalicelib.emails.store import OutboxMessageModel
from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.aws.queue import queue_url
from tests.support.moto import login, registration, sent_emails, token_from


@pytest.mark.parametrize(("path", "known"), [("/auth/forgot-password", "jdoe.office"),
                                             ("/auth/resend-activation", "pending.user")])
def test_known_and_unknown_usernames_cost_the_same_aws_calls(api, active_user, aws_calls, path, known):
    active_user()
    assert api.post("/auth/register", registration(username="pending.user", email="pending@example.org")) \
        .status_code == 201
    aws_calls.clear()
    known_answer = api.post(path, {"username": known})
    known_calls = list(aws_calls)
    aws_calls.clear()
    unknown_answer = api.post(path, {"username": "no.such.user"})
    assert (known_answer.status_code, known_answer.data) == (unknown_answer.status_code, unknown_answer.data)
    assert known_calls == aws_calls
    assert "SendMessage" in known_calls


def _queued_bodies() -> list[str]:
    sqs = aws_client("sqs")
    received = sqs.receive_message(QueueUrl=queue_url(outbox.EMAIL_QUEUE), MaxNumberOfMessages=10,
                                   VisibilityTimeout=0)
    return [message["Body"] for message in received.get("Messages", [])]


def test_no_outbox_row_nor_queued_message_holds_a_token_and_the_emailed_links_work(api, pump, monkeypatch):
    rows: list[str] = []
    original_save = OutboxMessageModel.save

    def recording_save(self, *args, **kwargs):  # what every outbox row held when written
        rows.append(json.dumps(self.payload))
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(OutboxMessageModel, "save", recording_save)
    monkeypatch.setattr(outbox, "publish", lambda messages: 0)  # rows stay put: the sweep would enqueue them
    assert api.post("/auth/register", registration()).status_code == 201
    rows.extend(json.dumps(row.payload) for row in OutboxMessageModel.pending_messages.query("PENDING"))
    monkeypatch.undo()
    for row in rows:
        assert "token" not in row, row
        assert "http" not in row, row

    assert api.post("/auth/register", registration(username="second.user", email="second@example.org")) \
        .status_code == 201
    bodies = _queued_bodies()
    assert bodies
    for body in bodies:
        assert "token" not in body, body
        assert "http" not in body, body
        assert set(json.loads(body)) <= {"outboxId", "accountEmail", "username", "email"}
    pump.drain_queues()
    activation = [e for e in sent_emails() if e["to"] == ["second@example.org"]][-1]
    assert api.post("/auth/activate", {"token": token_from(activation)}).status_code == 200
    pump.drain_queues()

    assert api.post("/auth/forgot-password", {"username": "second.user"}).status_code == 202
    for body in _queued_bodies():
        assert "token" not in body, body
        assert "http" not in body, body
    pump.drain_queues()
    reset = [e for e in sent_emails() if "Password" in e["subject"]][-1]
    new_password = "Copper-Kettle-Ridge-7?"
    assert api.post("/auth/reset-password", {"token": token_from(reset), "password": new_password}).status_code == 200
    assert login(api, "second.user", new_password)


def test_a_redelivered_account_email_mints_no_second_link(api, pump):
    from chalicelib.accounts.store import OneTimeTokenModel

    assert api.post("/auth/register", registration()).status_code == 201
    [body] = _queued_bodies()
    aws_client("sqs").send_message(QueueUrl=queue_url(outbox.EMAIL_QUEUE), MessageBody=body)  # delivered twice
    assert pump.drain_queues() == 2
    assert len(sent_emails()) == 1
    assert len(list(OneTimeTokenModel.scan())) == 1  # a test may scan: one live token, the one emailed


def test_an_unknown_username_answers_exactly_like_a_known_one_through_and_past_the_lock(api, active_user, clock):
    active_user()

    def answers(username: str) -> list[tuple[int, object]]:
        replies = [api.post("/auth/login", {"username": username, "password": f"Wrong-{i}-Pass!"}) for i in range(7)]
        return [(reply.status_code, reply.data) for reply in replies]

    known, unknown = answers("jdoe.office"), answers("no.such.user")
    assert known == unknown
    assert [status for status, _ in known] == [401] * 4 + [423] * 3
    clock.advance(hours=24, seconds=1)  # both locks lapse alike
    assert answers("jdoe.office")[0] == answers("no.such.user")[0] == known[0]


def test_failures_of_an_unknown_username_create_no_account(api):
    from chalicelib.accounts.store import AccountModel, account_key

    for i in range(6):
        api.post("/auth/login", {"username": "no.such.user", "password": f"Wrong-{i}-Pass!"})
    with pytest.raises(AccountModel.DoesNotExist):
        AccountModel.get(account_key("no.such.user"))
