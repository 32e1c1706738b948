"""This database's own name: a random identifier its first migration to 0005 stores.

The factory remembers each pizza by our vendor key and the order's Idempotency-Key. Order ids
alone start again at 1 in a new or reset database (and collide between two services sharing
a vendor key), so the factory would take a new order for the retry of an old one and refuse
it (409). The key is therefore this identifier and the order id: stable across retries of one
order, unique across databases.
"""

from __future__ import annotations

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from jwtpizza.db import Database
from jwtpizza.service.database import Base


class DatabaseIdentity(Base):
    __tablename__ = "database_identity"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)


async def database_id(db: Database) -> str:
    """The identifier the migrations stored in this database."""
    async with db.reader() as session:
        found = await session.scalar(select(DatabaseIdentity.id).order_by(DatabaseIdentity.id))
    if found is None:
        raise LookupError("the database has no identity: run `jwtpizza db migrate`")
    return found


def idempotency_key(database: str, order_id: int) -> str:
    """The factory's Idempotency-Key for an order (at most 43 characters; it allows 200)."""
    return f"{database}-{order_id}"
