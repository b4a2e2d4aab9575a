"""The e2e tests drive the local stack `make run` starts, on free ports, over HTTP.

It is one stack per run, shared with the browser tests and across the xdist workers (tests/support/local_stack.py).
"""

import pytest

from tests.support.local_stack import LocalStack


@pytest.fixture(scope="session")
def stack(shared_local_stack: LocalStack) -> LocalStack:
    return shared_local_stack
