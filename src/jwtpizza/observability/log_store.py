"""A bounded window of recent structured logs, queryable by the ops side."""

from __future__ import annotations

import heapq
import itertools
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

LEVELS = ("debug", "info", "warn", "error")


def level_rank(level: str) -> int:
    """Severity order; `warning` and `critical` are read as `warn` and `error`."""
    name = {"warning": "warn", "critical": "error", "exception": "error"}.get(level, level)
    return LEVELS.index(name) if name in LEVELS else 1


@dataclass(frozen=True)
class LogQuery:
    """Filters for `LogStore.query`; `level` is a minimum, `status` may be `5xx`."""

    since: datetime | None = None
    level: str | None = None
    type: str | None = None
    status: str | None = None
    route: str | None = None
    text: str | None = None
    # Text search reads messages and bodies; SQL statements only when asked (or `type=db`),
    # so searching for a report link does not also list every statement naming its column.
    text_in_sql: bool = False
    limit: int = 100


class LogRecord:
    """One stored event; its JSON line is made only when something reads it (text search,
    tests), not on the request's hot path."""

    __slots__ = ("_line", "at", "fields")

    def __init__(self, at: datetime, fields: dict[str, Any]) -> None:
        self.at = at
        self.fields = fields
        self._line: str | None = None

    @property
    def line(self) -> str:
        if self._line is None:
            self._line = json.dumps(self.fields, default=str, separators=(",", ":"))
        return self._line

    def matches(self, query: LogQuery) -> bool:
        return all(check(self, query) for check in _CHECKS)


def _since(record: LogRecord, query: LogQuery) -> bool:
    return query.since is None or record.at >= query.since


def _level(record: LogRecord, query: LogQuery) -> bool:
    if query.level is None:
        return True
    return level_rank(str(record.fields.get("level", "info"))) >= level_rank(query.level)


def _type(record: LogRecord, query: LogQuery) -> bool:
    return query.type is None or record.fields.get("type") == query.type


def _status(record: LogRecord, query: LogQuery) -> bool:
    if query.status is None:
        return True
    status = str(record.fields.get("status", ""))
    wanted = query.status.lower()
    if wanted.endswith("xx") and len(wanted) == 3:
        return status[:1] == wanted[0]
    return status == wanted


def _route(record: LogRecord, query: LogQuery) -> bool:
    return query.route is None or record.fields.get("route") == query.route


def _text(record: LogRecord, query: LogQuery) -> bool:
    if query.text is None:
        return True
    if record.fields.get("type") == "db" and not (query.text_in_sql or query.type == "db"):
        return False
    return query.text.lower() in record.line.lower()


_CHECKS = (_since, _level, _type, _status, _route, _text)


# The share of the window each severity keeps for itself: a flood of routine (or of
# client-error) events cannot push out the errors a responder is looking for.
SHARES = {"error": 0.2, "warn": 0.2}


def _tier(level: str) -> str:
    rank = level_rank(level)
    return "error" if rank >= LEVELS.index("error") else "warn" if rank >= 2 else "routine"


_TIERS = {level: _tier(level) for level in (*LEVELS, "warning", "critical")}


class LogStore:
    """Ring buffers holding the newest `size` records in all: errors and warnings each have
    their own share, everything else the rest; in each, the oldest is dropped first.
    `before_read` runs before every read (the logger writes its pending events there)."""

    def __init__(self, size: int) -> None:
        size = max(3, size)
        reserved = {tier: max(1, int(size * share)) for tier, share in SHARES.items()}
        reserved["routine"] = size - sum(reserved.values())
        self._rings: dict[str, deque[tuple[int, LogRecord]]] = {
            tier: deque(maxlen=length) for tier, length in reserved.items()
        }
        self._seq = itertools.count()
        self.before_read: Callable[[], None] = lambda: None

    def add(self, at: datetime, fields: dict[str, Any]) -> None:
        level = fields.get("level", "info")
        tier = _TIERS.get(level) if type(level) is str else None
        ring = self._rings[tier or _tier(str(level))]
        ring.append((next(self._seq), LogRecord(at, fields)))

    def __len__(self) -> int:
        self.before_read()
        return sum(len(ring) for ring in self._rings.values())

    def __iter__(self) -> Iterator[LogRecord]:
        self.before_read()
        return iter(self._ordered())

    def _ordered(self) -> list[LogRecord]:
        rings = [list(ring) for ring in self._rings.values()]
        return [record for _, record in heapq.merge(*rings, key=lambda item: item[0])]

    def query(self, query: LogQuery) -> list[dict[str, Any]]:
        """The newest `limit` matching records, oldest first."""
        self.before_read()
        found: list[dict[str, Any]] = []
        for record in reversed(self._ordered()):
            if len(found) >= query.limit:
                break
            if record.matches(query):
                found.append(record.fields)
        found.reverse()
        return found
