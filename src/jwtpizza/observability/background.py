"""A periodic background task (Loki and OTLP pushes) that never lets an error escape."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from jwtpizza.clock import Clock
from jwtpizza.tasks import cancel_and_wait


class Periodic:
    """Runs `work` every `interval` seconds, or sooner when `wake()` is called."""

    def __init__(self, work: Callable[[], Awaitable[None]], interval: float, clock: Clock) -> None:
        self._work = work
        self._interval = interval
        self._clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop())

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Cancel the loop, then run the work a last time (a final flush)."""
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
        await self._work()

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            await self._work()
