"""Login and registration limiting: sliding windows per account and per client address.

The counted events live in the database (`limit_events`), so every worker process and every
replica counts against one allowance: N workers do not give an attacker N times the quota.
Each check-and-count runs in one write transaction that first takes the `limits` lock (on a
server, by bumping that stamp's row; on SQLite the one write lock is already held), which
runs them one at a time everywhere. Keys are hashed, so the table holds no email or address.
Every login runs these statements, so they are fixed SQL (`jwtpizza.db.statements`) sent
straight through the driver (`Database.plain_writer`), past SQLAlchemy's execution, which
cost a login more CPU than everything but its bcrypt check.

A login attempt holds a place before bcrypt runs and counts as a failure unless it succeeds, so
a burst of concurrent guesses gets the same allowance as a slow stream. An attempt that finds
no place counts itself in anyway, as waiting: its rows' ids, handed out one transaction at a
time, are its place in one line shared by every worker and replica, and it may start once the
failures plus the attempts ahead of it leave room. Deciding that is one read, without a lock.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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
# Expired events are dropped at most this often per process (every read skips them anyway).
DROP_EXPIRED_EVERY = timedelta(seconds=1)


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
        self.window = timedelta(seconds=window_seconds)
        self._next_drop: datetime | None = None

    async def usage(self, keys: Sequence[str], write: PlainWrite) -> dict[str, Usage]:
        """Each key's events now, read in `write`'s transaction."""
        now = self._clock.now()
        return _usage(await write.fetch(sql.limit_usage(self._db.dialect, len(keys)), *keys, now))

    async def ahead(self, keys: Sequence[str], ticket: int) -> dict[str, Usage]:
        """Each key's failures, and its events counting only the attempts ahead of `ticket`:
        one read of what has committed (every row ahead of it has)."""
        statement = sql.limit_ahead(self._db.dialect, len(keys))
        return _usage(await self._db.read_plain(statement, ticket, *keys, self._clock.now()))

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
        """A write transaction that holds the limits lock (expired events dropped now and
        then)."""
        async with self._db.plain_writer() as write:
            await _take_lock(write)
            now = self._clock.now()
            if self._next_drop is None or now >= self._next_drop:
                self._next_drop = now + DROP_EXPIRED_EVERY
                await write.execute(sql.DROP_EXPIRED_LIMIT_EVENTS, now)
            yield write

    async def record(
        self, write: PlainWrite, keys: Sequence[str], *, attempt: str | None = None
    ) -> None:
        """Count one event per key: a settled one, or one in flight for `attempt`."""
        await write.insert_many(
            sql.new_limit_event(self._db.dialect), [self._row(key, attempt) for key in keys]
        )

    async def record_waiting(self, write: PlainWrite, keys: Sequence[str], attempt: str) -> int:
        """Count `attempt` in flight though it waits; its ticket: its first row's id, which
        is below every later attempt's (the limits lock hands ids out in commit order)."""
        statement = sql.new_limit_event(self._db.dialect)
        ticket = await write.insert(statement, *self._row(keys[0], attempt))
        await write.insert_many(statement, [self._row(key, attempt) for key in keys[1:]])
        return ticket

    def _row(self, key: str, attempt: str | None) -> tuple[str, str | None, bool, datetime]:
        return (key, attempt, attempt is None, self._clock.now() + self.window)

    async def settle(self, attempt: str, *, failed: bool) -> None:
        """End an attempt in flight: a failure counts from now for a whole window; a success
        (or a wait given up) gives its places back (`release`)."""
        async with self._db.plain_writer() as write:
            if not failed:
                await self.release(write, attempt)
                return
            await _take_lock(write)
            await write.execute(
                sql.SETTLE_LIMIT_EVENTS, True, self._clock.now() + self.window, attempt
            )

    @staticmethod
    async def release(write: PlainWrite, attempt: str) -> None:
        """Give a successful attempt's places back, in the caller's write transaction (its
        first write: the limits lock is taken before any other)."""
        await _take_lock(write)
        await write.execute(sql.RELEASE_LIMIT_EVENTS, attempt)


def _usage(rows: Sequence[tuple[Any, ...]]) -> dict[str, Usage]:
    return {
        key: Usage(int(failures or 0), int(events), None if first is None else utc_time(first))
        for key, events, failures, first in rows
    }


async def _take_lock(write: PlainWrite) -> None:
    """Take the limits lock, as every write to `limit_events` does first: without it,
    MariaDB's gap locks made one attempt's DELETE and another's INSERT deadlock. SQLite's
    write transaction holds its one write lock from its start."""
    if write.dialect != "sqlite":
        await write.execute(sql.BUMP_VERSION, versions.LIMITS)


