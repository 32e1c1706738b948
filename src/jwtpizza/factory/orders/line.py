"""The signing line: orders are made a few at a time, first come first served.

Under overload, orders that waited anywhere else waited unfairly: a connection given back to
the writer pool goes to whichever request asks next, not to the one that has waited longest
(asyncio's queue puts a waiter that lost its turn at the back again), so a few orders waited
seconds while most took a fraction of one. Here a place freed is handed straight to the
oldest waiter, and no newcomer may take a place while anyone waits, so an order's wait
tracks the length of the line, not its luck.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class FairLine:
    """At most `places` holders at once; the others wait in the order they came."""

    def __init__(self, places: int) -> None:
        if places < 1:
            raise ValueError("a line needs at least one place")
        self._free = places
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @asynccontextmanager
    async def place(self) -> AsyncIterator[None]:
        """Hold a place for the block, waiting for it behind everyone who came first."""
        await self._take()
        try:
            yield
        finally:
            self._give_back()

    async def _take(self) -> None:
        if self._free and not self._waiting:
            self._free -= 1
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._give_back()  # handed a place just as it was cancelled: pass it on
            else:
                self._waiting.remove(turn)
            raise

    def _give_back(self) -> None:
        """Hand the place to the oldest waiter still waiting, or free it."""
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self._free += 1
