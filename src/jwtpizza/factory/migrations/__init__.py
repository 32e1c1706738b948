"""Alembic migrations of the factory database, run programmatically at start.

`upgrade(db)` brings the schema to head over an async engine, by handing Alembic a sync
connection through `run_sync`. There is no alembic.ini: the config is built here.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from jwtpizza.db import Database

HERE = Path(__file__).parent


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


async def upgrade(db: Database) -> None:
    """Migrate the factory database to the newest schema (idempotent)."""
    if db.dialect == "sqlite":
        path = db.write_engine.url.database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    async with db.write_engine.begin() as connection:
        await connection.run_sync(_upgrade)
