"""Test settings are fixed before anything imports chalicelib (settings are read once).

They are the "test" stage of .chalice/config.json: the same place every stage's
settings live. argon2id runs there with small costs: the same code, less time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from local.environment import stage_environment

if TYPE_CHECKING:
    from tests.support.local_stack import LocalStack

os.environ.update(stage_environment("test"))
os.environ.pop("PORTAL_AWS_ENDPOINT_URL", None)

# The area tests' fixtures (tests/<area>/): moto in-process and the page client. The e2e and browser
# conftests give `stack` (and `browser`) their own meaning: the running local stack, Chromium.
from tests.support.logs import *  # noqa: F403
from tests.support.moto import *  # noqa: F403
from tests.support.pages import *  # noqa: F403

MOTO_FIXTURES = frozenset({"stack", "aws"})
FIRST = ("test_bench_finishes.py",)
"""Files that run first: the bench boots a stack of its own and runs for minutes; started last, one worker ran it
alone while the other had finished (minutes of the suite's wall time); started first, the rest overlaps it."""


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`moto` marks the tests that run on the moto stack, so `make unit` can leave them out; the long ones first."""
    for item in items:
        if "e2e" not in item.path.parts and "browser" not in item.path.parts and \
                MOTO_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.moto)
    items.sort(key=lambda item: item.path.name not in FIRST)  # stable: the rest keep their order


@pytest.fixture(scope="session")
def shared_local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The local stack `make run` starts, on free ports: one per run, shared by the xdist workers
    (tests/support/local_stack.py).

    The e2e and browser tests ask for it as `stack` (their conftests); the area tests' `stack` is moto in-process.
    To write a journey against a stack already running (`make run`: minutes saved per try), set
    PORTAL_TEST_API_URL=http://127.0.0.1:8000 and PORTAL_TEST_MOTO_URL=http://127.0.0.1:5000.
    """
    from local.launcher import StackDidNotStart
    from tests.support.local_stack import LocalStack, shared_stack

    if os.environ.get("PORTAL_TEST_API_URL"):
        running = LocalStack(api_url=os.environ["PORTAL_TEST_API_URL"], moto_url=os.environ["PORTAL_TEST_MOTO_URL"])
        running.remember_demo_devices()
        running.share_devices()
        yield running
        return

    shared_dir = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else None
    try:
        with shared_stack(shared_dir) as running:
            yield running
    except StackDidNotStart as error:
        pytest.fail(str(error))
