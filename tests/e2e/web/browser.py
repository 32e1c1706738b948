"""Debian's Chromium driven by Playwright, and what every page visit checks.

`look(page, name)` is a person's glance at a page: no stack trace anywhere, no serious or
critical axe-core violation (axe is run from the vendored `axe.min.js`), and a
screenshot in `tests/artifacts/screenshots/`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).with_name("axe.min.js")
SCREENSHOTS = Path(__file__).parents[2] / "artifacts" / "screenshots"
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(" ")).join(", ")})`);
}"""


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None


@contextmanager
def browser(user_data_dir: Path) -> Iterator[BrowserContext]:
    """Headless Chromium with a fresh profile (a new user-data dir), desktop sized."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(user_data_dir),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()


def look(page: Page, name: str | None = None) -> None:
    """What every visited page must pass; `name` also saves a screenshot."""
    text = page.content()
    assert "Traceback" not in text and 'File "' not in text, f"stack trace on {page.url}"
    # Evaluated by the driver: the pages' CSP refuses an injected inline <script>.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    violations = page.evaluate(SERIOUS)
    assert violations == [], f"{page.url}: {violations}"
    if name:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
