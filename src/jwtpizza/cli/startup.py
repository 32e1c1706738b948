"""What a server process does before it serves: check its database (migrating first), freeze
the start-up heap; and how long a stop may take.

A component's lifespan migrates its database too, but a failure there reaches uvicorn, which
prints a traceback ("Application startup failed"). Migrating first, inside
`readable_errors`, turns an unreachable database or a schema from a newer version into one
line and exit 1, before any port is opened; the lifespan then finds the schema current.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jwtpizza.db import Database

# On SIGTERM a component stops accepting connections, and the requests under way get this long
# before uvicorn cancels them (a call to a hung factory, a client waiting out the service's sync
# budget); then its lifespan's shutdown runs (the service's kitchen gives its factory calls
# `stop_grace_seconds`). Orders already accepted are in the ledger and the outbox whatever is
# cut. The bound keeps a stop well inside the 30 s an orchestrator grants by default.
REQUEST_GRACE_SECONDS = 5


class _CutRequestsQuiet(logging.Filter):
    """Drops the traceback uvicorn logs for each request cut at the end of the grace (a
    stop is expected); its one line saying how many it cut stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


def quiet_cut_requests() -> None:
    """Install `_CutRequestsQuiet` in this process (each server process calls it)."""
    logging.getLogger("uvicorn.error").addFilter(_CutRequestsQuiet())


def migrate_first(url: str, upgrade: Callable[[Database], Awaitable[None]]) -> None:
    """Bring the database at `url` to the newest schema with `upgrade`, or raise."""
    from jwtpizza.db import Database

    async def run() -> None:
        db = Database(url, pooled=False)
        try:
            await upgrade(db)
        finally:
            await db.dispose()

    asyncio.run(run())


def freeze_startup_heap() -> None:
    """Put every object alive now (the imported modules, the app just built) out of the
    garbage collector's reach, so that its collections scan only what requests create. Call
    it once the app is built, before serving. Without it a full collection walked the few
    hundred thousand startup objects: a ~100 ms stall that set the service's p99 under load."""
    gc.collect()
    gc.freeze()
