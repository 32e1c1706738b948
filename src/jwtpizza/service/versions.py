"""Version stamps of data that every replica caches (the menu, the franchises; who may do
what, `auth`): one row per name, bumped in the same transaction as every write to that data.
A cached copy is served only while its stamp is still the one in the database, so a write on
any replica is seen by the next read on every replica.

How that holds without a read of the stamps per request: a lease.
- Each process reads every stamp in one small read, and takes the answer as current for
  LEASE_SECONDS from the moment the read was sent, sharing it with every request that asks
  meanwhile. Requests that ask once it has expired wait for the next read, sent after they
  asked (at the next turn of the event loop, or when the read on the wire ends), and share
  it too.
- A write that bumps a cache's stamp holds its caller for LEASE_SECONDS after its COMMIT
  (`db.hold_after_commit`): the write has not returned before every lease taken on a read
  that missed it has run out.
So a read that starts after a write has returned is served from a read of the stamps sent
after that write committed, on every replica, as if it had read them itself. Under load a
process reads the stamps once per lease instead of once per request; a write that changes
the menu, a franchise, a user, a role, or ends a session takes LEASE_SECONDS longer.
Durations are measured on the monotonic clock, whose rate every process shares."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import Integer, String, Update, event, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column

from jwtpizza.db import Database, hold_after_commit
from jwtpizza.db import statements as sql
from jwtpizza.service.database import Base

MENU = "menu"
AUTH = "auth"
FRANCHISES = "franchises"
# Not a cache's stamp: bumping it takes the row lock that runs the limit checks of every
# worker one at a time (see `service.auth.ratelimit`).
LIMITS = "limits"
# How long a read of the stamps stays current, and so how long a write that bumps one is held
# after its COMMIT. Under load each process reads the stamps about 1/LEASE_SECONDS times a
# second.
LEASE_SECONDS = 0.02
# A write is held a little longer than a lease: the event loop may end a sleep a clock tick
# early, and two hosts' monotonic clocks may run at rates a few hundred ppm apart.
HOLD_MARGIN = 1.05


class DataVersion(Base):
    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Stamps:
    """Per process: the current stamps, under a lease of LEASE_SECONDS from when they were
    read (see above).

    At most one read is on the wire at a time. Requests that ask while one is, once the lease
    has run out, share the next, sent as soon as it ends."""

    def __init__(self, db: Database, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._monotonic = monotonic
        self._known: dict[str, int] = {}
        self._expires = float("-inf")  # on the monotonic clock: when `_known` stops being current
        self._next: asyncio.Future[dict[str, int]] | None = None
        self._sending: asyncio.Task[None] | None = None  # the read last sent, maybe ended

    async def current(self, name: str) -> int | None:
        """The stamp of `name` as of this call; None if its row is missing, and then nothing
        may be cached (a bump would have nothing to move)."""
        if self._monotonic() < self._expires:
            return self._known.get(name)
        answer = self._next
        if answer is None:
            answer = self._next = asyncio.get_running_loop().create_future()
            answer.add_done_callback(_retrieve)
            # A new task first runs on the next turn of the loop, after every request of
            # this one has asked; `shield` keeps it going for the others if one is cancelled.
            self._sending = asyncio.create_task(self._read(answer, after=self._sending))
        return (await asyncio.shield(answer)).get(name)

    async def _read(
        self, answer: asyncio.Future[dict[str, int]], after: asyncio.Task[None] | None
    ) -> None:
        try:
            if after is not None and not after.done():
                await asyncio.wait([after])  # meanwhile, whoever asks joins this read
            # Whoever asks from now on was not here before the read was sent: they get a new
            # one, or this one's lease.
            self._next = None
            sent = self._monotonic()
            rows = await self._db.read_plain(sql.ALL_VERSIONS, watched=False)
        except asyncio.CancelledError:
            if self._next is answer:
                self._next = None
            answer.cancel()
            raise
        except Exception as error:
            answer.set_exception(error)
        else:
            # Reads go one at a time, so this one was sent after any whose lease it replaces.
            self._known = {name: version for name, version in rows}
            self._expires = sent + LEASE_SECONDS
            answer.set_result(self._known)


def _retrieve(answer: asyncio.Future[dict[str, int]]) -> None:
    """A failed read whose requests were all cancelled is not reported as never retrieved."""
    if not answer.cancelled():
        answer.exception()


@cache  # one statement per name, built once: a write that bumps runs it as it is
def bump_statement(name: str) -> Update:
    return (
        update(DataVersion)
        .where(DataVersion.name == name)
        .values(version=DataVersion.version + 1)
        .execution_options(synchronize_session=False)
    )


async def bump(*, session: AsyncSession, name: str) -> None:
    """Mark `name` as changed; call inside the `db.writer()` transaction that changes it, which
    then holds its caller for the lease after it commits."""
    await session.execute(bump_statement(name))
    hold_after_commit(session, LEASE_SECONDS * HOLD_MARGIN)


def bump_on_writes(
    db: Database, *, name: str, changed: Callable[[Session], bool], tables: frozenset[str]
) -> None:
    """Bump `name` in every write transaction that changes its data (and hold its caller for
    the lease after COMMIT), enforced here rather than at each call site: `changed(session)`
    looks at what a flush writes, and any bulk UPDATE or DELETE on one of `tables` counts
    too."""
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
            hold_after_commit(session, LEASE_SECONDS * HOLD_MARGIN)

    def forget(session: Session, *_args: Any) -> None:
        session.info.pop(flag, None)

    event.listen(db.write_events, "after_flush", after_flush)
    event.listen(db.write_events, "do_orm_execute", on_statement)
    event.listen(db.write_events, "before_commit", before_commit)
    event.listen(db.write_events, "after_rollback", forget)
