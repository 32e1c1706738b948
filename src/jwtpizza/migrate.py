"""Run a component's Alembic migrations from async code, without an alembic.ini.

Each component keeps its scripts in `<component>/migrations/`; its `env.py` reads the
connection handed over in `config.attributes`, so no engine is created twice.
"""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from jwtpizza.db import Database

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


async def upgrade(db: Database, script_location: Path, revision: str = "head") -> None:
    """Bring the database up to `revision` (idempotent); an SQLite file's folder is created."""
    if db.dialect == "sqlite":
        path = db.write_engine.url.database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    config = alembic_config(script_location)

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with _lock(), db.write_engine.begin() as connection:
        await connection.run_sync(_run)
