"""Login-code limiting: a sliding window of code requests per vendor id and per client address.

Each request emails a code and replaces the vendor's live one, so without a limit anyone could
flood a vendor's mailbox, keep its code from ever working, or use the factory to send mail.
Kept in memory per process, like the service's login limiter.
"""

from __future__ import annotations

from collections import deque

from jwtpizza.clock import Clock
from jwtpizza.errors import TooManyRequests

# Keys whose window has passed are dropped once there are this many, so random vendor ids
# cannot grow the table without bound.
PRUNE_AT = 4096


class CodeLimiter:
    def __init__(
        self,
        *,
        per_vendor: int,
        per_address: int,
        window_seconds: float,
        clock: Clock,
        prune_at: int = PRUNE_AT,
    ) -> None:
        self._per_vendor, self._per_address = per_vendor, per_address
        self._window, self._clock, self._prune_at = window_seconds, clock, prune_at
        self._requests: dict[str, deque[float]] = {}

    def __len__(self) -> int:
        """How many vendor ids and addresses are tracked."""
        return len(self._requests)

    def hit(self, *, vendor_id: str, address: str) -> None:
        """Count a code request, or raise `TooManyRequests` if either allowance is used up."""
        now = self._clock.monotonic()
        limits = ((f"vendor:{vendor_id}", self._per_vendor), (f"addr:{address}", self._per_address))
        for key, limit in limits:
            times = self._recent(key, now)
            if len(times) >= limit:
                retry_after = times[0] + self._window - now
                raise TooManyRequests(
                    "too many code requests; try again later", retry_after=retry_after
                )
        for key, _ in limits:
            self._requests.setdefault(key, deque()).append(now)
        if len(self._requests) >= self._prune_at:
            self._prune(now)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._requests.get(key, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        return times

    def _prune(self, now: float) -> None:
        for key in [k for k in self._requests if not self._recent(k, now)]:
            del self._requests[key]
