"""A component's database: reader and writer sessions over pooled engines.

SQLite is the default; MariaDB/MySQL and PostgreSQL are chosen by URL. Connections are
pooled (the original opened one per query); `pooled=False` brings that behaviour back for
comparison. Reads cost the fewest round trips: the reader engine runs each statement in
autocommit (no BEGIN, COMMIT or ROLLBACK), the pool neither pings a connection when it is
checked out nor resets it when it comes back, and a read that needs one consistent view of
several statements asks for `snapshot()`. A connection that died is found by the statement
that uses it, which invalidates the pool. On SQLite, writes go through a single connection
that opens its transactions with `BEGIN IMMEDIATE`, because SQLite allows one writer and a
deferred transaction that later upgrades to a write lock fails with SQLITE_BUSY instead of
waiting.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import pymysql  # type: ignore[import-untyped]
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

from jwtpizza.db.engines import dialect_of, engines
from jwtpizza.db.held import HeldReaders
from jwtpizza.db.plain import PlainWrite, StatementWatch, fetch_plain

# Errors after which the server has rolled the whole transaction back and it may simply run
# again: MariaDB/MySQL's deadlock victim (1213); PostgreSQL's deadlock_detected and
# serialization_failure.
_RETRYABLE_MYSQL_CODES = {1213}
_RETRYABLE_SQLSTATES = {"40P01", "40001"}
TRANSACTION_ATTEMPTS = 4
_HOLD = "jwtpizza_hold_after_commit"  # `session.info` key: seconds `writer()` waits after COMMIT
HELD_READERS = 4  # at most, of a server database's pooled readers (see `jwtpizza.db.held`)
T = TypeVar("T")


def is_integrity_error(error: Exception) -> bool:
    """`error` is a broken constraint (a foreign key, a unique key), from SQLAlchemy or straight
    from a driver: SQLSTATE class 23 on PostgreSQL."""
    if isinstance(error, IntegrityError | sqlite3.IntegrityError | pymysql.err.IntegrityError):
        return True
    return str(getattr(error, "sqlstate", "")).startswith("23")


def is_retryable(error: Exception) -> bool:
    """Whether the database aborted this transaction to break a deadlock (or a serialisation
    conflict), so that running it again is the documented answer. `error` is SQLAlchemy's
    wrapper or, from a `PlainWrite`, the driver's own."""
    orig = getattr(error, "orig", error)
    args = getattr(orig, "args", ())
    if isinstance(orig, pymysql.err.MySQLError) and args and args[0] in _RETRYABLE_MYSQL_CODES:
        return True
    states = (
        getattr(orig, "sqlstate", None),
        getattr(orig, "pgcode", None),
        getattr(getattr(orig, "__cause__", None), "sqlstate", None),
    )
    return any(state in _RETRYABLE_SQLSTATES for state in states)


def hold_after_commit(session: Session | AsyncSession, seconds: float) -> None:
    """Keep the caller of `Database.writer()` waiting `seconds` after this session's
    transaction commits (nothing if it rolls back): for a write that others see only once
    their copy of what it changed has expired. The longest hold asked for wins."""
    info = session.info
    info[_HOLD] = max(info.get(_HOLD, 0.0), seconds)


