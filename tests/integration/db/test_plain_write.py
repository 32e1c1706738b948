"""`Database.plain_writer`: a write transaction sent straight to the driver stores exactly
what the ORM would, commits or rolls back as a whole, and survives being a deadlock's victim
(on each database backend)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, text

from jwtpizza.db import Database
from jwtpizza.service.orders import service as orders
from jwtpizza.service.orders.models import FulfilmentJob, Order, OrderItem, OrderStatus
from jwtpizza.service.orders.schemas import OrderIn
from tests.support.dbservers import database_urls

NOW = datetime(2026, 11, 26, 7, 30, 15, 123456, tzinfo=UTC)
REQUEST = OrderIn.model_validate(
    {"franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "description": "Veggie"},
                                                {"menuId": 2, "description": "Pepperoni"}]}
)  # fmt: skip


async def prices(db: Database) -> dict[int, tuple[str, Decimal]]:
    return await orders.price(db=db, request=REQUEST)


async def place_plain(db: Database, **extra: Any) -> int:
    async with db.plain_writer() as write:
        order = await orders.place(
            write=write, diner_id=3, request=REQUEST, prices=await prices(db), now=NOW, **extra
        )
    return order.id


async def place_orm(db: Database) -> int:
    """The same order stored through the ORM's unit of work, as the rest of the ledger does."""
    found = await prices(db)
    async with db.writer() as session:
        order = Order(
            diner_id=3, franchise_id=1, store_id=1, created_at=NOW, updated_at=NOW,
            status=OrderStatus.PENDING,
            items=[OrderItem(menu_id=i.menuId, description=found[i.menuId][0],
                             price=found[i.menuId][1]) for i in REQUEST.items],
        )  # fmt: skip
        session.add(order)
        await session.flush()
        session.add(FulfilmentJob(order_id=order.id, available_at=NOW, attempts=0))
    return order.id


async def stored(db: Database, order_id: int) -> list[tuple[Any, ...]]:
    """The rows of an order as the database keeps them (no type conversion on the way out)."""
    async with db.read_engine.connect() as connection:
        rows = []
        for sql in (
            "SELECT diner_id, franchise_id, store_id, created_at, updated_at, status, jwt,"
            " reason, report_url FROM orders WHERE id = :id",
            "SELECT menu_id, description, price FROM order_items WHERE order_id = :id ORDER BY id",
            "SELECT available_at, attempts, done, lease_owner, lease_until, last_error"
            " FROM fulfilment_jobs WHERE order_id = :id",
        ):
            rows += [tuple(row) for row in await connection.execute(text(sql), {"id": order_id})]
        return rows


async def test_an_order_is_stored_exactly_as_the_orm_stores_it(db: Database) -> None:
    plain, orm = await place_plain(db), await place_orm(db)
    assert plain != orm
    assert await stored(db, plain) == await stored(db, orm)
    async with db.reader() as session:
        order, twin = [
            await orders.get_for(session=session, order_id=i, diner_id=None) for i in (plain, orm)
        ]
        job = await session.get(FulfilmentJob, plain)
    assert (
        order.created_at
        == twin.created_at
        == NOW.replace(
            microsecond=order.created_at.microsecond  # MariaDB's columns keep whole seconds
        )
    )
    assert (order.status, order.diner_id) == (OrderStatus.PENDING, 3)
    assert [(i.menu_id, i.price) for i in order.items] == [
        (1, Decimal("0.0038")),
        (2, Decimal("0.0042")),
    ]
    assert job is not None and (job.available_at, job.done, job.attempts) == (
        order.created_at, False, 0,
    )  # fmt: skip


async def test_a_pizza_is_recorded_once_and_only_on_an_open_order(db: Database) -> None:
    lease = orders.Lease("worker-1", NOW)
    order_id = await place_plain(db, lease=lease)
    later = NOW.replace(second=40)
    async with db.plain_writer() as write:
        assert await orders.fulfil(
            write=write, order_id=order_id, jwt="a.b.c", report_url=None, now=later
        )
    async with db.plain_writer() as write:  # a second worker's late pizza changes nothing
        assert not await orders.fulfil(
            write=write, order_id=order_id, jwt="x.y.z", report_url="http://f/r", now=NOW
        )
    async with db.reader() as session:
        order = await orders.get_for(session=session, order_id=order_id, diner_id=None)
        job = await session.get(FulfilmentJob, order_id)
    assert (order.status, order.jwt, order.report_url) == (OrderStatus.FULFILLED, "a.b.c", None)
    assert order.updated_at.replace(microsecond=0) == later.replace(microsecond=0)
    assert job is not None and (job.done, job.lease_owner, job.lease_until) == (True, None, None)


async def order_count(db: Database) -> int:
    async with db.reader() as session:
        return len(list(await session.scalars(select(Order.id))))


async def test_a_failed_statement_undoes_the_whole_transaction(db: Database) -> None:
    before = await order_count(db)
    with pytest.raises(Exception, match=r"(?i)no such table|doesn.t exist|does not exist"):
        async with db.plain_writer() as write:
            await orders.place(
                write=write, diner_id=3, request=REQUEST, prices=await prices(db), now=NOW
            )
            await write.execute("UPDATE no_such_table SET x = ?", 1)
    assert await order_count(db) == before
    await place_plain(db)  # the writer's connection goes on
    assert await order_count(db) == before + 1


