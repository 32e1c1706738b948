"""A database outage seen from a request: a 503 for the client, one log line per episode.

When the database stops answering, every request that needs it fails the same way. Each is
answered `503 {"message": ...}` with `Retry-After`, and the log gets one line when the
episode starts (with how many requests the previous episode refused), not a traceback per
request. An episode ends after `EPISODE_GAP_SECONDS` without such a failure. The count is
per process: each replica and worker logs its own episode.
"""

from __future__ import annotations

import importlib
import logging
import socket
import sqlite3
import sys
import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger("jwtpizza.database")

EPISODE_GAP_SECONDS = 30.0
RETRY_AFTER_SECONDS = 5
MESSAGE = "the database is unavailable; try again shortly"


# Driver errors that say the server cannot take the statement now (gone, shutting down, out of
# disk, read-only), for the statements sent straight through the driver (`PlainWrite`), which
# SQLAlchemy does not wrap. Looked up among the loaded modules: a driver not in use is not
# imported for this.
_DRIVER_OUTAGES = (
    ("asyncpg.exceptions", "PostgresConnectionError"),
    ("asyncpg.exceptions", "InterfaceError"),
    ("asyncpg.exceptions", "InsufficientResourcesError"),  # disk full, out of memory
    ("asyncpg.exceptions", "OperatorInterventionError"),  # shutting down, cannot connect now
    ("asyncpg.exceptions", "ReadOnlySQLTransactionError"),
    ("pymysql.err", "OperationalError"),
    ("pymysql.err", "InterfaceError"),
)


def _driver_outage(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.OperationalError):  # disk full, I/O error, locked too long
        return True
    for module, name in _DRIVER_OUTAGES:
        found = getattr(sys.modules.get(module), name, None)
        if isinstance(found, type) and isinstance(exc, found):
            return True
    return False


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached or take writes (not that a statement
    was wrong)."""
    if isinstance(exc, OperationalError | InterfaceError) or _driver_outage(exc):
        return True
    if isinstance(exc, DBAPIError) and (
        exc.connection_invalidated or (exc.orig is not None and _driver_outage(exc.orig))
    ):
        return True
    return isinstance(exc, ConnectionError | socket.gaierror | TimeoutError)


def outage_types() -> tuple[type[Exception], ...]:
    """The exception classes `is_outage` can say yes to, so an app can map them to its 503
    (an app's handler for `Exception` itself answers only after Starlette has logged the
    traceback)."""
    found: list[type[Exception]] = [
        DBAPIError,
        sqlite3.OperationalError,
        ConnectionError,
        socket.gaierror,
        TimeoutError,
    ]
    for module, name in _DRIVER_OUTAGES:
        try:
            found.append(getattr(importlib.import_module(module), name))
        except ImportError:  # a driver that is not installed raises nothing
            continue
    return tuple(found)


def first_line(exc: BaseException) -> str:
    """The first line of what `exc` says (at most 200 characters), or its class's name."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


class OutageLog:
    """Logs the first failure of each episode and counts the rest silently."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: float | None = None
        self._refused = 0

    def record(self, exc: BaseException) -> None:
        now = self._clock()
        if self._last is None or now - self._last > EPISODE_GAP_SECONDS:
            before = f" (the previous one refused {self._refused})" if self._last else ""
            log.error("database unavailable, answering 503%s: %s", before, first_line(exc))
            self._refused = 0
        self._refused += 1
        self._last = now


outages = OutageLog()
