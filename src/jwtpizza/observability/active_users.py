"""Distinct users seen in a sliding window. Ids live in memory only, never in a label."""

from __future__ import annotations

from collections.abc import Hashable

from jwtpizza.clock import Clock, SystemClock


class ActiveUsers:
    """`seen(user)` on each authorized request; `count()` is how many were seen recently."""

    def __init__(self, window_seconds: float, clock: Clock | None = None) -> None:
        self.window_seconds = window_seconds
        self._clock = clock or SystemClock()
        self._last_seen: dict[Hashable, float] = {}

    def seen(self, user: Hashable) -> None:
        # Re-inserting keeps the dict ordered by last sight, so pruning stops early.
        self._last_seen.pop(user, None)
        self._last_seen[user] = self._clock.monotonic()

    def count(self) -> int:
        horizon = self._clock.monotonic() - self.window_seconds
        for user, at in list(self._last_seen.items()):
            if at >= horizon:
                break
            del self._last_seen[user]
        return len(self._last_seen)
