"""The leader lease on every database backend (SQLite, MariaDB, PostgreSQL): two processes'
leases over one database and one clock; exactly one leads at any time, a standby takes over
only after the leader's lease has run out, and a clean stop hands over at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import partial

from jwtpizza.clock import FakeClock
from jwtpizza.db import Database
from jwtpizza.ops.leadership import LEASE_NAME, LeaderLease, Lease
from jwtpizza.ops.migrations import upgrade

LEASE, RENEW = 10.0, 3.0


def lease(db: Database, clock: FakeClock, holder: str) -> LeaderLease:
    return LeaderLease(db, clock=clock, holder=holder, lease_seconds=LEASE, renew_seconds=RENEW)


async def noted(gained: list[str], holder: str) -> None:
    gained.append(holder)


async def test_exactly_one_leads_and_a_standby_takes_over_after_the_lease(
    database_url: str,
) -> None:
    db = Database(database_url)
    await upgrade(db)
    clock = FakeClock(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    a, b = lease(db, clock, "a"), lease(db, clock, "b")
    gained: list[str] = []
    for one in (a, b):
        one.on_gained(partial(noted, gained, one.holder))
    try:
        assert await asyncio.gather(a.attempt(), b.attempt()) in ([True, False], [False, True])
        leader, standby = (a, b) if a.is_leader() else (b, a)
        for _ in range(5):  # the leader renews, the standby keeps trying
            clock.advance(RENEW)
            assert await leader.attempt() and not await standby.attempt()
        # The leader dies (stops renewing): the standby waits out its lease, then leads.
        clock.advance(LEASE - 0.5)
        assert not await standby.attempt()
        clock.advance(0.5)
        assert not leader.is_leader(), "a leader that could not renew stops leading"
        assert await standby.attempt() and standby.is_leader()
        async with db.reader() as session:
            held = await session.get(Lease, LEASE_NAME)
        assert held is not None and held.holder == standby.holder
        assert not await leader.attempt(), "the old leader comes back as a standby"
        # A clean stop hands the lease over at the other's next attempt.
        await standby.release()
        assert not standby.is_leader() and await leader.attempt()
        assert gained == [leader.holder, standby.holder, leader.holder]
    finally:
        await db.dispose()
