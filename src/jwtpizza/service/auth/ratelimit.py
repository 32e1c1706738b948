"""Login and registration limiting: sliding windows per account and per client address.

A login attempt is reserved (checked and counted in one step) before bcrypt runs and given back
when it succeeds, so a burst of concurrent guesses gets the same allowance as a slow stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from jwtpizza.clock import Clock
from jwtpizza.errors import TooManyRequests
from jwtpizza.ratelimit import SlidingWindow

# A client address may fail for many accounts (an office behind one NAT), so its allowance
# is larger than one account's.
ADDRESS_ALLOWANCE_FACTOR = 6


class LoginLimiter:
    def __init__(self, *, max_failures: int, window_seconds: float, clock: Clock) -> None:
        self._max = max_failures
        self._failures = SlidingWindow(window_seconds=window_seconds, clock=clock)

    def reserve(self, *, email: str, address: str) -> None:
        """Count an attempt for this (canonical) email and address, or raise
        `TooManyRequests` if either has failed too often lately."""
        self._failures.hit(
            self._limits(email, address), message="too many failed login attempts; try again later"
        )

    def release(self, *, email: str, address: str) -> None:
        """The reserved attempt succeeded: it does not count as a failure."""
        self._failures.release(key for key, _ in self._limits(email, address))

    def _limits(self, email: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"email:{email}", self._max),
            (f"addr:{address}", self._max * ADDRESS_ALLOWANCE_FACTOR),
        ]


class RegistrationLimiter:
    """Registrations per client address, whatever their outcome: each may cost a bcrypt hash,
    and each 409 tells whether an email has an account."""

    def __init__(self, *, per_address: int, window_seconds: float, clock: Clock) -> None:
        self._per_address = per_address
        self._attempts = SlidingWindow(window_seconds=window_seconds, clock=clock)

    def hit(self, *, address: str) -> None:
        self._attempts.hit(
            [(address, self._per_address)], message="too many registrations; try again later"
        )


@asynccontextmanager
async def held_when_refused(clock: Clock, seconds: float) -> AsyncIterator[None]:
    """A refused (429) attempt is answered only after `seconds`: a client hammering in a loop
    then waits, costing nothing, instead of taking the event loop from everyone else."""
    try:
        yield
    except TooManyRequests:
        await clock.sleep(seconds)
        raise
