"""Serve the Chalice app over HTTP on 127.0.0.1, as `chalice local` does, with the runner's ports.

`chalice local` would overwrite the endpoint variables with config.json's fixed ones;
this loads the app through the same Chalice factory with the runner's environment.
With --count-aws-calls each response says how many AWS calls it made (X-Aws-Calls) and how
many DynamoDB items those calls read (X-Dynamo-Items-Read: what a Query or Scan examined
before any filter, what a GetItem, BatchGetItem or TransactGetItems returned), for
`make bench`; the application code knows nothing of it.

The server answers each request on its own thread. Chalice keeps the current request on the
app object; `chalice local` makes that attribute thread-local by swapping the app's class
(chalice.local.create_local_server), and so does this, else concurrent requests read each
other's headers and bodies.
"""

from __future__ import annotations

import argparse
import functools
import threading
from typing import Any

from chalice.app import Chalice
from chalice.cli.factory import CLIFactory
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
    RouteMatcher,
)

from local.environment import HOST, LOCAL_STAGE, PROJECT_DIR, apply_local_environment

_calls = threading.local()
UNKNOWN_ROUTE = "-"


def dynamo_items_read(operation_name: str, result: Any) -> int:
    """Items a DynamoDB call read: what moto's speed cannot hide (a Scan or a partition walk shows here)."""
    if not isinstance(result, dict):
        return 0
    if operation_name in ("Query", "Scan"):
        return int(result.get("ScannedCount", result.get("Count", 0)))
    if operation_name == "GetItem":
        return 1 if "Item" in result else 0
    if operation_name == "BatchGetItem":
        return sum(len(items) for items in result.get("Responses", {}).values())
    if operation_name == "TransactGetItems":
        return len(result.get("Responses", []))
    return 0


def _count_aws_calls() -> None:
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def counted(self: Any, operation_name: str, api_params: Any) -> Any:
        _calls.count = getattr(_calls, "count", 0) + 1
        result = original(self, operation_name, api_params)
        _calls.items = getattr(_calls, "items", 0) + dynamo_items_read(operation_name, result)
        return result

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    original_handle = LocalGateway.handle_request

    def handle_request(self: Any, *args: Any, **kwargs: Any) -> Any:
        _calls.count, _calls.items = 0, 0
        response = original_handle(self, *args, **kwargs)
        headers = response.setdefault("headers", {})
        headers["X-Aws-Calls"] = str(_calls.count)
        headers["X-Dynamo-Items-Read"] = str(_calls.items)
        return response

    LocalGateway.handle_request = handle_request  # type: ignore[method-assign]


@functools.cache
def route_matcher(app: Chalice) -> RouteMatcher:
    return RouteMatcher(list(app.routes))


def route_template(matcher: RouteMatcher, path: str) -> str:
    """The route a path matched (``/members/{memberId}``), or "-" for none; never the path or its query."""
    try:
        return matcher.match_route(path).route
    except ValueError:
        return UNKNOWN_ROUTE


class RequestHandler(ChaliceRequestHandler):
    """Chalice's handler writes headers and body in separate sends; with Nagle's algorithm on,
    every response then waits ~40 ms for a delayed ACK. API Gateway has no such wait."""

    disable_nagle_algorithm = True

    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Chalice, config: Any) -> None:
        self.routes = route_matcher(app_object)
        super().__init__(request, client_address, server, app_object, config)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The access log names the route template, not the path: paths carry member IDs and query strings
        tokens, names and birth dates."""
        self.log_message('"%s %s" %s', self.command, route_template(self.routes, self.path), str(code))


def isolate_requests(app: Chalice) -> Chalice:
    """Give ``app`` a thread-local ``current_request``, as chalice.local.create_local_server does
    (which takes no handler class, so it is not called here)."""
    if not isinstance(app, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moto-port", type=int, required=True)
    parser.add_argument("--api-port", type=int, required=True)
    parser.add_argument("--count-aws-calls", action="store_true")
    args = parser.parse_args()
    env = apply_local_environment(args.moto_port, args.api_port)
    if args.count_aws_calls:
        _count_aws_calls()
    factory = CLIFactory(project_dir=str(PROJECT_DIR))
    config = factory.create_config_obj(chalice_stage_name=LOCAL_STAGE)
    app = isolate_requests(factory.load_chalice_app(env))
    LocalDevServer(app, config, HOST, args.api_port, handler_cls=RequestHandler).serve_forever()


if __name__ == "__main__":
    main()
