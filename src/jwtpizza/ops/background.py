"""A coroutine run as a task for as long as a block runs, cancelled when it ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from jwtpizza.tasks import cancel_and_wait


@asynccontextmanager
async def running(
    body: Coroutine[Any, Any, None], *, name: str | None = None
) -> AsyncIterator[None]:
    task = asyncio.create_task(body, name=name)
    try:
        yield
    finally:
        await cancel_and_wait(task)
