"""Stopping a background task without swallowing the stopper's own cancellation.

`task.cancel()` then `await task` under `suppress(CancelledError)` also swallows a
cancellation of the task that waits: Ctrl-C reaching a scenario or a server while it stops a
background loop was taken for the loop's own ending, and the program ran on.
"""

from __future__ import annotations

import asyncio
from typing import Any


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and wait until it has ended. Its own cancellation ends quietly; a
    cancellation of the task that waits is passed on; any other error `task` raises too."""
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        waiter = asyncio.current_task()
        if waiter is not None and waiter.cancelling():
            raise
