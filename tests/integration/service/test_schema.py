"""The service's schema as the migrations leave it, on each database backend."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from jwtpizza.db import Database, UtcDateTime
from jwtpizza.service.auth.models import LimitEvent
from jwtpizza.service.auth.models import Session as TokenSession
from jwtpizza.service.database import Base
from jwtpizza.service.orders.models import FulfilmentJob, Order

MOMENT = datetime(2026, 11, 26, 10, 30, 15, 123456, tzinfo=UTC)


async def test_every_moment_keeps_its_microseconds(db: Database) -> None:
    """MariaDB keeps whole seconds in a plain DATETIME: a lease or an order's time would lose
    up to a second there."""
    rows = [
        Order(
            id=9001, diner_id=1, franchise_id=1, store_id=1, created_at=MOMENT, updated_at=MOMENT
        ),
        FulfilmentJob(order_id=9001, available_at=MOMENT, lease_until=MOMENT),
        TokenSession(token_id="t" * 64, user_id=1, created_at=MOMENT, expires_at=MOMENT),
        LimitEvent(key="k", attempt=None, settled=True, expires_at=MOMENT),
    ]
    async with db.writer() as session:
        for row in rows:  # one at a time: the job's order must be there first
            session.add(row)
            await session.flush()
    checked: set[tuple[str, str]] = set()
    async with db.reader() as session:
        for row in rows:
            table = type(row).__table__
            key = [getattr(row, column.key) for column in table.primary_key]
            moments = [c for c in table.columns if isinstance(c.type, UtcDateTime)]
            stored = (await session.execute(select(*moments).where(*(
                column == value for column, value in zip(table.primary_key, key, strict=True)
            )))).one()  # fmt: skip
            assert dict(zip([c.name for c in moments], stored, strict=True)) == {
                c.name: MOMENT for c in moments
            }
            checked |= {(table.name, c.name) for c in moments}
    every = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, UtcDateTime)
    }
    assert checked == every
