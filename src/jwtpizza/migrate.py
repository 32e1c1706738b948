"""Run a component's Alembic migrations from async code, without an alembic.ini.

Each component keeps its scripts in `<component>/migrations/`; its `env.py` reads the
connection handed over in `config.attributes`, so no engine is created twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from jwtpizza.db import Database


def alembic_config(script_location: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


async def upgrade(db: Database, script_location: Path, revision: str = "head") -> None:
    """Bring the database up to `revision`."""
    config = alembic_config(script_location)

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with db.write_engine.begin() as connection:
        await connection.run_sync(_run)


async def pending_revisions(db: Database, script_location: Path) -> list[str]:
    """Revisions not yet applied (empty when the schema is current)."""
    script = ScriptDirectory.from_config(alembic_config(script_location))

    def _current(connection: Connection) -> Any:
        return MigrationContext.configure(connection).get_current_heads()

    async with db.read_engine.connect() as connection:
        applied = set(await connection.run_sync(_current))
    head = script.get_current_head()
    if head is None or head in applied:
        return []
    return [
        rev.revision
        for rev in script.iterate_revisions(head, "base")
        if rev.revision not in applied
    ]
