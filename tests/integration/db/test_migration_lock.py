"""Replicas starting together migrate once: several processes run the same upgrade at the
same moment on a fresh database; one runs the scripts, the others wait and find it current.
A database migrated by a newer version is refused with a readable error."""

from __future__ import annotations

import asyncio
import sys
from asyncio.subprocess import PIPE

import pytest
from sqlalchemy import text

from jwtpizza.db import Database
from jwtpizza.service.seed import migrate
from jwtpizza.settings import SettingsError

MIGRATOR = """
import asyncio, logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
from jwtpizza.db import Database
from jwtpizza.service.seed import migrate

async def main(url):
    db = Database(url, pooled=False)
    print("ready", flush=True)
    sys.stdin.readline()  # every migrator starts at the same moment
    try:
        await migrate(db)
    finally:
        await db.dispose()

asyncio.run(main(sys.argv[1]))
"""


async def run_together(url: str, count: int) -> list[tuple[int, str]]:
    """`count` migrator processes, released together once each has imported everything."""
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", MIGRATOR, url, stdin=PIPE, stdout=PIPE, stderr=PIPE
        )
        for _ in range(count)
    ]
    for process in processes:
        assert process.stdout is not None
        assert await process.stdout.readline() == b"ready\n"
    outcomes = await asyncio.gather(*(process.communicate(b"go\n") for process in processes))
    return [
        (process.returncode or 0, err.decode())
        for process, (_, err) in zip(processes, outcomes, strict=True)
    ]


@pytest.mark.slow
async def test_concurrent_migrators_migrate_once(database_url: str) -> None:
    results = await run_together(database_url, 4)
    assert [code for code, _ in results] == [0, 0, 0, 0], [err for _, err in results]
    migrators = [err for _, err in results if "Running upgrade" in err]
    assert len(migrators) == 1, results
    db = Database(database_url, pooled=False)
    try:
        async with db.write_engine.connect() as connection:
            versions = (await connection.execute(text("SELECT * FROM alembic_version"))).all()
        assert len(versions) == 1
    finally:
        await db.dispose()


async def test_a_newer_schema_is_refused_readably(database_url: str) -> None:
    db = Database(database_url, pooled=False)
    try:
        await migrate(db)
        async with db.write_engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe'"))
        with pytest.raises(SettingsError, match="migrated by a newer jwtpizza"):
            await migrate(db)
    finally:
        await db.dispose()
