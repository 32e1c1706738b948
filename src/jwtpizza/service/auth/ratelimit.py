"""Failed-login limiting: a sliding window of failures per account and per client address."""

from __future__ import annotations

from jwtpizza.clock import Clock
from jwtpizza.ratelimit import SlidingWindow

# A client address may fail for many accounts (an office behind one NAT), so its allowance
# is larger than one account's.
ADDRESS_ALLOWANCE_FACTOR = 6


class LoginLimiter:
    def __init__(self, *, max_failures: int, window_seconds: float, clock: Clock) -> None:
        self._max = max_failures
        self._failures = SlidingWindow(window_seconds=window_seconds, clock=clock)

    def check(self, *, email: str, address: str) -> None:
        """Raise `TooManyRequests` if this account or address has failed too often lately."""
        self._failures.check(
            self._limits(email, address), message="too many failed login attempts; try again later"
        )

    def record_failure(self, *, email: str, address: str) -> None:
        self._failures.record(key for key, _ in self._limits(email, address))

    def _limits(self, email: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"email:{email.lower()}", self._max),
            (f"addr:{address}", self._max * ADDRESS_ALLOWANCE_FACTOR),
        ]
