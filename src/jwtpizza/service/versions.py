"""Version stamps of data that every replica caches (the menu, the franchises; who may do
what, `auth`): one row per name, bumped in the same transaction as every write to that data.
A cached copy is served only while its stamp is still the one in the database, so a write on
any replica is seen by the next read on every replica; checking costs one primary-key read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Integer, String, Update, bindparam, event, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column

from jwtpizza.db import Database
from jwtpizza.service.database import Base

MENU = "menu"
AUTH = "auth"
FRANCHISES = "franchises"
# Not a cache's stamp: bumping it takes the row lock that runs the limit checks of every
# worker one at a time (see `service.auth.ratelimit`).
LIMITS = "limits"


class DataVersion(Base):
    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


async def current(*, session: AsyncSession | AsyncConnection, name: str) -> int | None:
    """The stamp of `name` now; None if its row is missing, and then nothing may be cached
    (a bump would have nothing to move)."""
    found: int | None = await session.scalar(_CURRENT, {"name": name})
    return found


# Built once: a statement built per call costs more to key for the compiled-SQL cache than
# the primary-key read it runs.
_CURRENT = select(DataVersion.version).where(DataVersion.name == bindparam("name"))


def bump_statement(name: str) -> Update:
    return (
        update(DataVersion)
        .where(DataVersion.name == name)
        .values(version=DataVersion.version + 1)
        .execution_options(synchronize_session=False)
    )


async def bump(*, session: AsyncSession, name: str) -> None:
    """Mark `name` as changed; call inside the transaction that changes it."""
    await session.execute(bump_statement(name))


def bump_on_writes(
    db: Database, *, name: str, changed: Callable[[Session], bool], tables: frozenset[str]
) -> None:
    """Bump `name` in every write transaction that changes its data, enforced here rather
    than at each call site: `changed(session)` looks at what a flush writes, and any bulk
    UPDATE or DELETE on one of `tables` counts too."""
    flag = f"jwtpizza_bump_{name}"

    def after_flush(session: Session, _flush: UOWTransaction) -> None:
        if changed(session):
            session.info[flag] = True

    def on_statement(state: ORMExecuteState) -> None:
        table = getattr(state.statement, "table", None)
        if (state.is_update or state.is_delete) and getattr(table, "name", None) in tables:
            state.session.info[flag] = True

    def before_commit(session: Session) -> None:
        # Commit runs this hook before its own flush: flush now, so changes still pending
        # (a `session.delete` just before the end of the block) are seen by `after_flush`.
        session.flush()
        if session.info.pop(flag, False):
            session.execute(bump_statement(name))

    def forget(session: Session, *_args: Any) -> None:
        session.info.pop(flag, None)

    event.listen(db.write_events, "after_flush", after_flush)
    event.listen(db.write_events, "do_orm_execute", on_statement)
    event.listen(db.write_events, "before_commit", before_commit)
    event.listen(db.write_events, "after_rollback", forget)
