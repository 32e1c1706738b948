"""Database engines and sessions shared by every component.

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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from functools import cache, partial
from typing import Any, Protocol, TypeVar

import aiosqlite
import pymysql  # type: ignore[import-untyped]
from sqlalchemy import DateTime, TypeDecorator, event, text
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 10_000
CHECKPOINT_EVERY = 100  # COMMITs of one SQLite writer engine (a few pages each) per checkpoint
# Errors after which the server has rolled the whole transaction back and it may simply run
# again: MariaDB/MySQL's deadlock victim (1213); PostgreSQL's deadlock_detected and
# serialization_failure.
_RETRYABLE_MYSQL_CODES = {1213}
_RETRYABLE_SQLSTATES = {"40P01", "40001"}
TRANSACTION_ATTEMPTS = 4
_HOLD = "jwtpizza_hold_after_commit"  # `session.info` key: seconds `writer()` waits after COMMIT
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
    states = (getattr(orig, "sqlstate", None), getattr(orig, "pgcode", None),
              getattr(getattr(orig, "__cause__", None), "sqlstate", None))  # fmt: skip
    return any(state in _RETRYABLE_SQLSTATES for state in states)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, whatever the database keeps (SQLite drops the zone;
    MySQL keeps whole seconds unless asked for microseconds)."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else naive_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else utc_time(value)


def naive_utc(moment: datetime) -> datetime:
    """`moment` as a `UtcDateTime` column keeps it: naive, in UTC. A naive `moment` is taken
    as UTC already (as `utc_time` reads it back), never as the machine's local time."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def utc_time(value: datetime | str) -> datetime:
    """A `UtcDateTime` column's value, as the driver returns it (SQLite's text, a server's
    naive datetime), made an aware UTC datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def dialect_of(url: str) -> str:
    """`sqlite`, `mysql` or `postgresql`."""
    name = make_url(url).get_backend_name()
    return "mysql" if name == "mariadb" else name


class _LoopThreadSqlite(aiosqlite.Connection):
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


class StatementWatch(Protocol):
    """Told of each statement a `PlainWrite` sends, as SQLAlchemy's cursor events tell of the
    others (so plain statements are traced, counted and logged like every other)."""

    def started(self, statement: str) -> Any:
        """A token for `ended`."""
        ...

    def ended(
        self, token: Any, statement: str, parameters: Any, *, rows: int | None,
        error: BaseException | None = None,
    ) -> None: ...  # fmt: skip


@cache
def _driver_sql(dialect: str, sql: str) -> str:
    """`sql` written with `?` placeholders, in the driver's own style."""
    if dialect == "sqlite":
        return sql
    if dialect == "mysql":
        return sql.replace("%", "%%").replace("?", "%s")
    parts = sql.split("?")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


def _bind(dialect: str, value: Any) -> Any:
    """A value as the column types store it (`UtcDateTime`, `Numeric`, string enums)."""
    if isinstance(value, datetime):
        naive = naive_utc(value)
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else naive
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal) and dialect == "sqlite":
        return float(value)
    return value


