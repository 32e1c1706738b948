"""What anonymous callers can make ops do: the status page's reads and the refused attempts
(a wrong intake token, a bad acknowledge link), counted per client address.

A refused attempt is answered only after `refused_answer_delay_seconds`, and past
`refused_per_minute` refusals an address gets 429 before any work: a loop of wrong tokens then
waits, costing nothing, instead of taking ops' event loop (and its CPU) from everyone else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request

from jwtpizza.clock import Clock
from jwtpizza.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from jwtpizza.ops.settings import OpsSettings
from jwtpizza.ratelimit import SlidingWindow

# The errors that mean "refused": they count, and are answered late.
REFUSALS = (InvalidInput, Unauthorized, Forbidden, NotFound, Conflict)


def client_address(request: Request) -> str:
    """The caller's address, as the edge decided it (a trusted proxy's `X-Forwarded-For`)."""
    return request.client.host if request.client else "unknown"


class AnonymousLimits:
    """Per client address, in this process: public reads and refused attempts."""

    def __init__(self, *, clock: Clock, settings: OpsSettings) -> None:
        self._clock = clock
        self._reads = SlidingWindow(window_seconds=60.0, clock=clock)
        self._refusals = SlidingWindow(window_seconds=60.0, clock=clock)
        self._reads_per_minute = settings.public_reads_per_minute
        self._refused_per_minute = settings.refused_per_minute
        self._delay = settings.refused_answer_delay_seconds

    async def read(self, address: str) -> None:
        """Count one public read; 429 (held) past the address's allowance."""
        try:
            self._reads.hit([(address, self._reads_per_minute)], message="too many requests")
        except TooManyRequests:
            await self._clock.sleep(self._delay)
            raise

    @asynccontextmanager
    async def attempt(self, address: str) -> AsyncIterator[None]:
        """Around one anonymous attempt: past the allowance a 429 before any work; a refusal
        counts; both are answered after the delay."""
        try:
            self._refusals.check(
                [(address, self._refused_per_minute)], message="too many refused attempts"
            )
            yield
        except REFUSALS:
            self._refusals.record([address])
            await self._clock.sleep(self._delay)
            raise
        except TooManyRequests:
            await self._clock.sleep(self._delay)
            raise


def get_limits(request: Request) -> AnonymousLimits:
    limits = request.app.state.ops.anonymous_limits
    assert isinstance(limits, AnonymousLimits)
    return limits


LimitsDep = Annotated[AnonymousLimits, Depends(get_limits)]


async def anonymous_attempt(request: Request, limits: LimitsDep) -> AsyncIterator[None]:
    """A route dependency: the route's refusals count against the caller's address."""
    async with limits.attempt(client_address(request)):
        yield


async def public_read(request: Request, limits: LimitsDep) -> None:
    """A route dependency: one public read of the caller's address."""
    await limits.read(client_address(request))
