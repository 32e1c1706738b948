"""Where SQLite statements run (`jwtpizza.db`): reads and a writer's statements on the event
loop's own thread, and what may wait for another process's write lock on aiosqlite's thread,
so the loop keeps serving while a write waits."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from jwtpizza.db import CHECKPOINT_EVERY, Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'threads.db'}")
    for engine in (database.read_engine, database.write_engine):
        # SQL can ask which thread runs it: `SELECT thread_id()`.
        @event.listens_for(engine.sync_engine, "connect")
        def _thread_function(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.create_function("thread_id", 0, threading.get_ident)

    async with database.writer() as session:
        await session.execute(text("CREATE TABLE pizzas (id INTEGER PRIMARY KEY, name TEXT)"))
    yield database
    await database.dispose()


async def test_reads_run_on_the_event_loop_thread(db: Database) -> None:
    async with db.read_connection() as connection:
        ran_on = await connection.scalar(text("SELECT thread_id()"))
    assert ran_on == threading.get_ident()


async def test_a_write_transaction_runs_its_statements_on_the_loop_thread(db: Database) -> None:
    async with db.writer() as session:
        ran_on = await session.scalar(text("SELECT thread_id()"))
        await session.execute(text("INSERT INTO pizzas (name) VALUES ('veggie')"))
    assert ran_on == threading.get_ident()
    async with db.read_connection() as connection:
        assert await connection.scalar(text("SELECT name FROM pizzas")) == "veggie"


@pytest.fixture
def statements(db: Database) -> list[tuple[str, int]]:
    """Each statement the writer's connections run, with the thread that ran it."""
    ran: list[tuple[str, int]] = []

    @event.listens_for(db.write_engine.sync_engine, "connect")
    def _trace(dbapi_connection: Any, _record: Any) -> None:
        raw = dbapi_connection.driver_connection._conn  # the sqlite3 connection itself
        raw.set_trace_callback(lambda sql: ran.append((sql, threading.get_ident())))

    return ran


async def test_a_write_on_a_free_lock_runs_wholly_on_the_loop_thread(
    db: Database, statements: list[tuple[str, int]]
) -> None:
    await db.write_engine.dispose()  # reconnect, traced
    await insert(db, "veggie")
    ran = [(sql, thread) for sql, thread in statements if not sql.startswith("PRAGMA")]
    assert [sql.split()[0] for sql, _ in ran] == ["BEGIN", "INSERT", "COMMIT"]
    assert {thread for _, thread in ran} == {threading.get_ident()}


async def test_every_hundredth_commit_checkpoints_the_wal_on_aiosqlite_thread(
    db: Database, statements: list[tuple[str, int]], tmp_path: Path
) -> None:
    await db.write_engine.dispose()
    for n in range(CHECKPOINT_EVERY):
        await insert(db, str(n))
    checkpoints = [thread for sql, thread in statements if "wal_checkpoint" in sql]
    commits = [thread for sql, thread in statements if sql == "COMMIT"]
    loop = threading.get_ident()
    assert len(checkpoints) == 1 and checkpoints[0] != loop
    # The fixture's CREATE TABLE was the engine's first COMMIT, so the checkpoint came after
    # the 99th of these; it ran on aiosqlite's thread with its COMMIT, every other on the loop's.
    assert commits.count(loop) == CHECKPOINT_EVERY - 1
    with sqlite3.connect(tmp_path / "threads.db") as other:
        _busy, wal_frames, _copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert wal_frames < 5, wal_frames  # the WAL started over after the checkpoint


@contextmanager
def another_process_writing(path: Path) -> Iterator[None]:
    """Another process holds the one write lock until the block ends."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("COMMIT")
        other.close()


async def insert(db: Database, name: str) -> None:
    async with db.writer() as session:
        await session.execute(text("INSERT INTO pizzas (name) VALUES (:name)"), {"name": name})


async def ticks_in_half_a_second() -> int:
    """How often a 10 ms sleep came back: about 50 unless something blocked the loop."""
    started = time.perf_counter()
    ticks = 0
    while time.perf_counter() - started < 0.5:
        await asyncio.sleep(0.01)
        ticks += 1
    return ticks


async def test_a_write_waiting_for_another_process_lock_leaves_the_loop_free(
    db: Database, tmp_path: Path
) -> None:
    with another_process_writing(tmp_path / "threads.db"):
        waiting = asyncio.create_task(insert(db, "pepperoni"))
        # Had BEGIN IMMEDIATE waited on the loop's thread, no tick would have run meanwhile.
        assert await ticks_in_half_a_second() >= 20 and not waiting.done()
    await asyncio.wait_for(waiting, 10)
    async with db.read_connection() as connection:
        assert await connection.scalar(text("SELECT name FROM pizzas")) == "pepperoni"


async def test_a_cancelled_write_leaves_its_connection_to_the_thread_until_it_is_done(
    db: Database, tmp_path: Path
) -> None:
    """Ctrl-C cancels a write whose BEGIN IMMEDIATE still waits on aiosqlite's thread, and
    SQLAlchemy at once closes the statement's cursor. Doing that on the loop's thread while
    the other thread steps through the statement stalls the loop behind SQLite's connection
    mutex, and frees what the other thread is using: a segfault, now and then. The cancelled
    write's clean-up waits for the thread to be done instead, and the loop runs on."""
    with another_process_writing(tmp_path / "threads.db"):
        waiting = asyncio.create_task(insert(db, "margherita"))
        await asyncio.sleep(0.2)  # its BEGIN IMMEDIATE waits for the lock, on the thread
        waiting.cancel()
        # Had the clean-up closed the cursor on the loop's thread, SQLite would have held that
        # call until the other thread's wait ended, and no tick would have run meanwhile.
        assert await ticks_in_half_a_second() >= 20 and not waiting.done()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting, 10)
    await insert(db, "hawaiian")  # the writer works on after the cancelled one
    async with db.read_connection() as connection:
        names = (await connection.scalars(text("SELECT name FROM pizzas"))).all()
    assert names == ["hawaiian"]
