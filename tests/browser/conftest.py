"""Browser fixtures: the run's local stack, one headless Debian Chromium per worker, a fresh context per test.

A journey asks for `stack` (the running portal: `stack.api_url`, `stack.call` for setup over the
JSON API, `stack.wait_for_link` for the emailed links), `page` (a new browser context: no cookies,
no storage), `check_page` (axe-core + screenshots + no sideways scroll, named after the test) and
`keyboard` (Tab/Enter/typing only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, DESKTOP, INSTALL_CHROMIUM, WINDOW_HEIGHT, KeyboardOnly
from tests.browser.harness import check_page as check
from tests.support.local_stack import LocalStack

TIMEOUT_MS = 10_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's Chromium against the local stack (tests/browser)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in item.path.parent.parts[-1:]:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def stack(shared_local_stack: LocalStack) -> LocalStack:
    return shared_local_stack


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"The browser tests drive Debian's Chromium at {CHROMIUM}: run `{INSTALL_CHROMIUM}` "
                    "(as root; `make test` does it when it can). Never `playwright install`.")
    launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser, stack: LocalStack) -> Iterator[Page]:
    """A page in a new context (fresh cookies and storage) on the stack; relative goto() paths work.

    It fails the test on an uncaught script error or a Content-Security-Policy refusal.
    """
    context = browser.new_context(base_url=stack.api_url, viewport={"width": DESKTOP, "height": WINDOW_HEIGHT[DESKTOP]},
                                  accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    opened.on("console", on_console)
    yield opened
    context.close()
    assert not problems, "the page reported:\n" + "\n".join(problems)


@pytest.fixture
def check_page(request: pytest.FixtureRequest) -> Callable[[Page, str], None]:
    """check_page(page, "label"): axe-core, build/screenshots/<test>-<label>-{1280,375}.png, no sideways scroll."""

    def run(page: Page, label: str) -> None:
        check(page, request.node.name, label)

    return run


@pytest.fixture
def keyboard(page: Page) -> KeyboardOnly:
    return KeyboardOnly(page)
