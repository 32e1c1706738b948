"""The readiness write probe (every backend): one write per `PROBE_SECONDS` however many ask,
shared by those who ask while it runs; a database that refuses writes (PostgreSQL in
read-only mode, a server that is not there) is a refusal, and writes working again end it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from jwtpizza.db import Database
from jwtpizza.readiness import PROBE_SECONDS, WriteProbe
from jwtpizza.service.seed import migrate
from tests.support.dbservers import database_urls, fresh_database


class Statements:
    """Counts the statements sent through the driver (a `StatementWatch`)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def started(self, statement: str) -> Any:
        self.sent.append(statement)

    def ended(self, *_args: Any, **_kwargs: Any) -> None:
        return None


async def test_many_askers_share_one_write_per_period(database_url: str) -> None:
    db = Database(database_url)
    await migrate(db)
    db.plain_watch = watch = Statements()
    now = [100.0]
    probe = WriteProbe(db, version_table="alembic_version", clock=lambda: now[0])
    try:
        assert await asyncio.gather(*(probe.refusal() for _ in range(50))) == [None] * 50
        assert await probe.refusal() is None
        now[0] += PROBE_SECONDS + 0.1
        assert await probe.refusal() is None
    finally:
        await db.dispose()
    updates = [s for s in watch.sent if s.startswith("UPDATE")]
    assert len(updates) == 2, watch.sent


@pytest.fixture(
    params=[
        pytest.param(b, marks=pytest.mark.postgresql, id=b)
        for b in database_urls()
        if b == "postgresql"
    ]
)
async def postgresql_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A new PostgreSQL database, if one is configured: read-only mode per database is
    PostgreSQL's (MariaDB's is server-wide, and the test servers are shared)."""
    async with fresh_database(request.param, tmp_path) as url:
        yield url


async def test_a_server_refusing_writes_is_a_refusal_until_it_takes_them(
    postgresql_url: str,
) -> None:
    server_database_url = postgresql_url
    setup = Database(server_database_url, pooled=False)
    await migrate(setup)
    name = setup.write_engine.url.database
    probe_db = Database(server_database_url, pooled=False)  # a new connection per probe
    now = [0.0]
    probe = WriteProbe(probe_db, version_table="alembic_version", clock=lambda: now[0])
    try:
        async with setup.write_engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
            )
            refusal = await probe.refusal()
            assert refusal is not None and "read-only" in refusal
            await connection.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
            )
        now[0] += PROBE_SECONDS + 0.1
        assert await probe.refusal() is None
    finally:
        await probe_db.dispose()
        await setup.dispose()


async def test_a_database_that_is_not_there_is_a_refusal() -> None:
    db = Database("postgresql+asyncpg://u:p@127.0.0.1:1/none", pooled=False)
    try:
        assert await WriteProbe(db, version_table="alembic_version").refusal()
    finally:
        await db.dispose()
