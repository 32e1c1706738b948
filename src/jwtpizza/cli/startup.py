"""Start-up checks of a component's database, before its server listens.

A component's lifespan migrates its database too, but a failure there reaches uvicorn, which
prints a traceback ("Application startup failed"). Migrating first, inside
`readable_errors`, turns an unreachable database or a schema from a newer version into one
line and exit 1, before any port is opened; the lifespan then finds the schema current.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jwtpizza.db import Database


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
