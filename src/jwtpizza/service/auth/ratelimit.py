"""Login and registration limiting: sliding windows per account and per client address.

The counted events live in the database (`limit_events`), so every worker process and every
replica counts against one allowance: N workers do not give an attacker N times the quota.
Each check-and-count runs in one write transaction that first bumps the `limits` stamp, whose
row lock (the one write lock on SQLite) runs them one at a time everywhere. Keys are hashed,
so the table holds no email or address. Every login runs these statements, so they are fixed
SQL (`jwtpizza.db.statements`) sent straight through the driver (`Database.plain_writer`),
past SQLAlchemy's execution, which cost a login more CPU than everything but its bcrypt check.

A login attempt holds a place before bcrypt runs and counts as a failure unless it succeeds, so
a burst of concurrent guesses gets the same allowance as a slow stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from jwtpizza.clock import Clock
from jwtpizza.db import Database, PlainWrite, utc_time
from jwtpizza.db import statements as sql
from jwtpizza.errors import TooManyRequests
from jwtpizza.ratelimit import limit_key
from jwtpizza.service import versions

# A client address may fail for many accounts (an office behind one NAT), so its allowance
# is larger than one account's.
ADDRESS_ALLOWANCE_FACTOR = 6
# How often the first waiting attempt of a line looks again for places freed by another
# worker or replica (a release in this process wakes it at once; the others in the line wait
# their turn without touching the database).
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Usage:
    """One key's events in the window: failures (settled) and all (with those in flight)."""

    failures: int = 0
    events: int = 0
    first_failure_expiry: datetime | None = None


class SharedWindow:
    """Events per key in the database over a sliding window."""

    def __init__(self, *, db: Database, window_seconds: float, clock: Clock) -> None:
        self._db, self._clock = db, clock
        self._window = timedelta(seconds=window_seconds)

    async def usage(
        self, keys: Sequence[str], *, within: PlainWrite | None = None
    ) -> dict[str, Usage]:
        """Each key's events now: read in `within`'s transaction, or else on its own."""
        usage = sql.limit_usage(self._db.dialect, len(keys))
        now = self._clock.now()
        rows = await (
            within.fetch(usage, *keys, now) if within else self._db.read_plain(usage, *keys, now)
        )
        return {
            key: Usage(int(failures or 0), int(events), None if first is None else utc_time(first))
            for key, events, failures, first in rows
        }

    def refuse_if_spent(
        self, usage: dict[str, Usage], limits: Sequence[tuple[str, int]], message: str
    ) -> None:
        """Raise `TooManyRequests` (with the wait) if a key's failures fill its allowance."""
        now = self._clock.now()
        for key, limit in limits:
            found = usage.get(key, Usage())
            if found.failures >= limit and found.first_failure_expiry is not None:
                wait = (found.first_failure_expiry - now).total_seconds()
                raise TooManyRequests(message, retry_after=max(wait, 0.0))

    @asynccontextmanager
    async def locked(self) -> AsyncIterator[PlainWrite]:
        """A write transaction that holds the limits lock, with expired events dropped."""
        async with self._db.plain_writer() as write:
            await _take_lock(write)
            await write.execute(sql.DROP_EXPIRED_LIMIT_EVENTS, self._clock.now())
            yield write

    async def record(
        self, write: PlainWrite, keys: Sequence[str], *, attempt: str | None = None
    ) -> None:
        """Count one event per key: a settled one, or one in flight for `attempt`."""
        expires_at = self._clock.now() + self._window
        await write.insert_many(
            sql.new_limit_event(self._db.dialect),
            [(key, attempt, attempt is None, expires_at) for key in keys],
        )

    async def settle(self, attempt: str, *, failed: bool) -> None:
        """End an attempt in flight: a failure counts from now for a whole window; a success
        gives its places back (`release`)."""
        async with self._db.plain_writer() as write:
            if not failed:
                await self.release(write, attempt)
                return
            await _take_lock(write)
            await write.execute(
                sql.SETTLE_LIMIT_EVENTS, True, self._clock.now() + self._window, attempt
            )

    @staticmethod
    async def release(write: PlainWrite, attempt: str) -> None:
        """Give a successful attempt's places back, in the caller's write transaction (its
        first write: the limits lock is taken before any other)."""
        await _take_lock(write)
        await write.execute(sql.RELEASE_LIMIT_EVENTS, attempt)


async def _take_lock(write: PlainWrite) -> None:
    """Take the limits lock, as every write to `limit_events` does first: without it,
    MariaDB's gap locks made one attempt's DELETE and another's INSERT deadlock."""
    await write.execute(sql.BUMP_VERSION, versions.LIMITS)


