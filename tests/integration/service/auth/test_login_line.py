"""The login line shared by workers: waiters start in the order they arrived whichever worker
holds them, one that gives up or is refused while waiting leaves nothing counted, and one
that waits half a window is refused."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from jwtpizza.clock import FakeClock
from jwtpizza.db import Database
from jwtpizza.errors import TooManyRequests
from jwtpizza.service.auth.models import LimitEvent
from jwtpizza.service.auth.ratelimit import LoginLimiter
from tests.support.login_limiters import ALLOWANCE, workers

EMAIL, ADDRESS = "d@jwt.com", "203.0.113.7"


class Holder:
    """An attempt that keeps its place until told how to end."""

    def __init__(self, limiter: LoginLimiter) -> None:
        self.inside = asyncio.Event()
        self.end = asyncio.Event()
        self.succeed = True
        self.task = asyncio.create_task(self._run(limiter))

    async def _run(self, limiter: LoginLimiter) -> None:
        async with limiter.attempt(email=EMAIL, address=ADDRESS) as attempt:
            self.inside.set()
            await self.end.wait()
            if self.succeed:
                attempt.succeeded()


async def fill(limiter: LoginLimiter) -> list[Holder]:
    holders = [Holder(limiter) for _ in range(ALLOWANCE)]
    await asyncio.gather(*(h.inside.wait() for h in holders))
    return holders


def waiting(limiter: LoginLimiter) -> int:
    """How many attempts wait in this limiter's lines."""
    return sum(len(line.waiting) for line in limiter._lines.values())


async def line_up(limiter: LoginLimiter, task: asyncio.Task[None]) -> None:
    """Until `task`'s attempt has its ticket and waits in `limiter`'s line."""
    before = waiting(limiter)
    while waiting(limiter) == before:
        assert not task.done()
        await asyncio.sleep(0.002)


async def counted(db: Database, *, settled: bool) -> int:
    """Attempts counted, in flight or failed (each has a row per key: account and address)."""
    async with db.reader() as session:
        query = select(func.count()).where(LimitEvent.settled.is_(settled))
        return int((await session.execute(query)).scalar_one()) // 2


async def test_waiters_start_in_arrival_order_whichever_worker_holds_them(
    database_url: str,
) -> None:
    # Every place is held in the first worker, whose releases wake only its own line; the
    # second finds freed places by looking again. Arrivals alternate between the two.
    started: list[int] = []

    async def login(limiter: LoginLimiter, number: int) -> None:
        async with limiter.attempt(email=EMAIL, address=ADDRESS) as attempt:
            started.append(number)
            attempt.succeeded()

    async with workers(database_url, 2, FakeClock()) as (_, (first, second)):
        holders = await fill(first)
        tasks = []
        for number in range(6):
            limiter = (first, second)[number % 2]
            tasks.append(asyncio.create_task(login(limiter, number)))
            await line_up(limiter, tasks[-1])
        for holder in holders:  # one place at a time: each goes to the oldest waiter
            holder.end.set()
            await holder.task
            await asyncio.sleep(0.2)
        await asyncio.gather(*tasks)
    assert started == list(range(6))


async def test_a_waiter_that_goes_away_or_is_refused_counts_nothing(database_url: str) -> None:
    async with workers(database_url, 1, FakeClock()) as (db, (limiter,)):
        holders = await fill(limiter)
        gone, refused = Holder(limiter), [Holder(limiter) for _ in range(3)]
        await asyncio.sleep(0.1)
        gone.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone.task
        assert await counted(db, settled=False) == ALLOWANCE + 3  # the holders and 3 waiting
        for holder in holders:  # all five fail: the allowance is spent
            holder.succeed = False
            holder.end.set()
        await asyncio.gather(*(h.task for h in holders))
        for waiter in refused:
            with pytest.raises(TooManyRequests):
                await waiter.task
        assert (await counted(db, settled=False), await counted(db, settled=True)) == (0, 5)
        assert limiter._lines == {}


async def test_an_attempt_that_waits_half_a_window_is_refused(database_url: str) -> None:
    clock = FakeClock()
    async with workers(database_url, 1, clock) as (db, (limiter,)):
        holders = await fill(limiter)
        late = Holder(limiter)
        await asyncio.sleep(0.1)
        assert not late.task.done()
        clock.advance(31)  # its rows would expire 60 s after it counted itself in
        with pytest.raises(TooManyRequests):
            await late.task
        for holder in holders:
            holder.end.set()
        await asyncio.gather(*(h.task for h in holders))
        assert await counted(db, settled=False) == 0
