"""The factory's signing line: bounded, first come first served, no newcomer jumping it."""

from __future__ import annotations

import asyncio

import pytest

from jwtpizza.factory.orders.line import FairLine


async def test_holders_never_exceed_the_places_and_are_served_in_arrival_order() -> None:
    line = FairLine(2)
    holding = 0
    most = 0
    served: list[int] = []

    async def order(n: int) -> None:
        nonlocal holding, most
        async with line.place():
            holding += 1
            most = max(most, holding)
            served.append(n)
            await asyncio.sleep(0)  # a round trip while holding the place
            await asyncio.sleep(0)
            holding -= 1

    await asyncio.gather(*(order(n) for n in range(20)))
    assert most == 2
    assert served == list(range(20))


async def test_a_newcomer_waits_behind_those_already_waiting() -> None:
    line = FairLine(1)
    served: list[str] = []

    async def waiter() -> None:
        async with line.place():
            served.append("waiter")

    async with line.place():
        waiting = asyncio.create_task(waiter())
        await asyncio.sleep(0)
        assert line.waiting == 1
    # The place was handed to the waiter, which has not run yet: a newcomer asking at this
    # very moment must not take it.
    async with line.place():
        served.append("newcomer")
    await waiting
    assert served == ["waiter", "newcomer"]


async def test_a_cancelled_waiter_leaves_the_line_and_its_place_goes_on() -> None:
    line = FairLine(1)
    release = asyncio.Event()
    served: list[str] = []

    async def order(name: str, hold: asyncio.Event | None = None) -> None:
        async with line.place():
            served.append(name)
            if hold is not None:
                await hold.wait()

    first = asyncio.create_task(order("first", release))
    await asyncio.sleep(0)
    gone = asyncio.create_task(order("gone"))
    last = asyncio.create_task(order("last"))
    await asyncio.sleep(0)
    assert line.waiting == 2
    gone.cancel()
    release.set()
    await asyncio.gather(first, last)
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert served == ["first", "last"]
    assert line.waiting == 0
    async with line.place():  # the place came back
        pass


def test_a_line_has_at_least_one_place() -> None:
    with pytest.raises(ValueError, match="at least one place"):
        FairLine(0)
