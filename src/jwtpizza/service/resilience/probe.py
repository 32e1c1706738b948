"""A breaker's own trial call, so a quiet shop learns at once that the factory is back.

A half-open breaker lets the next call through as a trial. At a few orders a minute, or
none, that call may not come for minutes, and meanwhile the breaker reports the factory
down. `BreakerProbe` looks at the breaker every `interval` seconds (which also moves an
OPEN breaker whose wait is over to HALF_OPEN) and, while it wants a trial, sends a cheap
check of its own through each free trial permit: passing checks count as passing trials,
failing ones send the breaker back to OPEN for another wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from jwtpizza.clock import Clock
from jwtpizza.service.resilience.breaker import CircuitBreaker
from jwtpizza.tasks import cancel_and_wait

__all__ = ["BreakerProbe"]

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[None]]
"""Returns if the dependency would take a real call now; raises otherwise."""


class BreakerProbe:
    def __init__(
        self,
        *,
        breaker: CircuitBreaker,
        check: Check,
        clock: Clock,
        interval: float,
        timeout: float,
    ) -> None:
        self._breaker = breaker
        self._check = check
        self._clock = clock
        self._interval = interval
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None

    async def probe(self) -> int:
        """Send trials while the breaker wants them (until they have judged it); how many."""
        sent = 0
        while self._breaker.wants_trial:
            permit = self._breaker.try_acquire()
            sent += 1
            started = self._clock.monotonic()
            try:
                async with asyncio.timeout(self._timeout):
                    await self._check()
            except asyncio.CancelledError:
                permit.ignore()
                raise
            except Exception as error:
                permit.failure(self._clock.monotonic() - started)
                log.debug("breaker probe failed: %r", error)
            else:
                permit.success(self._clock.monotonic() - started)
        return sent

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="breaker-probe")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.probe()
            except Exception:
                log.exception("the breaker probe could not run")
            await asyncio.sleep(self._interval)
