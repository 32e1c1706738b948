"""Alembic migrations of the ops database, run programmatically at start.

Revisions are named `ops_000N`; each part of ops that owns tables adds the next one.
"""

from __future__ import annotations

from pathlib import Path

from jwtpizza.db import Database, migrate

HERE = Path(__file__).parent


async def upgrade(db: Database) -> None:
    """Migrate the ops database to the newest schema (idempotent)."""
    await migrate.upgrade(db, HERE)
