"""Readers held out of the pool for `Database.read_plain` (on the server databases): each read
sees what was committed before it, a connection whose read failed or was cancelled is never
used again, a held connection goes back to the pool when it has been held long enough, and
`dispose` gives them all back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from jwtpizza.db import Database, held
from jwtpizza.db import statements as sql
from jwtpizza.service.seed import migrate, seed_demo

VERSION = "SELECT version FROM data_versions WHERE name = ?"


@pytest.fixture
async def db(server_database_url: str) -> AsyncIterator[Database]:
    database = Database(server_database_url, pool_size=4)
    await migrate(database)
    await seed_demo(database, bcrypt_rounds=4)
    yield database
    await database.dispose()


async def bump(db: Database) -> None:
    async with db.writer() as session:
        await session.execute(text("UPDATE data_versions SET version = version + 1"))


def readers(db: Database) -> held.HeldReaders:
    assert db.held_readers is not None
    return db.held_readers


async def test_a_held_reader_sees_every_commit_before_its_read(db: Database) -> None:
    first = await db.read_plain(VERSION, "menu")
    assert readers(db).held == 1
    for expected in range(first[0][0] + 1, first[0][0] + 4):
        await bump(db)
        assert await db.read_plain(VERSION, "menu") == [(expected,)]
    assert readers(db).held == 1  # the same connection each time, in autocommit


async def test_reads_beyond_the_held_ones_take_the_pool(db: Database) -> None:
    rows = await asyncio.gather(*(db.read_plain(sql.ALL_VERSIONS) for _ in range(10)))
    assert all(found == rows[0] for found in rows)
    assert readers(db).held == 2  # half the pool of 4 at most


async def test_a_failed_or_cancelled_read_drops_its_connection(db: Database) -> None:
    await db.read_plain(VERSION, "menu")
    with pytest.raises(Exception, match=r"(?i)no_such_table|doesn.t exist|does not exist"):
        await db.read_plain("SELECT x FROM no_such_table")
    assert readers(db).held == 0
    slow = asyncio.create_task(db.read_plain(sleep_sql(db)))
    await asyncio.sleep(0.2)
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    assert readers(db).held == 0
    assert await db.read_plain(VERSION, "menu")  # a fresh connection, in a clean state


def sleep_sql(db: Database) -> str:
    return "SELECT pg_sleep(5)" if db.dialect == "postgresql" else "SELECT SLEEP(5)"


async def test_a_connection_held_long_enough_goes_back_to_the_pool(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await db.read_plain(VERSION, "menu")
    monkeypatch.setattr(held, "RECYCLE_SECONDS", 0.0)
    await db.read_plain(VERSION, "menu")
    assert readers(db).held == 0


async def test_dispose_gives_the_held_readers_back(db: Database) -> None:
    await asyncio.gather(*(db.read_plain(VERSION, "menu") for _ in range(3)))
    assert readers(db).held == 2
    await db.dispose()
    assert readers(db).held == 0
    assert db.read_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
