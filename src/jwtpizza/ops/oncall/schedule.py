"""Who is on call: rotations in layers, with overrides on top.

A layer hands off every `shift` from its `start` (the handoff time), cycling through its
users; an optional daily `restrict` window limits it to those hours in the schedule's
timezone. A later layer wins wherever it has someone, so a daytime layer can sit on a
24/7 one. An override puts one user on call for a window and beats every layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo


@dataclass(frozen=True)
class Restriction:
    """A daily window `start` to `end` (it may cross midnight)."""

    start: time
    end: time

    def allows(self, local: datetime) -> bool:
        now = local.time()
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end


@dataclass(frozen=True)
class Layer:
    name: str
    users: tuple[str, ...]
    start: datetime
    shift: timedelta
    restrict: Restriction | None = None

    def on_call(self, at: datetime, zone: tzinfo) -> str | None:
        if at < self.start or not self.users:
            return None
        if self.restrict is not None and not self.restrict.allows(at.astimezone(zone)):
            return None
        shifts = (at - self.start) // self.shift
        return self.users[shifts % len(self.users)]

    def next_handoff(self, at: datetime) -> datetime:
        if at < self.start:
            return self.start
        return self.start + ((at - self.start) // self.shift + 1) * self.shift


@dataclass(frozen=True)
class Override:
    user: str
    start: datetime
    end: datetime

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class Schedule:
    name: str
    zone: tzinfo
    layers: tuple[Layer, ...]
    overrides: tuple[Override, ...] = ()

    def on_call(self, at: datetime) -> str | None:
        """The user on call at `at`, or None if the schedule has a gap there."""
        for override in reversed(self.overrides):
            if override.covers(at):
                return override.user
        for layer in reversed(self.layers):
            if (user := layer.on_call(at, self.zone)) is not None:
                return user
        return None

    def shifts(self, start: datetime, end: datetime) -> list[tuple[datetime, str | None]]:
        """Who takes over when, from `start` to `end` (for `jwtpizza oncall`)."""
        edges = {start}
        for layer in self.layers:
            at = start
            while (at := layer.next_handoff(at)) < end:
                edges.add(at)
            if layer.restrict is not None:
                edges |= self._daily_edges(layer.restrict, start, end)
        edges |= {o.start for o in self.overrides if start < o.start < end}
        edges |= {o.end for o in self.overrides if start < o.end < end}
        result: list[tuple[datetime, str | None]] = []
        for at in sorted(edges):
            user = self.on_call(at)
            if not result or result[-1][1] != user:
                result.append((at, user))
        return result

    def _daily_edges(self, window: Restriction, start: datetime, end: datetime) -> set[datetime]:
        edges: set[datetime] = set()
        day = start.astimezone(self.zone).date()
        while (first := datetime.combine(day, window.start, self.zone)) < end:
            for local in (first, datetime.combine(day, window.end, self.zone)):
                if start < local < end:
                    edges.add(local.astimezone(start.tzinfo))
            day += timedelta(days=1)
        return edges
