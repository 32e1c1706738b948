from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.support import LivePair, live_pair


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[LivePair]:
    with live_pair(tmp_path) as running:
        yield running
