"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jwtpizza.db import Database
from jwtpizza.service.seed import migrate, seed_demo


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The service's database on each backend in turn, migrated, with the demo data."""
    database = Database(database_url)
    await migrate(database)
    await seed_demo(database, bcrypt_rounds=4)
    yield database
    await database.dispose()