async def test_a_cancelled_write_leaves_nothing_and_the_writer_goes_on(db: Database) -> None:
    before = await order_count(db)
    stored_order = asyncio.Event()

    async def place_then_wait() -> None:
        async with db.plain_writer() as write:
            await orders.place(
                write=write, diner_id=3, request=REQUEST, prices=await prices(db), now=NOW
            )
            stored_order.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(place_then_wait())
    await asyncio.wait_for(stored_order.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await order_count(db) == before
    await asyncio.wait_for(place_plain(db), 10)
    assert await order_count(db) == before + 1


@pytest.fixture
async def server_db(server_database_url: str) -> AsyncIterator[Database]:
    database = Database(server_database_url)
    async with database.write_engine.begin() as connection:
        await connection.execute(text("CREATE TABLE pair (id INTEGER PRIMARY KEY, n INTEGER)"))
        await connection.execute(text("INSERT INTO pair VALUES (1, 0), (2, 0)"))
    yield database
    await database.dispose()


async def test_a_deadlock_victim_runs_again_and_both_writes_land(server_db: Database) -> None:
    """Two plain transactions take the same two rows in opposite orders: the server aborts
    one with its driver's deadlock error, which `retrying` knows, and runs it again."""
    both_hold_one = asyncio.Barrier(2)
    runs: list[int] = []

    def transaction(first: int, second: int) -> Any:
        async def run() -> None:
            runs.append(first)
            async with server_db.plain_writer() as write:
                await write.execute("UPDATE pair SET n = n + 1 WHERE id = ?", first)
                if runs.count(first) == 1:
                    await asyncio.wait_for(both_hold_one.wait(), 10)
                await write.execute("UPDATE pair SET n = n + 1 WHERE id = ?", second)

        return run

    await asyncio.wait_for(
        asyncio.gather(
            server_db.retrying(transaction(1, 2)), server_db.retrying(transaction(2, 1))
        ),
        60,
    )
    assert sorted(runs) in ([1, 1, 2], [1, 2, 2])  # one of them ran twice
    async with server_db.read_engine.connect() as connection:
        counts = list(await connection.execute(text("SELECT n FROM pair ORDER BY id")))
    assert [n for (n,) in counts] == [2, 2]


@pytest.fixture
async def one_writer(database_url: str) -> AsyncIterator[Database]:
    """A database whose writer pool holds a single connection, so each write reuses it."""
    database = Database(database_url, pool_size=1)
    async with database.write_engine.begin() as connection:
        await connection.execute(text("CREATE TABLE pizza (id INTEGER PRIMARY KEY, name TEXT)"))
    yield database
    await database.dispose()


async def pizza_names(db: Database) -> list[str]:
    return [name for (name,) in await db.read_plain("SELECT name FROM pizza ORDER BY id")]


@pytest.mark.parametrize("failing", ["session", "plain"])
async def test_a_write_that_failed_leaves_no_transaction_open_for_the_next(
    one_writer: Database, failing: str
) -> None:
    """The pool does not roll a connection back when it comes back (no round trip): every
    failed write must end its own transaction, or the next write's COMMIT would store it."""
    with pytest.raises(RuntimeError, match="the oven caught fire"):
        if failing == "session":
            async with one_writer.writer() as session:
                await session.execute(text("INSERT INTO pizza VALUES (1, 'lost')"))
                raise RuntimeError("the oven caught fire")
        async with one_writer.plain_writer() as write:
            await write.execute("INSERT INTO pizza VALUES (?, ?)", 1, "lost")
            raise RuntimeError("the oven caught fire")
    async with one_writer.plain_writer() as write:
        await write.execute("INSERT INTO pizza VALUES (?, ?)", 2, "kept")
    assert await pizza_names(one_writer) == ["kept"]


COUNTERS = "SHOW SESSION STATUS WHERE Variable_name IN ('Com_commit', 'Com_rollback')"


@pytest.mark.parametrize(
    "server_backend",
    [pytest.param(b, marks=pytest.mark.mysql) for b in database_urls() if b == "mysql"],
)
async def test_mariadb_sends_no_rollback_when_a_writer_comes_back(
    server_database_url: str,
) -> None:
    database = Database(server_database_url, pool_size=1)

    async def counters() -> dict[str, int]:
        """Read on the writer's connection past SQLAlchemy, which would open a transaction."""
        async with database.write_engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            async with driver.cursor() as cursor:
                await cursor.execute(COUNTERS)
                rows = await cursor.fetchall()
        return {name: int(value) for name, value in rows}

    try:
        async with database.plain_writer() as write:
            await write.execute("CREATE TABLE pizza (id INTEGER PRIMARY KEY)")
        before = await counters()
        for n in range(3):
            async with database.plain_writer() as write:
                await write.execute("INSERT INTO pizza VALUES (?)", n)
        async with database.writer() as session:
            await session.execute(text("INSERT INTO pizza VALUES (3)"))
        after = await counters()
    finally:
        await database.dispose()
    assert after["Com_commit"] - before["Com_commit"] == 4
    assert after["Com_rollback"] == before["Com_rollback"]
