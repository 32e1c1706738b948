"""Readiness that tells the truth: a component is ready only while its database takes writes.

A read (`SELECT 1`) answers on a full disk, on a server in read-only mode, and on SQLite whose
every COMMIT fails, while every order fails. So `/readyz` commits a tiny write: the component's
Alembic version row set to itself (no schema of its own, no data changed, but a real write
transaction and COMMIT, which is what fails when the database refuses writes).

It is cheap: the answer is kept for `PROBE_SECONDS`, and requests that ask meanwhile (an
orchestrator probing every few seconds, a load balancer, `jwtpizza status`) share it, as do
requests that ask while a probe is on the wire. A probe that does not end within
`PROBE_TIMEOUT_SECONDS` counts as a refusal (a hung database is not a ready one). A refusal
is recorded in the outage log (`db_outage.outages`): one line per episode, shared with the
requests that fail the same way. Each process keeps its own probe; a replica's readiness is
its own view of the database.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from jwtpizza import db_outage
from jwtpizza.db import Database
from jwtpizza.db import statements as sql

PROBE_SECONDS = 2.0
PROBE_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Verdict:
    """The last probe's answer: None if the write committed, else why it did not."""

    refusal: str | None
    at: float


class WriteProbe:
    """Whether `db` takes a write, asked at most once per `PROBE_SECONDS`."""

    def __init__(
        self,
        db: Database,
        *,
        version_table: str,
        every: float = PROBE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db, self._every, self._clock = db, every, clock
        self._sql = sql.touch_version(version_table)
        self._verdict: Verdict | None = None
        self._running: asyncio.Future[Verdict] | None = None

    async def refusal(self) -> str | None:
        """None while the database takes writes, else a short reason."""
        verdict = self._verdict
        if verdict is not None and self._clock() - verdict.at < self._every:
            return verdict.refusal
        if self._running is None:
            self._running = asyncio.ensure_future(self._probe())
            self._running.add_done_callback(self._ended)
        return (await asyncio.shield(self._running)).refusal

    def _ended(self, running: asyncio.Future[Verdict]) -> None:
        self._running = None
        if not running.cancelled():
            self._verdict = running.result()

    async def _probe(self) -> Verdict:
        started = self._clock()
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                async with self._db.plain_writer() as write:
                    await write.execute(self._sql)
        except TimeoutError:
            return Verdict(f"no answer to a write within {PROBE_TIMEOUT_SECONDS:g} s", started)
        except Exception as exc:
            db_outage.outages.record(exc)
            return Verdict(db_outage.first_line(exc), started)
        return Verdict(None, started)


_probes: weakref.WeakKeyDictionary[Database, WriteProbe] = weakref.WeakKeyDictionary()


def write_probe(db: Database, *, version_table: str) -> WriteProbe:
    """The one probe of `db` in this process."""
    probe = _probes.get(db)
    if probe is None:
        probe = _probes[db] = WriteProbe(db, version_table=version_table)
    return probe
