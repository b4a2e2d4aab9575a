"""moto's server, plus one read-only endpoint for the local inbox.

moto's own dump (/moto-api/data.json) serialises every object of every service; with the demo
data that is tens of thousands of DynamoDB items, slow and liable to fail while being written.
``GET /_local/inbox`` answers just the emails SES accepted, from the same backend.

Transactions cost what they touch, not what their tables hold (``local/moto_transactions.py``).
DynamoDB requests are served one at a time. moto's TransactWriteItems deep-copies each table
it touches and, when any part fails, puts the copies back: on a threaded server a concurrent
write could land in the copy being made (and fail the transaction) or be rolled away with it.
DynamoDB isolates transactions from other writes; serialising moto's DynamoDB calls gives the
local stack the same guarantee (SQS long polls and S3 stay concurrent).
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

from local import moto_queries, moto_transactions

INBOX_PATH = "/_local/inbox"
DYNAMODB_TARGET_PREFIX = "DynamoDB_"
_dynamodb_turn = threading.Lock()


def inbox_messages() -> list[dict[str, Any]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    messages = []
    for region, backend in ses_backends[DEFAULT_ACCOUNT_ID].items():
        for message in list(backend.sent_messages):
            messages.append({
                "id": message.id, "region": region, "source": message.source, "subject": message.subject,
                "body": message.body, "destinations": message.destinations,
            })
    return messages


def with_inbox(moto_app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == INBOX_PATH and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps(inbox_messages()).encode("utf-8")
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith(DYNAMODB_TARGET_PREFIX):
            with _dynamodb_turn:
                return list(moto_app(environ, start_response))
        return moto_app(environ, start_response)

    return application


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    moto_transactions.install()
    moto_queries.install()
    run_simple(args.host, args.port, with_inbox(DomainDispatcherApplication(create_backend_app)), threaded=True)


if __name__ == "__main__":
    main()
