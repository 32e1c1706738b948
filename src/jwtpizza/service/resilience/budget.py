"""A retry budget: retries may be at most a share of calls over a sliding window.

Finagle's retry budget, in the form of a token bucket whose deposits expire: every call
deposits `percent`/100 of a token, every retry withdraws one, and both are forgotten after
`window` seconds. `min_retries` per window lets a quiet service still retry at all. When
the factory fails for everyone, retries stop at that share instead of multiplying the load
(a retry storm). aiolimiter and pyrate-limiter limit a *rate*; neither ties retries to a
share of calls, so this is written here; it is a dozen lines over two deques.
"""

from __future__ import annotations

from collections import deque

from jwtpizza.clock import Clock

__all__ = ["RetryBudget"]


class RetryBudget:
    """Shared by every call through one `ResilientCaller`; not per call."""

    def __init__(
        self, *, clock: Clock, percent: float, window: float, min_retries: int = 0
    ) -> None:
        if percent < 0 or window <= 0 or min_retries < 0:
            raise ValueError("percent and min_retries must not be negative, window positive")
        self._clock = clock
        self._share = percent / 100.0
        self._window = window
        self._min_retries = min_retries
        self._calls: deque[float] = deque()
        self._retries: deque[float] = deque()

    def record_call(self) -> None:
        """A first attempt was made: it earns retries for others."""
        now = self._clock.monotonic()
        self._forget_before(now - self._window)
        self._calls.append(now)

    def try_spend(self) -> bool:
        """Take one retry from the budget; False if it is spent."""
        now = self._clock.monotonic()
        self._forget_before(now - self._window)
        allowed = self._min_retries + self._share * len(self._calls)
        if len(self._retries) + 1 > allowed:
            return False
        self._retries.append(now)
        return True

    def _forget_before(self, cutoff: float) -> None:
        for stamps in (self._calls, self._retries):
            while stamps and stamps[0] <= cutoff:
                stamps.popleft()
