"""Timeline entries and how entries from many sources merge into one ordered timeline.

Every entry has its UTC time, its source and, where one exists, a link to the evidence. An
entry's `key` names the fact it records (`chaos:7:started`, `5xx:service:/api/order`), so the
same fact seen twice (a feed polled again, a log window that overlaps) is kept once, at the
earliest time it was seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Source:
    """Where an entry came from (a string, so stored rows read naturally)."""

    CHAOS = "chaos"
    ALERT = "alert"
    PAGE = "page"
    LOG = "log"
    RESILIENCE = "resilience"
    RESPONDER = "responder"
    RUNBOOK = "runbook"
    STATUS = "status"


# Ties at the same instant read cause before effect: the fault, then what it did, then us.
_ORDER = {
    Source.CHAOS: 0,
    Source.LOG: 1,
    Source.RESILIENCE: 2,
    Source.ALERT: 3,
    Source.PAGE: 4,
    Source.RUNBOOK: 5,
    Source.RESPONDER: 6,
    Source.STATUS: 7,
}


@dataclass(frozen=True)
class Entry:
    at: datetime
    source: str
    kind: str
    text: str
    key: str
    evidence: str | None = None
    public: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[datetime, int, str]:
        return (self.at, _ORDER.get(self.source, 9), self.key)


def merge(*batches: Iterable[Entry]) -> list[Entry]:
    """One timeline from several batches: one entry per key (the earliest), in time order."""
    earliest: dict[str, Entry] = {}
    for batch in batches:
        for entry in batch:
            seen = earliest.get(entry.key)
            if seen is None or entry.at < seen.at:
                earliest[entry.key] = entry
    return sorted(earliest.values(), key=Entry.sort_key)


def new_entries(known_keys: set[str], entries: Iterable[Entry]) -> list[Entry]:
    """The entries whose fact is not on the timeline yet (first seen wins)."""
    return [e for e in merge(entries) if e.key not in known_keys]
