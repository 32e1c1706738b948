"""A burst of logins on one account: waiters line up, are woken by releases, and the
allowance holds, in one process and across two sharing one database."""

from __future__ import annotations

import asyncio

import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.service.auth import ratelimit
from jwtpizza.service.auth.ratelimit import LoginLimiter
from tests.support.login_limiters import ALLOWANCE, workers


class Burst:
    """Successful logins of one account at once, noting how many hold a place together."""

    def __init__(self) -> None:
        self.inside = 0
        self.most_inside = 0
        self.done = 0

    async def login(self, limiter: LoginLimiter) -> None:
        async with limiter.attempt(email="d@jwt.com", address="203.0.113.7") as attempt:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
            await asyncio.sleep(0)  # bcrypt's place: let the others run meanwhile
            self.inside -= 1
            attempt.succeeded()
        self.done += 1


async def test_a_burst_waits_its_turn_and_asks_the_database_once_per_release(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No polling at all within the test: only releases may wake a waiter. Polling every
    # waiter on every release (the old way) asked the database about N*N/2 times.
    monkeypatch.setattr(ratelimit, "POLL_SECONDS", 3600.0)
    tries = 0
    hold = LoginLimiter._hold

    async def counted(self: LoginLimiter, *args: object) -> bool:
        nonlocal tries
        tries += 1
        return await hold(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(LoginLimiter, "_hold", counted)
    burst, logins = Burst(), 40
    async with workers(database_url, 1, FakeClock()) as (_, (limiter,)):
        await asyncio.gather(*(burst.login(limiter) for _ in range(logins)))
        # One try to get in, plus at most one more per release that woke the line's head.
        assert tries <= 2 * logins
        assert limiter._lines == {}  # every line is gone once empty
    assert burst.done == logins
    assert burst.most_inside <= ALLOWANCE


async def test_waiters_in_another_worker_get_places_freed_here(database_url: str) -> None:
    # Two workers on one database: a release in one wakes nobody in the other, whose head
    # finds the freed place when it looks again; the shared allowance still holds.
    burst = Burst()
    async with workers(database_url, 2, FakeClock()) as (_, (first, second)):
        await asyncio.gather(*(burst.login(w) for w in [first, second] * 12))
    assert burst.done == 24
    assert burst.most_inside <= ALLOWANCE
