"""The one door for raw SQL: statements sent straight to the driver, past SQLAlchemy.

For the hottest reads and writes, SQLAlchemy's execution (compiled-statement cache, contexts,
greenlet hops, result processing) cost more CPU than the statements themselves. `PlainWrite`
runs the statements of one write transaction, `fetch_plain` one read; both take fixed SQL with
`?` placeholders (from `jwtpizza.db.statements`, the only place outside this package where
SQL text is written) and write it in each driver's own style.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, Protocol, TypeVar

from jwtpizza.db.types import naive_utc

T = TypeVar("T")


class StatementWatch(Protocol):
    """Told of each statement a `PlainWrite` sends, as SQLAlchemy's cursor events tell of the
    others (so plain statements are traced, counted and logged like every other)."""

    def started(self, statement: str) -> Any:
        """A token for `ended`."""
        ...

    def ended(
        self,
        token: Any,
        statement: str,
        parameters: Any,
        *,
        rows: int | None,
        error: BaseException | None = None,
    ) -> None: ...


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
    watch: StatementWatch | None,
    sql: str,
    params: Any,
    sent: Awaitable[T],
    *,
    rows: Callable[[T], int],
) -> T:
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

    @property
    def dialect(self) -> str:
        """`sqlite`, `mysql` or `postgresql`: for a statement written per dialect."""
        return self._dialect

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
            await self._send("BEGIN IMMEDIATE", (), fetch_id=False)  # see `jwtpizza.db.sqlite`
        elif self._dialect == "postgresql":
            await self._send("BEGIN", (), fetch_id=False)
        # MariaDB/MySQL's connections are not in autocommit: the first statement opens the
        # transaction.

    async def end(self, *, commit: bool) -> None:
        if self._dialect == "mysql":
            await (self._driver.commit() if commit else self._driver.rollback())
        else:
            await self._send("COMMIT" if commit else "ROLLBACK", (), fetch_id=False)


async def fetch_plain(
    driver: Any, dialect: str, watch: StatementWatch | None, sql: str, params: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """The rows of one fixed read on a driver connection, `watch` told of it."""
    bound = _bound(dialect, params)
    fetched = _fetch(driver, dialect, sql, bound)
    return _tuples(dialect, await _watched(watch, sql, bound, fetched, rows=len))
