"""Each configured database backend works: a fresh database, rows, and row locks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

metadata = MetaData()
jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(40), nullable=False),
)
ROWS = [{"id": 1, "name": "veggie"}, {"id": 2, "name": "pepperoni"}, {"id": 3, "name": "margarita"}]


async def _engine_with_jobs(url: str) -> AsyncEngine:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(jobs.insert(), ROWS)
    return engine


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = await _engine_with_jobs(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def server_engine(server_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = await _engine_with_jobs(server_database_url)
    yield engine
    await engine.dispose()


async def test_each_test_gets_a_new_empty_database(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    assert tables == []


async def test_rows_written_are_read_back(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        result = await connection.execute(select(jobs.c.name).order_by(jobs.c.id))
    assert result.scalars().all() == ["veggie", "pepperoni", "margarita"]


async def test_the_server_supports_skip_locked(server_engine: AsyncEngine) -> None:
    async with server_engine.connect():
        dialect = server_engine.dialect
    version = dialect.server_version_info or ()
    if dialect.name == "mysql":
        # SKIP LOCKED arrived in MariaDB 10.6 and MySQL 8.0.
        assert version >= ((10, 6) if getattr(dialect, "is_mariadb", False) else (8, 0))


async def test_skip_locked_passes_over_rows_another_transaction_holds(
    server_engine: AsyncEngine,
) -> None:
    """What lets several outbox workers claim different rows without waiting on each other."""
    claim = select(jobs.c.id).order_by(jobs.c.id).limit(1).with_for_update(skip_locked=True)
    async with server_engine.connect() as first, server_engine.connect() as second:
        async with first.begin():
            assert (await first.execute(claim)).scalar_one() == 1
            async with second.begin():
                claimed = await asyncio.wait_for(second.execute(claim), timeout=10)
                assert claimed.scalar_one() == 2
        async with second.begin():
            assert (await second.execute(claim)).scalar_one() == 1
