"""Announced chaos: a fault started with `jwtpizza chaos start ... --announce` is marked
`announced` on the factory's chaos feed. While it is in effect (from its start until
`grace` after it ends), the alerts of the pizza path (`component` service or factory) page
nobody: their notifications are muted as by a silence. Nothing else changes: the alerts
fire, are recorded, and open and join incidents, whose timeline shows them and the
announced fault; an alert still firing when the window closes is sent then.

The app reads the feed every `announce_poll_seconds` (`refresh`); an unreadable feed keeps
the windows last read.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jwtpizza.clock import Clock
from jwtpizza.ops.notify.matchers import parse_matchers
from jwtpizza.ops.notify.muting import SilenceWindow

log = logging.getLogger("jwtpizza.ops.notify")

# The alerts an announced fault can cause: the pizza path's, not the host's or ops' own.
COVERED = parse_matchers(['component=~"service|factory"'], where="announced chaos")
OPEN_END = datetime.max.replace(tzinfo=UTC)

# Reads the chaos feed's events since a time (the incident desk's `Feeds.chaos_events`).
ReadFeed = Callable[[datetime], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class AnnouncedFault:
    fault_id: int
    vendor: str
    type: str
    started: datetime
    ended: datetime | None


def announced_faults(events: Iterable[Mapping[str, Any]]) -> list[AnnouncedFault]:
    """The announced faults that have started, from the feed's events."""
    started: dict[int, Mapping[str, Any]] = {}
    ended: dict[int, datetime] = {}
    for event in events:
        if not event.get("announced"):
            continue
        fault_id = int(event["faultId"])
        if event["event"] == "started":
            started[fault_id] = event
        elif event["event"] == "ended":
            ended[fault_id] = datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00"))
    return [
        AnnouncedFault(
            fault_id,
            str(e["vendorId"]),
            str(e["type"]),
            datetime.fromisoformat(str(e["time"]).replace("Z", "+00:00")),
            ended.get(fault_id),
        )
        for fault_id, e in sorted(started.items())
    ]


class AnnouncedWindows:
    """The announced faults ops knows of, as mute windows for the dispatcher."""

    def __init__(
        self, *, read: ReadFeed, clock: Clock, grace: float, lookback: float = 86400.0
    ) -> None:
        self._read = read
        self.clock = clock
        self.grace = timedelta(seconds=grace)
        self.lookback = timedelta(seconds=lookback)
        self.faults: list[AnnouncedFault] = []

    async def refresh(self) -> None:
        events = await self._read(self.clock.now() - self.lookback)
        if events:
            self.faults = announced_faults(events)

    def windows(self, now: datetime) -> list[SilenceWindow]:
        """Mute windows of the announced faults in effect at `now`."""
        found = []
        for fault in self.faults:
            ends = fault.ended + self.grace if fault.ended else OPEN_END
            if fault.started <= now < ends:
                found.append(SilenceWindow(-fault.fault_id, COVERED, fault.started, ends))
        return found
