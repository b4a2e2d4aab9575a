"""A view that declares ``request`` gets its own request's headers and body, read once on arrival.

The routes here live on an app of their own (no AWS, no authentication); the contracts they
add for /openapi.json are taken out again so the portal's document stays as it is.
"""

import dataclasses
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client

from chalicelib.platform.web import api as web_api
from local.api_server import isolate_requests
from local.environment import PROJECT_DIR

RACERS = 4


@dataclasses.dataclass
class EchoApp:
    app: Chalice
    seen: list[Any]
    barrier: threading.Barrier


@pytest.fixture
def echo() -> Iterator[EchoApp]:
    contracts = list(web_api.ROUTE_CONTRACTS)
    app = Chalice(app_name="request-info-test")
    routes = Blueprint(__name__)
    state = EchoApp(app, [], threading.Barrier(RACERS, timeout=10))

    @web_api.api_route(routes, "/echo", permission=None, method="POST", summary="Echo", tag="Test", auth=False)
    def echo_view(request: web_api.RequestInfo) -> dict[str, Any]:
        state.seen.append(request)
        return {"key": request.headers.get("Idempotency-Key"), "body": request.body.decode(),
                "query": dict(request.query_params), "correlationId": request.correlation_id}

    @web_api.api_route(routes, "/race", permission=None, method="POST", summary="Race", tag="Test", auth=False)
    def race_view(request: web_api.RequestInfo) -> dict[str, Any]:
        state.barrier.wait()  # every racer's request has now arrived: the app-wide one is the last racer's
        return {"key": request.headers["idempotency-key"], "body": request.body.decode(),
                "appKey": app.current_request.headers.get("idempotency-key")}

    @web_api.api_route(routes, "/plain", permission=None, summary="Plain", tag="Test", auth=False)
    def plain_view(**kwargs: Any) -> dict[str, Any]:
        return {"arguments": sorted(kwargs)}

    app.register_blueprint(routes)
    yield state
    web_api.ROUTE_CONTRACTS[:] = contracts


def _post(client: Client, path: str, key: str, body: str) -> Any:
    response = client.http.post(path, headers={"Content-Type": "application/json", "Idempotency-Key": key,
                                               "X-Correlation-Id": f"corr-{key}"}, body=body)
    assert response.status_code == 200, response.body
    return json.loads(response.body)


def test_a_view_declaring_request_gets_the_headers_and_body_of_its_own_request(echo):
    with Client(echo.app, stage_name="test", project_dir=str(PROJECT_DIR)) as client:
        first = _post(client, "/echo?page=2", "key-one", '{"n": 1}')
        second = _post(client, "/echo", "key-two", '{"n": 2}')
    assert first == {"key": "key-one", "body": '{"n": 1}', "query": {"page": "2"}, "correlationId": "corr-key-one"}
    assert second == {"key": "key-two", "body": '{"n": 2}', "query": {}, "correlationId": "corr-key-two"}
    request = echo.seen[0]
    assert request.headers["IDEMPOTENCY-KEY"] == request.headers["idempotency-key"] == "key-one"
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.body = b"{}"
    with pytest.raises(TypeError):
        request.headers["idempotency-key"] = "another"  # type: ignore[index]
    assert "key-one" not in repr(request.headers)


def test_a_view_that_does_not_declare_request_is_not_given_one(echo):
    with Client(echo.app, stage_name="test", project_dir=str(PROJECT_DIR)) as client:
        response = client.http.get("/plain")
    assert json.loads(response.body) == {"arguments": []}


@pytest.mark.parametrize("isolated", [False, True], ids=["shared-app", "thread-local-app"])
def test_concurrent_requests_each_keep_their_own_request(echo, isolated):
    """All racers wait inside their views until every one has arrived, as on the threaded local server.

    The view's ``request`` is its own either way; Chalice's app-wide request is the last arrival's
    unless the app is made thread-local, as local/api_server.py does.
    """
    if isolated:
        isolate_requests(echo.app)
    with Client(echo.app, stage_name="test", project_dir=str(PROJECT_DIR)) as client:
        answers: dict[int, Any] = {}

        def race(number: int) -> None:
            answers[number] = _post(client, "/race", f"racer-{number}", json.dumps({"racer": number}))

        threads = [threading.Thread(target=race, args=(number,)) for number in range(RACERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
    assert sorted(answers) == list(range(RACERS))
    for number, answer in answers.items():
        assert (answer["key"], json.loads(answer["body"])) == (f"racer-{number}", {"racer": number})
    app_keys = [answer["appKey"] for answer in answers.values()]
    if isolated:
        assert app_keys == [f"racer-{number}" for number in answers]
    else:
        assert len(set(app_keys)) == 1
