"""Browser tests need Debian's Chromium (scripts/test installs it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.e2e.web.browser import browser, chromium_available
from tests.e2e.web.stack import Stack, running_stack


@pytest.fixture
def context(tmp_path: Path) -> Iterator[BrowserContext]:
    if not chromium_available():
        pytest.fail("Debian's chromium is not installed (scripts/test installs it)")
    with browser(tmp_path / "profile") as ctx:
        yield ctx


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One service and factory for the tests of a module (each test uses its own accounts)."""
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running
