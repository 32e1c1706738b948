"""Stopping a background task: its own cancellation ends quietly, the stopper's does not."""

from __future__ import annotations

import asyncio

import pytest

from jwtpizza.tasks import cancel_and_wait


async def _loop(stopping: asyncio.Event, cleanup_seconds: float) -> None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        stopping.set()
        await asyncio.sleep(cleanup_seconds)  # a last flush, say
        raise


async def test_a_task_cancelled_by_its_stopper_ends_quietly() -> None:
    stopping = asyncio.Event()
    task = asyncio.create_task(_loop(stopping, 0.01))
    await asyncio.sleep(0)
    await cancel_and_wait(task)
    assert task.cancelled() and stopping.is_set()


async def test_a_cancellation_of_the_stopper_while_it_waits_is_passed_on() -> None:
    # Ctrl-C cancels the main task while it waits for a loop's last flush: the main task must
    # still end, not carry on as if only the loop had been cancelled.
    stopping = asyncio.Event()
    task = asyncio.create_task(_loop(stopping, 0.5))
    await asyncio.sleep(0)
    stopper = asyncio.create_task(cancel_and_wait(task))
    await stopping.wait()
    stopper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopper
    assert task.done()


async def test_any_other_error_of_the_task_is_raised() -> None:
    async def broken() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise RuntimeError("flush failed") from None

    task = asyncio.create_task(broken())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="flush failed"):
        await cancel_and_wait(task)
