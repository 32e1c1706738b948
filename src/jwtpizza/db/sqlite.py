"""SQLite: engines over aiosqlite connections that run statements on the loop's thread.

SQLite allows one writer, and a deferred transaction that later upgrades to a write lock
fails with SQLITE_BUSY instead of waiting, so writes go through a single connection that
opens its transactions with `BEGIN IMMEDIATE`.

SQLite statements run on the event loop's own thread, not on aiosqlite's thread: a hop to
that thread and back costs 100-200 µs of CPU (a queue, a futex, the loop's self-pipe), far
more than the microseconds an indexed read of a local file takes, and SQLAlchemy makes
four of them per statement. Only what must wait goes through the thread:
- a writer's `BEGIN IMMEDIATE` while another process holds the write lock: it is tried on
  the loop's thread with no busy timeout, and only when the lock is taken does it wait for
  it there;
- every CHECKPOINT_EVERY-th COMMIT of a writer, with a passive checkpoint after it (copying
  the WAL back into the database file syncs to disk and may take milliseconds). A writer's
  automatic checkpoints are off, so no other COMMIT can start one.
So a write transaction on a free lock costs no hop at all. A reader never waits in WAL mode,
a statement inside a transaction that holds the write lock never waits for another, and a
COMMIT in WAL mode with `synchronous=NORMAL` appends to the WAL without syncing.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import suppress
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 10_000
CHECKPOINT_EVERY = 100  # COMMITs of one SQLite writer engine (a few pages each) per checkpoint


class LoopThreadSqlite(aiosqlite.Connection):
    """An aiosqlite connection that runs its statements on the event loop's thread, except
    those that must wait (see the module's docstring), which run on aiosqlite's own thread, as
    does opening the connection.

    The two threads never use the connection at once. A caller cancelled while its statement
    runs on aiosqlite's thread (a request timing out, Ctrl-C) stops waiting, but the statement
    runs on; until it ends, every next call waits for it, whether a ROLLBACK or close(), which
    would otherwise free the statement the other thread is stepping through."""

    def __init__(self, path: str, *, writer: bool, commits: Iterator[int]) -> None:
        connector = partial(
            sqlite3.connect,
            path,
            timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,  # opened on aiosqlite's thread, used on the loop's
        )
        super().__init__(connector, iter_chunk_size=64)
        self._writer = writer
        self._commits = commits  # shared by the engine's connections
        self._hop: asyncio.Future[None] | None = None  # while aiosqlite's thread runs one

    def _boundary(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> str | None:
        """ "BEGIN" or "COMMIT" for a writer's transaction boundaries, else None."""
        if not self._writer:
            return None
        if fn == self._conn.commit:
            return "COMMIT"
        statement = args[0] if args and isinstance(args[0], str) else ""
        word = statement.lstrip()[:6].upper()
        return "BEGIN" if word.startswith("BEGIN") else "COMMIT" if word == "COMMIT" else None

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        while self._hop is not None:
            await asyncio.shield(self._hop)  # this caller may be cancelled; the hop may not
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        boundary = self._boundary(fn, args)
        if boundary == "BEGIN":
            try:
                return self._at_once(partial(fn, *args, **kwargs))
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
            return await self._on_thread(partial(fn, *args, **kwargs))  # waits for the lock
        if boundary == "COMMIT" and next(self._commits) % CHECKPOINT_EVERY == 0:
            return await self._on_thread(partial(self._commit_and_checkpoint, fn, args, kwargs))
        return fn(*args, **kwargs)

    def _at_once(self, statement: Callable[[], Any]) -> Any:
        """Run `statement` with no busy timeout: SQLITE_BUSY at once if the lock is taken."""
        self._conn.execute("PRAGMA busy_timeout=0")
        try:
            return statement()
        finally:
            self._conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")

    def _commit_and_checkpoint(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        result = fn(*args, **kwargs)
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return result

    async def _on_thread(self, statement: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        hop = self._hop = loop.create_future()

        def on_thread() -> Any:
            try:
                return statement()
            finally:
                with suppress(RuntimeError):  # the loop closed; nobody is left to wait
                    loop.call_soon_threadsafe(self._hop_ended, hop)

        return await super()._execute(on_thread)  # type: ignore[no-untyped-call]

    def _hop_ended(self, hop: asyncio.Future[None]) -> None:
        hop.set_result(None)
        if self._hop is hop:
            self._hop = None


def sqlite_engine(url: str, *, writer: bool, pooled: bool) -> AsyncEngine:
    """The writer's engine (one connection, `BEGIN IMMEDIATE`) or the readers' (autocommit)."""
    path = make_url(url).database or ""

    commits = itertools.count(1)

    async def connect() -> aiosqlite.Connection:
        return await LoopThreadSqlite(path, writer=writer, commits=commits)

    options: dict[str, Any] = {"async_creator": connect}
    if not pooled:
        options["poolclass"] = NullPool
    elif writer:
        # Every writer transaction ends in COMMIT or ROLLBACK, so the pool need not roll back
        # again when the connection comes back.
        options.update(pool_size=1, max_overflow=0, pool_timeout=60, pool_reset_on_return=None)
    else:
        # Readers run each statement in its own implicit snapshot (WAL), so they skip
        # BEGIN/ROLLBACK: one statement per read instead of three. No overflow: each overflow
        # connection closed on its return and opened again (a thread and its PRAGMAs) cost
        # order history at c=50 a third of its throughput.
        options.update(
            pool_size=16, max_overflow=0, pool_reset_on_return=None, isolation_level="AUTOCOMMIT"
        )
    engine = create_async_engine(url, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if writer:
            cursor.execute("PRAGMA wal_autocheckpoint=0")  # every CHECKPOINT_EVERY-th COMMIT
        cursor.close()

    if writer:

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
