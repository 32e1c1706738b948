"""Active/standby ops: one leader, chosen by a lease row in ops' own database.

Every ops process tries, every `renew` seconds, one compare-and-set UPDATE of the lease row:
it takes the lease when it holds it already or when it has expired, and sets the expiry
`lease` seconds ahead. Exactly one process at a time can match that UPDATE (a server database
locks the row for the statement; SQLite has one writer), so exactly one holds the lease.
A process counts itself leader until `lease` seconds after the start of its last successful
renewal, never longer; a standby's UPDATE matches only after the expiry written by the last
leader, so the two never overlap while their clocks agree (NTP).

When the leader dies, its lease expires at most `lease` seconds after its death, and a
standby's next attempt, at most `renew` seconds later, takes it: takeover within
`lease + renew` seconds (13 s with the defaults).

Only the leader evaluates rules, notifies, pages, escalates, assembles incidents and probes;
a standby scrapes (so its samples are warm when it takes over) and serves reads.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import String, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from jwtpizza.clock import Clock
from jwtpizza.db import Database, UtcDateTime
from jwtpizza.ops.background import running
from jwtpizza.ops.base import Base
from jwtpizza.ops.errors import refusal

log = logging.getLogger("jwtpizza.ops.leadership")

LEASE_NAME = "ops"

OnGained = Callable[[], Awaitable[None]]


class Lease(Base):
    __tablename__ = "ops_leader_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Leadership(Protocol):
    """What the loops ask before they act: does this process lead?"""

    def is_leader(self) -> bool: ...


class AlwaysLeader:
    """A single ops process (tests that drive loops themselves): it always leads."""

    def is_leader(self) -> bool:
        return True


def default_holder(port: int) -> str:
    """This process's name in the lease row: its host and port. Two live processes never
    share both, and a process restarted after a crash reclaims its own lease at once instead
    of waiting for it to run out."""
    return f"{socket.gethostname()}:{port}"


class LeaderLease:
    """The lease of one process; `run()` renews or tries to take it until cancelled."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        holder: str,
        lease_seconds: float,
        renew_seconds: float,
    ) -> None:
        self._db = db
        self._clock = clock
        self.holder = holder
        self.lease = timedelta(seconds=lease_seconds)
        self.renew_seconds = renew_seconds
        self._until: datetime | None = None
        self._on_gained: list[OnGained] = []

    def on_gained(self, callback: OnGained) -> None:
        """Run `callback` each time this process becomes leader (before it acts as one)."""
        self._on_gained.append(callback)

    def is_leader(self) -> bool:
        return self._until is not None and self._clock.now() < self._until

    async def attempt(self) -> bool:
        """One renewal or takeover; whether this process leads now."""
        was = self.is_leader()
        started = self._clock.now()
        try:
            held = await self._compare_and_set(started)
        except SQLAlchemyError as error:
            log.warning("leader lease: the database refused the renewal: %s", refusal(error))
            return self.is_leader()  # still leads until the last lease runs out
        if not held:
            if was:
                log.warning("leader lease: %s lost the lease to another process", self.holder)
            self._until = None
            return False
        if not was:
            log.warning("leader lease: %s leads now", self.holder)
            for callback in self._on_gained:
                await callback()
        self._until = started + self.lease
        return True

    async def _compare_and_set(self, now: datetime) -> bool:
        expires = now + self.lease
        async with self._db.writer() as session:
            result = await session.execute(
                update(Lease)
                .where(
                    Lease.name == LEASE_NAME,
                    (Lease.holder == self.holder) | (Lease.expires_at <= now),
                )
                .values(holder=self.holder, expires_at=expires, acquired_at=now)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                return True
            if await session.get(Lease, LEASE_NAME) is not None:
                return False
        try:
            async with self._db.writer() as session:
                session.add(
                    Lease(name=LEASE_NAME, holder=self.holder, expires_at=expires, acquired_at=now)
                )
        except IntegrityError:  # another process created it first
            return False
        return True

    async def release(self) -> None:
        """Give the lease up at a clean stop, so a standby takes over at its next attempt."""
        if not self.is_leader():
            return
        self._until = None
        with suppress(SQLAlchemyError):
            async with self._db.writer() as session:
                await session.execute(
                    update(Lease)
                    .where(Lease.name == LEASE_NAME, Lease.holder == self.holder)
                    .values(expires_at=self._clock.now())
                )

    async def run(self) -> None:
        while True:
            try:
                await self.attempt()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("leader lease attempt failed")
            await self._clock.sleep(self.renew_seconds)


@asynccontextmanager
async def leading(lease: LeaderLease) -> AsyncIterator[None]:
    """Hold or wait for the lease while the app runs; give it up at the end."""
    await lease.attempt()
    try:
        async with running(lease.run(), name="leader-lease"):
            yield
    finally:
        await lease.release()