class Database:
    """A component's database: a reader and a writer session factory over pooled engines."""

    def __init__(self, url: str, *, pooled: bool = True, pool_size: int = 10) -> None:
        self.url = url
        self.dialect = dialect_of(url)
        self.write_engine, self.read_engine = engines(url, pooled=pooled, pool_size=pool_size)
        # Listen here for the write sessions' events (`event.listen(db.write_events, ...)`).
        self.write_events = sessionmaker()
        self.write_sessions = async_sessionmaker(
            self.write_engine, expire_on_commit=False, sync_session_class=self.write_events
        )
        self._reader = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self.plain_watch: StatementWatch | None = None  # see `Observability.watch_database`
        held = pooled and self.dialect != "sqlite"
        most = min(HELD_READERS, pool_size // 2)
        self.held_readers = HeldReaders(self.read_engine, self.dialect, most=most) if held else None

    @asynccontextmanager
    async def writer(self) -> AsyncIterator[AsyncSession]:
        """A session in one write transaction: committed on success, rolled back on error.
        If the transaction asked for it (`hold_after_commit`), its caller goes on only that
        long after the COMMIT."""
        async with self.write_sessions() as session:
            async with session.begin():
                yield session
            hold = session.info.pop(_HOLD, 0.0)
            if hold > 0:
                await asyncio.sleep(hold)

    @asynccontextmanager
    async def plain_writer(self) -> AsyncIterator[PlainWrite]:
        """A `PlainWrite` in one write transaction: committed on success, rolled back on error.
        A connection whose transaction could not be ended is dropped from the pool."""
        async with self.write_engine.connect() as connection:
            write = await self._plain_on(connection)
            try:
                await write.begin()
                yield write
            except BaseException:
                try:
                    await write.end(commit=False)
                except BaseException:
                    await connection.invalidate()
                raise
            try:
                await write.end(commit=True)
            except BaseException:
                await connection.invalidate()
                raise

    async def plain_within(self, session: AsyncSession) -> PlainWrite:
        """A `PlainWrite` on the connection of `session`'s write transaction: its statements
        are part of that transaction, which the session still begins and ends."""
        return await self._plain_on(await session.connection())

    async def _plain_on(self, connection: AsyncConnection) -> PlainWrite:
        raw = await connection.get_raw_connection()
        return PlainWrite(raw.driver_connection, self.dialect, self.plain_watch)

    async def retrying(self, transaction: Callable[[], Awaitable[T]]) -> T:
        """Run `transaction` (one whole write transaction, nothing done outside it) and run it
        again, up to TRANSACTION_ATTEMPTS times in all, when the server chose it as a
        deadlock's victim. Servers pick a victim under concurrent writes to the same rows and
        expect the client to retry; SQLite, with its single writer, never does."""
        attempt = 1
        while True:
            try:
                return await transaction()
            except Exception as error:
                if attempt >= TRANSACTION_ATTEMPTS or not is_retryable(error):
                    raise
            await asyncio.sleep(0.01 * attempt)
            attempt += 1

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only, each statement on its own (on SQLite it never blocks the
        writer)."""
        async with self._reader() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read_connection(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection for reads, without a session's bookkeeping (hot paths)."""
        async with self.read_engine.connect() as connection:
            yield connection

    async def read_plain(
        self, sql: str, *params: Any, watched: bool = True
    ) -> list[tuple[Any, ...]]:
        """The rows of one fixed read (`?` placeholders, values as `PlainWrite` takes them),
        sent straight through the driver on a pooled reader.

        For hot reads: it skips SQLAlchemy's execution (compiled-statement cache, events,
        result processing), so the caller converts what the columns hold (`utc_time`). It is
        traced and counted like any statement, unless `watched=False` (a read shared by many
        requests belongs to none of them). On a server database it runs on a reader held out
        of the pool when one is free (`jwtpizza.db.held`)."""
        watch = self.plain_watch if watched else None
        if self.held_readers is not None:
            rows = await self.held_readers.fetch(watch, sql, params)
            if rows is not None:
                return rows
        async with self.read_engine.connect() as connection:
            driver: Any = (await connection.get_raw_connection()).driver_connection
            return await fetch_plain(driver, self.dialect, watch, sql, params)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncSession]:
        """A session whose reads see one consistent state (a read transaction on a server
        database; on SQLite the reader as before, which never blocks the writer)."""
        engine_sessions = self._reader if self.dialect == "sqlite" else self.write_sessions
        async with engine_sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        if self.held_readers is not None:
            await self.held_readers.close()
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()
