"""`versions.Stamps`: one read of the stamps for all the requests of one loop turn or of one
lease, and never an answer older than a write that returned before the asking (on each
database backend)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import select

from jwtpizza.db import Database
from jwtpizza.service import versions
from jwtpizza.service.franchises.cache import watch_franchise_writes
from jwtpizza.service.franchises.models import Franchise


def track_stamp_reads(db: Database, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """Every read of the stamps as it is sent, and as it returns; each still goes to the
    database."""
    sent: list[str] = []
    returned: list[str] = []
    read_plain = db.read_plain

    async def counted(sql: str, *params: Any, watched: bool = True) -> list[tuple[Any, ...]]:
        sent.append(sql)
        rows = await read_plain(sql, *params, watched=watched)
        returned.append(sql)
        return rows

    monkeypatch.setattr(db, "read_plain", counted)
    return sent, returned


def count_stamp_reads(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every read of the stamps, each still sent to the database."""
    return track_stamp_reads(db, monkeypatch)[0]


async def test_a_plain_read_answers_as_the_orm_does(db: Database) -> None:
    async with db.write_sessions() as session, session.begin():
        await versions.bump(session=session, name=versions.AUTH)
    columns = select(versions.DataVersion.name, versions.DataVersion.version)
    async with db.reader() as session:
        expected = {(name, version) for name, version in await session.execute(columns)}
    rows = await db.read_plain("SELECT name, version FROM data_versions")
    assert set(rows) == expected and len(rows) == len(expected) >= 2
    assert all(type(name) is str and type(version) is int for name, version in rows)


async def test_the_requests_of_one_loop_turn_share_one_read(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamps = versions.Stamps(db)
    reads = count_stamp_reads(db, monkeypatch)
    answers = await asyncio.gather(
        *(stamps.current(name) for name in [versions.MENU, versions.AUTH] * 25)
    )
    assert len(reads) == 1
    assert answers[0::2] == [answers[0]] * 25 and answers[1::2] == [answers[1]] * 25
    assert None not in answers


async def test_a_write_committed_before_asking_is_in_the_answer(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamps = versions.Stamps(db)
    reads = count_stamp_reads(db, monkeypatch)
    before = await stamps.current(versions.MENU)
    async with db.writer() as session:
        await versions.bump(session=session, name=versions.MENU)
    assert await stamps.current(versions.MENU) == (before or 0) + 1
    assert len(reads) == 2


async def test_one_caller_cancelled_does_not_cancel_the_read_for_the_others(db: Database) -> None:
    stamps = versions.Stamps(db)
    first = asyncio.create_task(stamps.current(versions.MENU))
    second = asyncio.create_task(stamps.current(versions.MENU))
    await asyncio.sleep(0)  # both have asked
    first.cancel()
    assert isinstance(await second, int)
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_requests_asking_while_a_read_is_on_the_wire_share_the_next_one(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamps = versions.Stamps(db)
    reads, returned = track_stamp_reads(db, monkeypatch)
    first = asyncio.create_task(stamps.current(versions.MENU))
    await asyncio.sleep(0)  # the first read is sent
    later: list[asyncio.Task[int | None]] = []
    while not returned and len(later) < 50:  # one more request each turn meanwhile
        later.append(asyncio.create_task(stamps.current(versions.MENU)))
        await asyncio.sleep(0)
    answers = await asyncio.gather(first, *later)
    assert len(reads) == (2 if later else 1), (len(reads), len(later))
    assert answers == [answers[0]] * len(answers) and answers[0] is not None


class SteppedClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_within_a_lease_the_stamps_are_not_read_again(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = SteppedClock()
    stamps = versions.Stamps(db, monotonic=clock)
    reads = count_stamp_reads(db, monkeypatch)
    first = await stamps.current(versions.MENU)
    clock.now += versions.LEASE_SECONDS * 0.99
    assert await stamps.current(versions.MENU) == first
    assert await stamps.current(versions.AUTH) is not None
    assert len(reads) == 1
    clock.now += versions.LEASE_SECONDS * 0.01
    await stamps.current(versions.MENU)
    assert len(reads) == 2


async def test_a_lease_runs_from_when_the_read_was_sent_not_when_it_returned(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow read may have seen the database at any moment after it was sent: its answer is
    current only until the lease counted from then runs out."""
    clock = SteppedClock()
    stamps = versions.Stamps(db, monotonic=clock)
    sent: list[float] = []
    read_plain = db.read_plain

    async def slow(sql: str, *params: Any, watched: bool = True) -> list[tuple[Any, ...]]:
        sent.append(clock.now)
        rows = await read_plain(sql, *params, watched=watched)
        clock.now += versions.LEASE_SECONDS * 0.75  # the read took most of a lease
        return rows

    monkeypatch.setattr(db, "read_plain", slow)
    await stamps.current(versions.MENU)
    clock.now = sent[0] + versions.LEASE_SECONDS * 0.99
    await stamps.current(versions.MENU)
    assert len(sent) == 1
    clock.now = sent[0] + versions.LEASE_SECONDS
    await stamps.current(versions.MENU)
    assert len(sent) == 2


async def elapsed(write: Any) -> float:
    start = time.monotonic()
    await write()
    return time.monotonic() - start


async def test_only_a_write_that_bumps_a_cache_stamp_holds_its_caller_for_the_lease(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(versions, "LEASE_SECONDS", 2.0)
    watch_franchise_writes(db)

    async def bump_menu() -> None:
        async with db.writer() as session:
            await versions.bump(session=session, name=versions.MENU)

    async def add_franchise() -> None:  # bumped by the listener, not by the call site
        async with db.writer() as session:
            session.add(Franchise(name="Held"))

    async def bump_limits() -> None:  # the rate limits' row lock, not a cache
        async with db.writer() as session:
            await session.execute(versions.bump_statement(versions.LIMITS))

    async def failed_bump() -> None:
        with pytest.raises(RuntimeError):
            async with db.writer() as session:
                await versions.bump(session=session, name=versions.MENU)
                raise RuntimeError

    assert await elapsed(bump_menu) >= 2.0
    assert await elapsed(add_franchise) >= 2.0
    assert await elapsed(bump_limits) < 1.0
    assert await elapsed(failed_bump) < 1.0


async def test_a_write_that_returned_is_in_the_next_answer_of_a_replica_holding_a_lease(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two replicas, each with its own stamps, on one database and the real monotonic clock."""
    monkeypatch.setattr(versions, "LEASE_SECONDS", 0.4)
    other = Database(db.url)
    try:
        writer_side, reader_side = versions.Stamps(db), versions.Stamps(other)
        before = await reader_side.current(versions.MENU)
        await writer_side.current(versions.MENU)
        async with db.writer() as session:
            await versions.bump(session=session, name=versions.MENU)
        assert await reader_side.current(versions.MENU) == (before or 0) + 1
        assert await writer_side.current(versions.MENU) == (before or 0) + 1
    finally:
        await other.dispose()
