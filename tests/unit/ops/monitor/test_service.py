"""The monitor's loop ticks on the interval's grid, so rounds are exactly one interval
apart even when a round takes time, and an overrunning round skips missed grid points."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from jwtpizza.clock import FakeClock
from jwtpizza.ops.monitor.service import run_every


async def test_ticks_sit_on_the_grid_and_overruns_skip() -> None:
    clock = FakeClock(datetime(2026, 11, 25, 12, 0, 3, 250_000, tzinfo=UTC))
    ticks: list[int] = []

    async def tick(t_ms: int) -> None:
        ticks.append(t_ms)
        clock.advance(0.123 if len(ticks) != 3 else 11.0)  # the third round overruns
        if len(ticks) == 5:
            raise asyncio.CancelledError

    with contextlib.suppress(asyncio.CancelledError):
        await run_every(clock, 5.0, tick, name="test")
    base = int(datetime(2026, 11, 25, 12, 0, 5, tzinfo=UTC).timestamp() * 1000)
    assert [t - base for t in ticks] == [0, 5000, 10000, 25000, 30000]
