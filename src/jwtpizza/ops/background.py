"""A coroutine run as a task for as long as a block runs, cancelled when it ends."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any


@asynccontextmanager
async def running(
    body: Coroutine[Any, Any, None], *, name: str | None = None
) -> AsyncIterator[None]:
    task = asyncio.create_task(body, name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
