"""Failed-login limiting: a sliding window of failures per account and per client address.

Kept in memory per process: with several replicas an attacker gets the limit once per
replica, which still turns a dictionary attack from thousands of guesses a minute into a
handful.
"""

from __future__ import annotations

from collections import defaultdict, deque

from jwtpizza.clock import Clock
from jwtpizza.errors import TooManyRequests

# A client address may fail for many accounts (an office behind one NAT), so its allowance
# is larger than one account's.
ADDRESS_ALLOWANCE_FACTOR = 6


class LoginLimiter:
    def __init__(self, *, max_failures: int, window_seconds: float, clock: Clock) -> None:
        self._max = max_failures
        self._window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures[key]
        horizon = self._clock.monotonic() - self._window
        while times and times[0] <= horizon:
            times.popleft()
        return times

    def check(self, *, email: str, address: str) -> None:
        """Raise `TooManyRequests` if this account or address has failed too often lately."""
        for key, limit in self._limits(email, address):
            times = self._recent(key)
            if len(times) >= limit:
                retry_after = times[0] + self._window - self._clock.monotonic()
                raise TooManyRequests(
                    "too many failed login attempts; try again later", retry_after=retry_after
                )

    def record_failure(self, *, email: str, address: str) -> None:
        now = self._clock.monotonic()
        for key, _ in self._limits(email, address):
            self._recent(key).append(now)

    def _limits(self, email: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"email:{email.lower()}", self._max),
            (f"addr:{address}", self._max * ADDRESS_ALLOWANCE_FACTOR),
        ]