class LoginLimiter:
    """Failed attempts per account and per address. An attempt holds a place while it runs
    (`attempt`): a new one waits while the failures so far plus the attempts in flight fill
    an allowance, and is refused once the failures alone do. A burst of guesses thus gets
    the same allowance as a slow stream, and concurrent right passwords (one account on two
    devices) wait a moment instead of being refused."""

    def __init__(
        self, *, db: Database, max_failures: int, window_seconds: float, clock: Clock
    ) -> None:
        self._max = max_failures
        self._window = SharedWindow(db=db, window_seconds=window_seconds, clock=clock)
        self._db = db
        self._lines: dict[tuple[str, ...], _Line] = {}

    @asynccontextmanager
    async def attempt(self, *, email: str, address: str) -> AsyncIterator[Attempt]:
        """Hold a place for one attempt with this (canonical) email and address, or raise
        `TooManyRequests` if either has failed too often lately. The attempt counts as a
        failure unless the block calls `succeeded()` (an error is a failure too)."""
        limits = self._limits(email, address)
        keys = [k for k, _ in limits]
        message = "too many failed login attempts; try again later"
        # A refusal needs no lock: the failures it counts are already committed.
        self._window.refuse_if_spent(await self._window.usage(keys), limits, message)
        token = uuid.uuid4().hex
        await self._queue_for_place(limits, token, message)
        outcome = Attempt(token)
        failed = True
        try:
            yield outcome
            failed = not outcome.ok
        finally:
            # An error after `succeed_in` rolled its transaction back, or came after it
            # committed: either way counting a failure is right (the second finds no row).
            if failed or not outcome.released:
                await self._window.settle(token, failed=failed)
            self._wake_lines_sharing(keys)

    async def _queue_for_place(
        self, limits: list[tuple[str, int]], token: str, message: str
    ) -> None:
        """Wait in this process's line for these keys, first come first served, then take a
        place: only the line's head asks the database (one transaction per try), again when a
        release here wakes it, or after `POLL_SECONDS` for releases elsewhere."""
        keys = tuple(k for k, _ in limits)
        line = self._lines.setdefault(keys, _Line())
        line.users += 1
        try:
            async with line.turn:  # asyncio.Lock hands itself on in arrival order
                while True:
                    line.freed.clear()  # a release during the try below sets it again
                    if await self._hold(limits, token, message):
                        return
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(line.freed.wait(), POLL_SECONDS)
        finally:
            line.users -= 1
            if not line.users:
                del self._lines[keys]

    def _wake_lines_sharing(self, keys: Sequence[str]) -> None:
        """Wake the head of every line that counts against one of `keys`: a place is free."""
        for line_keys, line in self._lines.items():
            if not line.freed.is_set() and any(k in line_keys for k in keys):
                line.freed.set()

    async def _hold(self, limits: list[tuple[str, int]], token: str, message: str) -> bool:
        """Take a place for `token` if the allowance has room; False to wait for one."""
        keys = [k for k, _ in limits]
        async with self._window.locked() as write:
            usage = await self._window.usage(keys, within=write)
            self._window.refuse_if_spent(usage, limits, message)
            if any(usage.get(k, Usage()).events >= n for k, n in limits):
                return False
            await self._window.record(write, keys, attempt=token)
        return True

    def _limits(self, email: str, address: str) -> list[tuple[str, int]]:
        return [
            (limit_key("login-email", email), self._max),
            (limit_key("login-addr", address), self._max * ADDRESS_ALLOWANCE_FACTOR),
        ]


class _Line:
    """This process's attempts waiting for a place under the same keys."""

    def __init__(self) -> None:
        self.turn = asyncio.Lock()
        self.freed = asyncio.Event()
        self.users = 0


class Attempt:
    """One login attempt's outcome: a failure unless `succeeded()` or `succeed_in()` is
    called."""

    def __init__(self, token: str) -> None:
        self._token = token
        self.ok = False
        self.released = False  # its places given back in the caller's transaction

    def succeeded(self) -> None:
        self.ok = True

    async def succeed_in(self, write: PlainWrite) -> None:
        """Succeed, giving the places back in the caller's write transaction (one write
        transaction fewer), which must end before the `attempt` block does."""
        await SharedWindow.release(write, self._token)
        self.ok = self.released = True


class RegistrationLimiter:
    """Registrations per client address, whatever their outcome: each may cost a bcrypt hash,
    and each 409 tells whether an email has an account."""

    def __init__(
        self, *, db: Database, per_address: int, window_seconds: float, clock: Clock
    ) -> None:
        self._per_address = per_address
        self._window = SharedWindow(db=db, window_seconds=window_seconds, clock=clock)

    async def hit(self, *, address: str) -> None:
        """Count one registration from `address`, or refuse it if the address is spent."""
        limits = [(limit_key("register-addr", address), self._per_address)]
        keys = [k for k, _ in limits]
        async with self._window.locked() as write:
            usage = await self._window.usage(keys, within=write)
            self._window.refuse_if_spent(usage, limits, "too many registrations; try again later")
            await self._window.record(write, keys)


@asynccontextmanager
async def held_when_refused(clock: Clock, seconds: float) -> AsyncIterator[None]:
    """A refused (429) attempt is answered only after `seconds`: a client hammering in a loop
    then waits, costing nothing, instead of taking the event loop from everyone else."""
    try:
        yield
    except TooManyRequests:
        await clock.sleep(seconds)
        raise
