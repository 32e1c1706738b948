"""A sliding window of events per key, in memory, for limits that may stay per process (ops'
reads, the service's stats allowance); the service's login and registration limits and the
factory's code limits are counted in their databases, shared by every worker and replica
(`limit_key` names their keys).

Kept per process: with several replicas a client gets the allowance once per replica. Keys
whose window has passed are dropped once the table holds `prune_at` of them, so made-up keys
cannot grow it without bound.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable

from jwtpizza.clock import Clock
from jwtpizza.errors import TooManyRequests

PRUNE_AT = 4096


def limit_key(scope: str, value: str) -> str:
    """The key a shared limit stores for `value` (hashed: no email or address in the table)."""
    return hashlib.blake2b(f"{scope}:{value}".encode(), digest_size=16).hexdigest()


class SlidingWindow:
    def __init__(self, *, window_seconds: float, clock: Clock, prune_at: int = PRUNE_AT) -> None:
        self._window, self._clock, self._prune_at = window_seconds, clock, prune_at
        self._events: dict[str, deque[float]] = {}

    def __len__(self) -> int:
        """How many keys are tracked."""
        return len(self._events)

    def check(self, limits: Iterable[tuple[str, int]], *, message: str) -> None:
        """Raise `TooManyRequests` (with the wait) if any key has used up its allowance."""
        now = self._clock.monotonic()
        for key, limit in limits:
            times = self._recent(key, now)
            if len(times) >= limit:
                raise TooManyRequests(message, retry_after=times[0] + self._window - now)

    def hit(self, limits: Iterable[tuple[str, int]], *, message: str) -> None:
        """Check and count in one step (nothing can run in between, so a burst of concurrent
        requests cannot all pass the check before any is counted)."""
        limits = list(limits)
        self.check(limits, message=message)
        self.record(key for key, _ in limits)

    def count(self, key: str) -> int:
        """How many events `key` has in the window."""
        return len(self._recent(key, self._clock.monotonic()))

    def record(self, keys: Iterable[str]) -> None:
        """Count one event for each key."""
        now = self._clock.monotonic()
        for key in keys:
            self._events.setdefault(key, deque()).append(now)
        if len(self._events) >= self._prune_at:
            for stale in [k for k in self._events if not self._recent(k, now)]:
                del self._events[stale]

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._events.get(key, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        return times
