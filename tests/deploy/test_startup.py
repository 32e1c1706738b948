"""Bad input at start-up, as a container would meet it: each component started as a real
process (`jwtpizza service|factory|ops`) without its secret, against a database that cannot
be reached, or against a schema from a newer version, exits non-zero with one readable line
and never listens. A replica started against an older schema migrates it and serves."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest

from jwtpizza.db import Database, migrate
from jwtpizza.service.seed import MIGRATIONS
from tests.support.live import free_port
from tests.support.processes import JWTPIZZA
from tests.support.resilience import ServiceProcess

UNREACHABLE = {
    "postgresql": "postgresql+asyncpg://jwtpizza:secret@127.0.0.1:1/jwtpizza",
    "mysql": "mysql+aiomysql://jwtpizza:secret@127.0.0.1:1/jwtpizza",
}
SERVICE_SECRETS = {
    "JWTPIZZA_JWT_SECRET": "a-secret-for-this-test-only-0123456789",
    "JWTPIZZA_FACTORY_API_KEY": "factory-key-for-this-test",
}
DATABASE_SETTING = {
    "service": "JWTPIZZA_DATABASE_URL",
    "factory": "JWTPIZZA_FACTORY_DATABASE_URL",
    "ops": "JWTPIZZA_OPS_DATABASE_URL",
}
VERSION_TABLE = {
    "service": "alembic_version",
    "factory": "alembic_version_factory",
    "ops": "alembic_version_ops",
}


def start(component: str, tmp_path: Path, **env: str) -> tuple[int, list[str]]:
    """Run `jwtpizza <component>` until it exits (it must, within 30 s): its exit code and
    its output's non-empty lines."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}
    args = [str(JWTPIZZA), component, "--port", str(free_port())]
    if component == "service":
        args += ["--workers", "1"]
    done = subprocess.run(
        args,
        env={**clean, "JWTPIZZA_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    return done.returncode, [line for line in (done.stdout + done.stderr).splitlines() if line]


def assert_one_line(code: int, lines: list[str], expected: str) -> None:
    assert code != 0, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and expected in lines[0], lines


def test_the_service_without_its_secret_exits_with_one_line(tmp_path: Path) -> None:
    code, lines = start("service", tmp_path)
    assert_one_line(code, lines, "JWTPIZZA_JWT_SECRET must be set")


@pytest.mark.parametrize("server", ["postgresql", "mysql"])
@pytest.mark.parametrize("component", ["service", "factory", "ops"])
def test_an_unreachable_database_exits_with_one_line(
    component: str, server: str, tmp_path: Path
) -> None:
    code, lines = start(component, tmp_path, **SERVICE_SECRETS, **{
        DATABASE_SETTING[component]: UNREACHABLE[server]
    })  # fmt: skip
    assert_one_line(code, lines, "cannot reach the database")


@pytest.mark.parametrize("component", ["service", "factory", "ops"])
def test_a_schema_from_a_newer_version_exits_with_one_line(component: str, tmp_path: Path) -> None:
    path = tmp_path / f"{component}.db"
    with sqlite3.connect(path) as connection:
        table = VERSION_TABLE[component]
        connection.execute(f"CREATE TABLE {table} (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute(f"INSERT INTO {table} VALUES ('f00dcafe')")
    code, lines = start(component, tmp_path, **SERVICE_SECRETS, **{
        DATABASE_SETTING[component]: f"sqlite+aiosqlite:///{path}"
    })  # fmt: skip
    assert_one_line(code, lines, "migrated by a newer jwtpizza")


def test_a_replica_started_against_an_older_schema_migrates_it_and_serves(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"

    async def migrate_to_the_first_revision() -> None:
        db = Database(url, pooled=False)
        try:
            await migrate.upgrade(db, MIGRATIONS, revision="0001")
        finally:
            await db.dispose()

    asyncio.run(migrate_to_the_first_revision())
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}
    env = {**clean, **SERVICE_SECRETS, "JWTPIZZA_DATABASE_URL": url}
    service = ServiceProcess({**env, "JWTPIZZA_PORT": str(free_port())}, tmp_path / "s.log")
    service.start()
    try:
        assert httpx.get(f"{service.url}/readyz").status_code == 200
    finally:
        service.stop()
    with sqlite3.connect(tmp_path / "service.db") as connection:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version != "0001"
