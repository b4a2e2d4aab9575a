"""The browser test helpers: Debian's Chromium under Playwright, axe-core, screenshots, keyboard-only steps.

Every page and every error state a journey reaches goes through `check_page` (the fixture of the
same name binds the test's name): axe-core under the WCAG 2.0/2.1 A and AA tags (serious or
critical violations fail, minor and moderate ones are reported as warnings), a full-page
screenshot at 1280 and at 375 px into build/screenshots/, and no horizontal scroll at 375 px.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page

from local.environment import PROJECT_DIR

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_CHROMIUM = "apt-get update && apt-get install -y chromium"
# Headless, and none of Chromium's own background connections: this closed network refuses them.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = PROJECT_DIR / "build" / "screenshots"
DESKTOP, PHONE = 1280, 375
WINDOW_HEIGHT = {DESKTOP: 800, PHONE: 812}
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = frozenset({"serious", "critical"})

_AXE = Axe()


class AccessibilityWarning(UserWarning):
    """axe-core found minor or moderate violations: reported, not failed."""


def assert_accessible(page: Page, label: str) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; fail on any serious or critical violation. Returns all violations."""
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA_TAGS},
                                      "resultTypes": ["violations"]})
    violations: list[dict[str, Any]] = results.response["violations"]
    report = describe_violations(violations)
    failing = [violation for violation in violations if violation.get("impact") in FAILING_IMPACTS]
    assert not failing, f"{label} ({page.url}): {len(failing)} serious or critical axe violations\n{report}"
    if violations:
        warnings.warn(f"{label} ({page.url}): minor or moderate axe violations\n{report}", AccessibilityWarning,
                      stacklevel=2)
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} {violation['helpUrl']}")
        lines.extend(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}" for node in violation["nodes"])
    return "\n".join(lines)


def screenshot_name(test: str, label: str, width: int) -> str:
    return f"{_slug(test)}-{_slug(label)}-{width}.png"


def take_screenshots(page: Page, test: str, label: str) -> list[Path]:
    """Full-page screenshots at 1280 and 375 px wide; fails when the page scrolls sideways at 375 px."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    saved = []
    try:
        for width in (DESKTOP, PHONE):
            page.set_viewport_size({"width": width, "height": WINDOW_HEIGHT[width]})
            path = SCREENSHOTS / screenshot_name(test, label, width)
            page.screenshot(path=path, full_page=True)
            saved.append(path)
        scroll_width, client_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll_width <= client_width, (
            f"{label} ({page.url}) scrolls sideways at {PHONE} px: {scroll_width} px wide in {client_width} px; "
            f"see {saved[-1]}")
    finally:
        if original:
            page.set_viewport_size(original)
    return saved


def check_page(page: Page, test: str, label: str) -> None:
    """What every page and error state gets: axe-core, both screenshots, no sideways scroll at 375 px."""
    assert_accessible(page, label)
    take_screenshots(page, test, label)


class KeyboardOnly:
    """Tab, Shift+Tab, Enter, Space and typing only: no mouse, no locator.click() or fill().

    Targets are Playwright locators (get_by_label, get_by_role) used only to know when focus
    arrived, so a journey also proves the tab order reaches each control.
    """

    def __init__(self, page: Page, max_tabs: int = 40) -> None:
        self.page = page
        self.max_tabs = max_tabs

    def tab_to(self, target: Locator) -> None:
        target.wait_for()
        visited = []
        for _ in range(self.max_tabs):
            self.page.keyboard.press("Tab")
            if target.evaluate("element => element === document.activeElement"):
                return
            visited.append(self.page.evaluate(_DESCRIBE_FOCUS))
        raise AssertionError(f"Tab never reached {target} in {self.max_tabs} presses; focus went: {visited}")

    def type_into(self, target: Locator, text: str) -> None:
        self.tab_to(target)
        self.page.keyboard.type(text)

    def press(self, target: Locator, key: str = "Enter") -> None:
        """Tab to a button, link or control and press Enter (or Space, ArrowDown ...)."""
        self.tab_to(target)
        self.page.keyboard.press(key)


_DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "body";
  const name = el.getAttribute("aria-label") || (el.labels && el.labels[0] && el.labels[0].textContent)
    || el.textContent || el.getAttribute("name") || "";
  return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " + name.trim().slice(0, 40);
}"""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "-", text).strip("-") or "page"
