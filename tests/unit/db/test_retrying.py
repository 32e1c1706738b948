"""`Database.retrying` runs a transaction again only when the database chose it as a
deadlock's victim, whether the error comes wrapped by SQLAlchemy or straight from a driver
(a `PlainWrite`)."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pymysql
import pytest
from sqlalchemy.exc import OperationalError

from jwtpizza.db import TRANSACTION_ATTEMPTS, Database


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    return Database(f"sqlite+aiosqlite:///{tmp_path / 'retry.db'}")


def failing_first(error: Exception, runs: list[int]) -> object:
    async def transaction() -> str:
        runs.append(len(runs) + 1)
        if len(runs) == 1:
            raise error
        return "stored"

    return transaction


@pytest.mark.parametrize(
    "victim",
    [
        pymysql.err.OperationalError(1213, "Deadlock found when trying to get lock"),
        asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        asyncpg.exceptions.SerializationError("could not serialize access"),
        OperationalError("UPDATE", {}, pymysql.err.OperationalError(1213, "Deadlock found")),
    ],
    ids=["mariadb driver", "postgresql driver", "postgresql serialization", "sqlalchemy"],
)
async def test_a_deadlock_victim_runs_again(db: Database, victim: Exception) -> None:
    runs: list[int] = []
    assert await db.retrying(failing_first(victim, runs)) == "stored"  # type: ignore[arg-type]
    assert runs == [1, 2]


@pytest.mark.parametrize(
    "error",
    [
        pymysql.err.OperationalError(1205, "Lock wait timeout exceeded"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        ValueError(["an unhashable first argument"]),
        RuntimeError(1213),  # not a database's error, whatever its argument
    ],
    ids=["lock timeout", "unique violation", "unhashable argument", "not a database error"],
)
async def test_any_other_error_is_raised_as_it_is_after_one_run(
    db: Database, error: Exception
) -> None:
    runs: list[int] = []
    with pytest.raises(type(error)) as raised:
        await db.retrying(failing_first(error, runs))  # type: ignore[arg-type]
    assert raised.value is error and runs == [1]


async def test_a_victim_every_time_gives_up_after_the_last_attempt(db: Database) -> None:
    runs: list[int] = []

    async def always_a_victim() -> None:
        runs.append(1)
        raise asyncpg.exceptions.DeadlockDetectedError("deadlock detected")

    with pytest.raises(asyncpg.exceptions.DeadlockDetectedError):
        await db.retrying(always_a_victim)
    assert len(runs) == TRANSACTION_ATTEMPTS
