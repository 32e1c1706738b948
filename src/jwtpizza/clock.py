"""Time as a port, so tests move through schedules without sleeping."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Protocol

from pydantic import PlainSerializer


def json_time(moment: datetime) -> str:
    """A time as the original's JSON writes it (JavaScript's `toISOString`): UTC,
    milliseconds, `Z`, e.g. `2026-01-02T14:15:02.097Z`. A naive time is taken as UTC."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat(timespec="milliseconds")[:-6] + "Z"  # "+00:00" off: half strftime's CPU


# A datetime field that serializes with `json_time`.
JsonTime = Annotated[datetime, PlainSerializer(json_time, return_type=str, when_used="json")]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for durations."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait, in this clock's time."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that moves only when told to; `sleep` advances it at once."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    async def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)


class ScaledClock:
    """Another clock sped up `speed` times: at speed 12 a 12-minute schedule takes a minute."""

    def __init__(self, speed: float, base: Clock | None = None) -> None:
        if not speed > 0:
            raise ValueError(f"speed {speed:g} must be more than zero")
        self.speed = speed
        self._base = base or SystemClock()
        self._origin = self._base.now()
        self._mono = self._base.monotonic()

    def _elapsed(self) -> float:
        return (self._base.monotonic() - self._mono) * self.speed

    def now(self) -> datetime:
        return self._origin + timedelta(seconds=self._elapsed())

    def monotonic(self) -> float:
        return self._mono + self._elapsed()

    async def sleep(self, seconds: float) -> None:
        await self._base.sleep(seconds / self.speed)