class LoginLimiter:
    """Failed attempts per account and per address. An attempt holds a place while it runs
    (`attempt`): a new one waits while the failures so far plus the attempts ahead of it fill
    an allowance, and is refused once the failures alone do. A burst of guesses thus gets
    the same allowance as a slow stream, and concurrent right passwords (one account on two
    devices) wait a moment, first come first served across workers, instead of being
    refused. An attempt that waits half a window is refused (its rows would soon expire)."""

    def __init__(
        self, *, db: Database, max_failures: int, window_seconds: float, clock: Clock
    ) -> None:
        self._max = max_failures
        self._window = SharedWindow(db=db, window_seconds=window_seconds, clock=clock)
        self._clock = clock
        self._lines: dict[tuple[str, ...], _Line] = {}

    @asynccontextmanager
    async def attempt(self, *, email: str, address: str) -> AsyncIterator[Attempt]:
        """Hold a place for one attempt with this (canonical) email and address, or raise
        `TooManyRequests` if either has failed too often lately. The attempt counts as a
        failure unless the block calls `succeeded()` (an error is a failure too)."""
        limits = self._limits(email, address)
        keys = [k for k, _ in limits]
        message = "too many failed login attempts; try again later"
        token = uuid.uuid4().hex
        ticket = await self._arrive(limits, token, message)
        if ticket is not None:
            try:
                await self._wait_turn(limits, ticket, message)
            except BaseException:  # refused, or the request went away: no failure counted
                await self._window.settle(token, failed=False)
                self._wake_lines_sharing(keys)
                raise
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

    async def _arrive(self, limits: list[tuple[str, int]], token: str, message: str) -> int | None:
        """Count the attempt in, in one transaction: refused if a key's failures fill its
        allowance; holding a place if there is room (None); else waiting, with its ticket."""
        keys = [k for k, _ in limits]
        async with self._window.locked() as write:
            usage = await self._window.usage(keys, write)
            self._window.refuse_if_spent(usage, limits, message)
            if _room(usage, limits) > 0:
                await self._window.record(write, keys, attempt=token)
                return None
            return await self._window.record_waiting(write, keys, token)

    async def _wait_turn(self, limits: list[tuple[str, int]], ticket: int, message: str) -> None:
        """Wait in this process's line for these keys, in ticket order, until the attempts
        ahead leave room: only the line's head asks the database, when a release here wakes
        it, or after `POLL_SECONDS` for releases elsewhere."""
        keys = tuple(k for k, _ in limits)
        line = self._lines.setdefault(keys, _Line())
        waiter = _Waiter(ticket)
        line.join(waiter)
        given_up_at = self._clock.now() + self._window.window / 2
        try:
            while True:
                if not await waiter.woken(polling=line.waiting[0] is waiter):
                    continue
                if line.waiting[0] is not waiter:
                    continue
                room = await self._hold(limits, ticket, message)
                if room is not None:
                    line.leave(waiter, check=room > 0)  # the next may fit too
                    return
                if self._clock.now() >= given_up_at:
                    raise TooManyRequests(message, retry_after=POLL_SECONDS)
        finally:
            if waiter in line.waiting:
                line.leave(waiter, check=False)
            if not line.waiting and self._lines.get(keys) is line:
                del self._lines[keys]

    async def _hold(self, limits: list[tuple[str, int]], ticket: int, message: str) -> int | None:
        """Whether the attempt with `ticket` may start: the room left after it, or None to
        wait; refused if a key's failures fill its allowance."""
        usage = await self._window.ahead([k for k, _ in limits], ticket)
        self._window.refuse_if_spent(usage, limits, message)
        room = _room(usage, limits)
        return room - 1 if room > 0 else None

    def _wake_lines_sharing(self, keys: Sequence[str]) -> None:
        """Wake the head of every line that counts against one of `keys`: a place is free."""
        for line_keys, line in self._lines.items():
            if any(k in line_keys for k in keys):
                line.wake_head(check=True)

    def _limits(self, email: str, address: str) -> list[tuple[str, int]]:
        return [
            (limit_key("login-email", email), self._max),
            (limit_key("login-addr", address), self._max * ADDRESS_ALLOWANCE_FACTOR),
        ]


def _room(usage: dict[str, Usage], limits: Sequence[tuple[str, int]]) -> int:
    """Places left under the tightest of `limits`."""
    return min(limit - usage.get(key, Usage()).events for key, limit in limits)


class _Waiter:
    """One attempt waiting in a line, woken to look again (`check`) or to start polling."""

    def __init__(self, ticket: int) -> None:
        self.ticket = ticket
        self._event = asyncio.Event()
        self._check = False

    def wake(self, *, check: bool) -> None:
        self._check = self._check or check
        self._event.set()

    async def woken(self, *, polling: bool) -> bool:
        """Wait to be woken (or, `polling`, for `POLL_SECONDS`); whether to ask the
        database now."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), POLL_SECONDS if polling else None)
        check = self._check or not self._event.is_set()  # woken to check, or polling
        self._event.clear()
        self._check = False
        return check


class _Line:
    """This process's attempts waiting for a place under the same keys, in ticket order."""

    def __init__(self) -> None:
        self.waiting: list[_Waiter] = []

    def join(self, waiter: _Waiter) -> None:
        """`waiter` lines up; as the head, it looks at once (a place may have been freed
        since it counted itself in)."""
        bisect.insort(self.waiting, waiter, key=lambda w: w.ticket)
        if self.waiting[0] is waiter:
            waiter.wake(check=True)

    def leave(self, waiter: _Waiter, *, check: bool) -> None:
        """`waiter` is gone; a new head starts polling (and looks at once if `check`)."""
        was_head = self.waiting[0] is waiter
        self.waiting.remove(waiter)
        if was_head:
            self.wake_head(check=check)

    def wake_head(self, *, check: bool) -> None:
        if self.waiting:
            self.waiting[0].wake(check=check)


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
            usage = await self._window.usage(keys, write)
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
