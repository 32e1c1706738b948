"""Login limiters as separate service workers have them: each on its own connection pool to
one migrated database, all with the allowance the tests count against."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from jwtpizza.clock import FakeClock
from jwtpizza.db import Database
from jwtpizza.service.auth.ratelimit import LoginLimiter
from jwtpizza.service.seed import migrate

ALLOWANCE = 5


@asynccontextmanager
async def workers(
    url: str, count: int, clock: FakeClock
) -> AsyncIterator[tuple[Database, list[LoginLimiter]]]:
    """The first worker's database and `count` limiters, one per worker."""
    dbs = [Database(url) for _ in range(count)]
    await migrate(dbs[0])
    try:
        yield (
            dbs[0],
            [
                LoginLimiter(db=db, max_failures=ALLOWANCE, window_seconds=60, clock=clock)
                for db in dbs
            ],
        )
    finally:
        for db in dbs:
            await db.dispose()
