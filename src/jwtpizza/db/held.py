"""A few reader connections held out of the pool for the fixed reads (`Database.read_plain`).

Checking a connection out of SQLAlchemy's pool and back for each read (a `Connection`, its
events, two greenlet hops) cost as much CPU as the read itself on a server database: about
70 us of a history read's 150 on MariaDB, and of 95 on PostgreSQL. `HeldReaders` keeps up to
`most` of the pool's reader connections checked out and hands an idle one to each read; a
read that finds none idle and the most already held takes the pool's way, as before.

What could go wrong with a connection kept out of the pool, and what is done about it:
- A read that fails or is cancelled mid-statement may leave its connection in any state: the
  connection is invalidated (closed, and the pool's count freed), never used again.
- The pool's recycle (`pool_recycle`) never sees a held connection: each goes back to the pool
  after RECYCLE_SECONDS held, and the pool recycles it by its own rule.
- `close()` (from `Database.dispose`) gives the idle ones back; one in use then goes back
  when its read ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from jwtpizza.db.plain import StatementWatch, fetch_plain

RECYCLE_SECONDS = 300.0


class _Held:
    def __init__(self, fairy: PoolProxiedConnection, since: float) -> None:
        self.fairy = fairy
        self.driver: Any = fairy.driver_connection
        self.since = since


class HeldReaders:
    """Up to `most` reader connections of `engine` held for fixed reads (see the module)."""

    def __init__(
        self,
        engine: AsyncEngine,
        dialect: str,
        *,
        most: int,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._dialect = dialect
        self._most = most
        self._monotonic = monotonic
        self._idle: list[_Held] = []
        self._held = 0  # idle and in use
        self._closed = False

    @property
    def held(self) -> int:
        return self._held

    async def fetch(
        self, watch: StatementWatch | None, sql: str, params: tuple[Any, ...]
    ) -> list[tuple[Any, ...]] | None:
        """The rows of one fixed read on a held connection; None if none is free (the caller
        takes the pool's way)."""
        held = await self._take()
        if held is None:
            return None
        try:
            rows = await fetch_plain(held.driver, self._dialect, watch, sql, params)
        except BaseException:
            await self._drop(held, invalidate=True)
            raise
        if self._closed or self._monotonic() - held.since > RECYCLE_SECONDS:
            await self._drop(held, invalidate=False)
        else:
            self._idle.append(held)
        return rows

    async def _take(self) -> _Held | None:
        if self._idle:
            return self._idle.pop()
        if self._closed or self._held >= self._most:
            return None
        self._held += 1
        try:
            fairy = await self._engine.raw_connection()
        except BaseException:
            self._held -= 1
            raise
        return _Held(fairy, self._monotonic())

    async def _drop(self, held: _Held, *, invalidate: bool) -> None:
        """Give `held` back to the pool, or close it for good (`invalidate`)."""
        self._held -= 1
        end: Callable[[], None] = held.fairy.invalidate if invalidate else held.fairy.close
        with suppress(Exception):  # a connection that cannot even close is gone anyway
            await greenlet_spawn(end)  # closing a driver connection may await

    async def close(self) -> None:
        """Give the idle connections back; those in use go back when their read ends."""
        self._closed = True
        idle, self._idle = self._idle, []
        for held in idle:
            await self._drop(held, invalidate=False)
