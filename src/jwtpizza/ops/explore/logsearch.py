"""The log-search proxy's cost bound. A component's log search is among the most expensive
things an admin can ask (the component scans its window and ops relays the records), so the
same search within `ttl_seconds` is answered from the last one, searches reach the
components one at a time (callers of the same search wait for it), and each admin gets
`per_minute` searches that reach a component (past them, a 429 answered after
`refused_delay_seconds`, so a loop of them waits rather than spins)."""

from __future__ import annotations

import asyncio
from typing import Any

from jwtpizza.clock import Clock
from jwtpizza.errors import TooManyRequests
from jwtpizza.ops.incidents.feed_client import Feeds
from jwtpizza.ops.incidents.feed_parsing import report_links_in
from jwtpizza.ratelimit import SlidingWindow

MAX_CACHED = 256

Search = tuple[str, tuple[tuple[str, str], ...]]


class LogSearches:
    def __init__(
        self, *, clock: Clock, ttl_seconds: float, per_minute: int, refused_delay_seconds: float
    ) -> None:
        self._clock, self._ttl, self._per_minute = clock, ttl_seconds, per_minute
        self._delay = refused_delay_seconds
        self._window = SlidingWindow(window_seconds=60.0, clock=clock)
        self._cache: dict[Search, tuple[float, dict[str, Any]]] = {}
        self._one_at_a_time = asyncio.Lock()

    async def search(
        self, feeds: Feeds, *, admin_id: int, component: str, params: dict[str, str]
    ) -> dict[str, Any]:
        """The answer of the proxy: the records, and the report links of each that point at
        the configured factory (the only ones the console makes clickable)."""
        key: Search = (component, tuple(sorted(params.items())))
        cached = self._fresh(key)
        if cached is not None:
            return cached
        try:
            async with self._one_at_a_time:
                return self._fresh(key) or await self._search(feeds, admin_id, key)
        except TooManyRequests:
            await self._clock.sleep(self._delay)
            raise

    def _fresh(self, key: Search) -> dict[str, Any] | None:
        cached = self._cache.get(key)
        if cached is None or self._clock.monotonic() - cached[0] >= self._ttl:
            return None
        return cached[1]

    async def _search(self, feeds: Feeds, admin_id: int, key: Search) -> dict[str, Any]:
        component, params = key[0], dict(key[1])
        self._window.hit(
            [(str(admin_id), self._per_minute)], message="too many log searches; wait a moment"
        )
        logs = await feeds.query_logs(component, params)
        links = [[u for u in report_links_in(r) if feeds.is_factory_link(u)] for r in logs]
        answer = {"component": component, "logs": logs, "reportLinks": links}
        self._remember(key, answer)
        return answer

    def _remember(self, key: Search, answer: dict[str, Any]) -> None:
        now = self._clock.monotonic()
        if len(self._cache) >= MAX_CACHED:
            self._cache = {k: v for k, v in self._cache.items() if now - v[0] < self._ttl}
            while len(self._cache) >= MAX_CACHED:
                del self._cache[next(iter(self._cache))]
        self._cache[key] = (now, answer)
