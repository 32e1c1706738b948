"""Login and registration limiting: sliding windows per account and per client address.

A login attempt holds a place before bcrypt runs and counts as a failure unless it succeeds, so
a burst of concurrent guesses gets the same allowance as a slow stream.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from jwtpizza.clock import Clock
from jwtpizza.errors import TooManyRequests
from jwtpizza.ratelimit import SlidingWindow

# A client address may fail for many accounts (an office behind one NAT), so its allowance
# is larger than one account's.
ADDRESS_ALLOWANCE_FACTOR = 6


class LoginLimiter:
    """Failed attempts per account and per address. An attempt holds a place while it runs
    (`attempt`): a new one waits while the failures so far plus the attempts in flight fill
    an allowance, and is refused once the failures alone do. A burst of guesses thus gets
    the same allowance as a slow stream, and concurrent right passwords (one account on two
    devices) wait a moment instead of being refused."""

    def __init__(self, *, max_failures: int, window_seconds: float, clock: Clock) -> None:
        self._max = max_failures
        self._failures = SlidingWindow(window_seconds=window_seconds, clock=clock)
        self._in_flight: Counter[str] = Counter()
        self._settled = asyncio.Condition()

    @asynccontextmanager
    async def attempt(self, *, email: str, address: str) -> AsyncIterator[Attempt]:
        """Hold a place for one attempt with this (canonical) email and address, or raise
        `TooManyRequests` if either has failed too often lately. The attempt counts as a
        failure unless the block calls `succeeded()` (an error is a failure too)."""
        limits = self._limits(email, address)
        message = "too many failed login attempts; try again later"
        async with self._settled:
            while True:
                self._failures.check(limits, message=message)
                if all(self._failures.count(k) + self._in_flight[k] < n for k, n in limits):
                    break
                await self._settled.wait()
            self._in_flight.update(k for k, _ in limits)
        outcome = Attempt()
        try:
            yield outcome
        finally:
            async with self._settled:
                self._in_flight.subtract(k for k, _ in limits)
                if not outcome.ok:
                    self._failures.record(k for k, _ in limits)
                self._settled.notify_all()

    def _limits(self, email: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"email:{email}", self._max),
            (f"addr:{address}", self._max * ADDRESS_ALLOWANCE_FACTOR),
        ]


class Attempt:
    """One login attempt's outcome: a failure unless `succeeded()` is called."""

    ok = False

    def succeeded(self) -> None:
        self.ok = True


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
