"""moto's server, plus one read-only endpoint for the local inbox.

moto's own dump (/moto-api/data.json) serialises every object of every service; with the demo
data that is tens of thousands of DynamoDB items, slow and liable to fail while being written.
``GET /_local/inbox`` answers just the emails SES accepted, from the same backend.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from typing import Any

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

INBOX_PATH = "/_local/inbox"


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
        return moto_app(environ, start_response)

    return application


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    run_simple(args.host, args.port, with_inbox(DomainDispatcherApplication(create_backend_app)), threaded=True)


if __name__ == "__main__":
    main()
