"""`versions.Stamps`: one read of the stamps for all the requests of one loop turn, and never
an answer older than the asking (on each database backend)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from jwtpizza.db import Database
from jwtpizza.service import versions


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