def _bound(dialect: str, params: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(_bind(dialect, value) for value in params)


async def _watched(
    watch: StatementWatch | None, sql: str, params: Any, sent: Awaitable[T],
    *, rows: Callable[[T], int],
) -> T:  # fmt: skip
    """`sent`'s answer, with `watch` told of the statement (`rows` counts the rows it changed
    or returned, from the answer)."""
    if watch is None:
        return await sent
    token = watch.started(sql)
    try:
        answer = await sent
    except BaseException as error:
        watch.ended(token, sql, params, rows=None, error=error)
        raise
    watch.ended(token, sql, params, rows=rows(answer))
    return answer


async def _fetch_mysql(driver: Any, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    async with driver.cursor() as cursor:
        await cursor.execute(sql, params)
        return list(await cursor.fetchall())


def _fetch(driver: Any, dialect: str, sql: str, bound: tuple[Any, ...]) -> Awaitable[Any]:
    """The rows of one read on a driver connection (SQLite's and PostgreSQL's as their own
    row objects)."""
    if dialect == "sqlite":
        return driver.execute_fetchall(sql, bound)  # type: ignore[no-any-return]
    if dialect == "postgresql":
        return driver.fetch(_driver_sql(dialect, sql), *bound)  # type: ignore[no-any-return]
    return _fetch_mysql(driver, _driver_sql(dialect, sql), bound)


def _tuples(dialect: str, rows: Any) -> list[tuple[Any, ...]]:
    """Rows as tuples (SQLite's already are)."""
    return rows if dialect == "sqlite" else [tuple(row) for row in rows]


async def _executemany_mysql(driver: Any, sql: str, rows: list[tuple[Any, ...]]) -> int:
    async with driver.cursor() as cursor:
        return int(await cursor.executemany(sql, rows))


class PlainWrite:
    """One write transaction whose statements go straight to the driver, for the hottest
    writes (an order and its pizza): SQLAlchemy's execution (compiled-statement cache,
    contexts, greenlet hops, result processing) cost more CPU than the statements themselves.

    Statements are fixed SQL with `?` placeholders and plain values (`_bind` converts
    datetimes, decimals and enums as the column types do). A statement that fails raises the
    driver's own error, which `Database.retrying` understands."""

    def __init__(self, driver: Any, dialect: str, watch: StatementWatch | None) -> None:
        self._driver = driver
        self._dialect = dialect
        self._watch = watch

    async def execute(self, sql: str, *params: Any) -> int:
        """Run one statement; the rows it changed."""
        bound = _bound(self._dialect, params)
        changed = self._send(sql, bound, fetch_id=False)
        return await _watched(self._watch, sql, bound, changed, rows=lambda count: count)

    async def insert(self, sql: str, *params: Any) -> int:
        """Run one INSERT into a table keyed by an `id` it generates; the new row's id."""
        bound = _bound(self._dialect, params)
        new_id = self._send(sql, bound, fetch_id=True)
        return await _watched(self._watch, sql, bound, new_id, rows=lambda _: 1)

    async def fetch(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """The rows of one read inside this transaction (it sees the transaction's writes)."""
        bound = _bound(self._dialect, params)
        fetched = _fetch(self._driver, self._dialect, sql, bound)
        return _tuples(self._dialect, await _watched(self._watch, sql, bound, fetched, rows=len))

    async def insert_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one INSERT for each of `rows`, as one batch."""
        driver_sql = _driver_sql(self._dialect, sql)
        bound = [_bound(self._dialect, row) for row in rows]
        if self._dialect == "mysql":
            sent = _executemany_mysql(self._driver, driver_sql, bound)
        else:
            sent = self._driver.executemany(driver_sql, bound)
        await _watched(self._watch, sql, bound, sent, rows=lambda _: len(bound))

    async def _send(self, sql: str, bound: tuple[Any, ...], *, fetch_id: bool) -> int:
        dialect = self._dialect
        if dialect == "postgresql":
            if fetch_id:
                return int(
                    await self._driver.fetchval(_driver_sql(dialect, f"{sql} RETURNING id"), *bound)
                )
            status: str = await self._driver.execute(_driver_sql(dialect, sql), *bound)
            count = status.rsplit(" ", 1)[-1]  # "UPDATE 1", "INSERT 0 1", "BEGIN"
            return int(count) if count.isdigit() else 0
        if dialect == "mysql":
            async with self._driver.cursor() as cursor:
                await cursor.execute(_driver_sql(dialect, sql), bound)
                return int(cursor.lastrowid if fetch_id else cursor.rowcount)
        cursor = await self._driver.execute(sql, bound)
        return int(cursor.lastrowid if fetch_id else cursor.rowcount)

    async def begin(self) -> None:
        if self._dialect == "sqlite":
            await self._send("BEGIN IMMEDIATE", (), fetch_id=False)  # see the module's docstring
        elif self._dialect == "postgresql":
            await self._send("BEGIN", (), fetch_id=False)
        # MariaDB/MySQL's connections are not in autocommit: the first statement opens the
        # transaction.

    async def end(self, *, commit: bool) -> None:
        if self._dialect == "mysql":
            await (self._driver.commit() if commit else self._driver.rollback())
        else:
            await self._send("COMMIT" if commit else "ROLLBACK", (), fetch_id=False)


def _sqlite_engine(url: str, *, writer: bool, pooled: bool) -> AsyncEngine:
    path = make_url(url).database or ""

    commits = itertools.count(1)

    async def connect() -> aiosqlite.Connection:
        return await _LoopThreadSqlite(path, writer=writer, commits=commits)

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


def _server_engine(url: str, *, writer: bool, pooled: bool, pool_size: int) -> AsyncEngine:
    reads: dict[str, Any] = {} if writer else {"isolation_level": "AUTOCOMMIT"}
    if not pooled:
        return create_async_engine(url, poolclass=NullPool, **reads)
    # Nothing to reset when a connection comes back to the pool: a reader holds no transaction
    # (autocommit), and a writer's ends in COMMIT or ROLLBACK before it does (a Connection or
    # Session closed inside one rolls it back; a PlainWrite ends its own or drops the
    # connection). On MariaDB the reset was a ROLLBACK round trip after every write.
    reads["pool_reset_on_return"] = None
    # No overflow: under steady load above the pool's size, SQLAlchemy closed each overflow
    # connection as it came back and opened another for the next request, a new server
    # connection (and its login) per request; waiting for a pooled one is far cheaper.
    return create_async_engine(url, pool_size=pool_size, max_overflow=0, pool_recycle=1800, **reads)


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
        if self.dialect == "sqlite":
            self.write_engine = _sqlite_engine(url, writer=True, pooled=pooled)
            self.read_engine = _sqlite_engine(url, writer=False, pooled=pooled)
        else:
            self.write_engine = _server_engine(url, writer=True, pooled=pooled, pool_size=pool_size)
            self.read_engine = _server_engine(url, writer=False, pooled=pooled, pool_size=pool_size)
        # Listen here for the write sessions' events (`event.listen(db.write_events, ...)`).
        self.write_events = sessionmaker()
        self.write_sessions = async_sessionmaker(
            self.write_engine, expire_on_commit=False, sync_session_class=self.write_events
        )
        self._reader = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self.plain_watch: StatementWatch | None = None  # see `Observability.watch_database`

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
        requests belongs to none of them)."""
        dialect = self.dialect
        bound = _bound(dialect, params)
        async with self.read_engine.connect() as connection:
            driver: Any = (await connection.get_raw_connection()).driver_connection
            fetched = _fetch(driver, dialect, sql, bound)
            watch = self.plain_watch if watched else None
            return _tuples(dialect, await _watched(watch, sql, bound, fetched, rows=len))

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncSession]:
        """A session whose reads see one consistent state (a read transaction on a server
        database; on SQLite the reader as before, which never blocks the writer)."""
        engine_sessions = self._reader if self.dialect == "sqlite" else self.write_sessions
        async with engine_sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        async with self.read_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()
