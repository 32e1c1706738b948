"""Run a component's Alembic migrations from async code, without an alembic.ini.

Each component keeps its scripts in `<component>/migrations/`; its `env.py` reads the
connection handed over in `config.attributes`, so no engine is created twice.

Replicas that start together migrate once: the upgrade runs under a database-wide lock named
after the component (PostgreSQL's transaction advisory lock, MariaDB's `GET_LOCK`, SQLite's
write lock that `BEGIN IMMEDIATE` takes), so the others wait, then find the schema current.
A database migrated by a newer version (a revision this code does not know) is refused with
one readable line instead of a half-started server.
"""

from __future__ import annotations

import asyncio
import sys
import weakref
from pathlib import Path

# Alembic imports Mako's error pages, which would highlight a template's errors with Pygments:
# its lexers cost every process that migrates about 6 MB, for pages no component renders.
# Without the plugin Mako escapes such a page as plain text instead.
sys.modules.setdefault("mako.ext.pygmentplugin", None)  # type: ignore[arg-type]

from alembic import command, context  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.util.exc import CommandError  # noqa: E402
from sqlalchemy import MetaData, text  # noqa: E402
from sqlalchemy.engine import Connection  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncConnection  # noqa: E402

from jwtpizza.db import Database  # noqa: E402
from jwtpizza.settings import SettingsError  # noqa: E402

# How long a replica waits for another one's migration (MariaDB's GET_LOCK needs a bound).
LOCK_WAIT_SECONDS = 600

# Alembic's `op` and `context` are process-wide proxies, so two components migrating at once
# in one process (`jwtpizza up`) would tear down each other's: one migration at a time.
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _lock() -> asyncio.Lock:
    return _locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())


def alembic_config(script_location: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


def run_environment(metadata: MetaData, *, component: str, version_table: str) -> None:
    """The body of a component's `env.py`: run its scripts over the connection `upgrade()`
    hands over (always online), with `metadata` (every table of its models) as the target."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            f"run {component} migrations through jwtpizza.{component}.migrations.upgrade()"
        )
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        version_table=version_table,
    )
    with context.begin_transaction():
        context.run_migrations()


async def upgrade(db: Database, script_location: Path, revision: str = "head") -> None:
    """Bring the database up to `revision` (idempotent); an SQLite file's folder is created."""
    if db.dialect == "sqlite":
        path = db.write_engine.url.database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    config = alembic_config(script_location)

    name = f"jwtpizza-migrate-{script_location.parent.name}"

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, revision)
        except CommandError as exc:
            raise SettingsError(
                f"the {script_location.parent.name} database schema is not one this version "
                f"knows ({exc}): it was migrated by a newer jwtpizza"
            ) from exc

    async with _lock(), db.write_engine.begin() as connection:
        await _hold_database_lock(connection, db.dialect, name)
        try:
            await connection.run_sync(_run)
        finally:
            if db.dialect == "mysql":
                await connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": name})


async def _hold_database_lock(connection: AsyncConnection, dialect: str, name: str) -> None:
    """Wait for the migration lock `name` (SQLite: the transaction already holds the write
    lock). PostgreSQL releases it when the transaction ends, MariaDB when told or on close."""
    if dialect == "postgresql":
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name}
        )
    elif dialect == "mysql":
        query = text("SELECT GET_LOCK(:name, :wait)")
        got = await connection.scalar(query, {"name": name, "wait": LOCK_WAIT_SECONDS})
        if got != 1:
            raise SettingsError(
                f"another replica held the migration lock {name} for {LOCK_WAIT_SECONDS} s"
            )
