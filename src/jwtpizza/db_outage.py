"""A database outage seen from a request: a 503 for the client, one log line per episode.

When the database stops answering, every request that needs it fails the same way. Each is
answered `503 {"message": ...}` with `Retry-After`, and the log gets one line when the
episode starts (with how many requests the previous episode refused), not a traceback per
request. An episode ends after `EPISODE_GAP_SECONDS` without such a failure. The count is
per process: each replica and worker logs its own episode.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger("jwtpizza.database")

EPISODE_GAP_SECONDS = 30.0
RETRY_AFTER_SECONDS = 5
MESSAGE = "the database is unavailable; try again shortly"


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached (not that a statement was wrong)."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, ConnectionError | socket.gaierror | TimeoutError)


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
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            log.error("database unavailable, answering 503%s: %s", before, reason)
            self._refused = 0
        self._refused += 1
        self._last = now


outages = OutageLog()
