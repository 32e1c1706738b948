"""Alembic migrations of the factory database, run programmatically at start."""

from __future__ import annotations

from pathlib import Path

from jwtpizza.db import Database, migrate

HERE = Path(__file__).parent


async def upgrade(db: Database) -> None:
    """Migrate the factory database to the newest schema (idempotent)."""
    await migrate.upgrade(db, HERE)
