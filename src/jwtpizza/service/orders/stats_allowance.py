"""Order stats read every order of a window: the most expensive thing an admin can ask the
service. So they are computed one at a time, and each admin gets `per_minute` of them (a
refusal answered late, as the login limit's are), so a loop of them cannot slow the menu."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from jwtpizza.clock import Clock
from jwtpizza.ratelimit import SlidingWindow


class StatsAllowance:
    def __init__(self, *, clock: Clock, per_minute: int) -> None:
        self._window = SlidingWindow(window_seconds=60.0, clock=clock)
        self._per_minute = per_minute
        self._one_at_a_time = asyncio.Lock()

    @asynccontextmanager
    async def admit(self, admin_id: int) -> AsyncIterator[None]:
        """429 past the admin's allowance; else wait for the computation before."""
        self._window.hit(
            [(str(admin_id), self._per_minute)], message="too many order stats; wait a moment"
        )
        async with self._one_at_a_time:
            yield
