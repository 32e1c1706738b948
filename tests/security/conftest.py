from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.ops_stack import LiveOps, live_ops
from tests.support.live import LivePair, live_pair


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[LivePair]:
    # Refused answers come at once here; bench/security.py measures the delay's effect.
    with live_pair(tmp_path, refused_answer_delay_seconds=0) as running:
        yield running


@pytest.fixture
def ops(tmp_path: Path, pair: LivePair) -> Iterator[LiveOps]:
    """Ops watching the pair, on its own loopback port."""
    with live_ops(tmp_path, pair) as running:
        yield running
