"""Chaos vocabulary with no I/O: fault types, the fault lifecycle, and schedule arithmetic."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Literal, Protocol


class ChaosType(StrEnum):
    FAIL = "fail"
    THROTTLE = "throttle"
    BADJWT = "badjwt"
    OUTAGE = "outage"
    FLAKY = "flaky"
    AUTH = "auth"
    RATELIMIT = "ratelimit"
    JWT_EXPIRED = "jwt-expired"
    JWT_UNKNOWN_KID = "jwt-unknown-kid"
    JWT_WRONG_ORDER = "jwt-wrong-order"


class FaultState(StrEnum):
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    ENDED = "ended"


class EndReason(StrEnum):
    REPORTED = "reported"  # the responder followed the report link with the right code
    EXPIRED = "expired"  # its duration ran out (an outage ends by itself)
    CANCELLED = "cancelled"  # an admin or the CLI stopped it
    REPLACED = "replaced"  # the vendor started another fault


# The lifecycle in one place: a fault moves forward only, and ends exactly once.
ALLOWED_ENDS: dict[FaultState, frozenset[EndReason]] = {
    FaultState.SCHEDULED: frozenset({EndReason.CANCELLED, EndReason.REPLACED}),
    FaultState.ACTIVE: frozenset(EndReason),
    FaultState.ENDED: frozenset(),
}


class FaultTimes(Protocol):
    @property
    def start_at(self) -> datetime: ...
    @property
    def duration_seconds(self) -> float | None: ...
    @property
    def ended_at(self) -> datetime | None: ...


def natural_end(fault: FaultTimes) -> datetime | None:
    """When a fault with a duration ends by itself."""
    if fault.duration_seconds is None:
        return None
    return fault.start_at + timedelta(seconds=fault.duration_seconds)


def state_of(fault: FaultTimes, now: datetime) -> FaultState:
    if fault.ended_at is not None and fault.ended_at <= now:
        return FaultState.ENDED
    end = natural_end(fault)
    if end is not None and end <= now:
        return FaultState.ENDED
    return FaultState.ACTIVE if fault.start_at <= now else FaultState.SCHEDULED


def check_can_end(fault: FaultTimes, now: datetime, reason: EndReason) -> None:
    state = state_of(fault, now)
    if reason not in ALLOWED_ENDS[state]:
        raise ValueError(f"a {state} fault cannot end as {reason}")


ScheduleKind = Literal["now", "at", "within", "window", "next-day"]


@dataclass(frozen=True)
class Schedule:
    """When a fault starts: now, at a time, a random time within N seconds or in a window,
    or (the original's default) a random time the next day in the working-hours window."""

    kind: ScheduleKind = "next-day"
    at: datetime | None = None
    within_seconds: float | None = None
    window: tuple[datetime, datetime] | None = None


@dataclass(frozen=True)
class WorkingHours:
    tz: tzinfo
    start_hour: int = 8
    end_hour: int = 14


def next_day_window(now: datetime, hours: WorkingHours) -> tuple[datetime, datetime]:
    """Tomorrow (in the chaos timezone) from `start_hour` to `end_hour`."""
    tomorrow: date = now.astimezone(hours.tz).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(hours.start_hour), tzinfo=hours.tz)
    end = datetime.combine(tomorrow, time(hours.end_hour), tzinfo=hours.tz)
    return start, end


def random_between(start: datetime, end: datetime, rng: random.Random) -> datetime:
    span = max(0.0, (end - start).total_seconds())
    return start + timedelta(seconds=rng.uniform(0, span))


def start_time(
    schedule: Schedule, *, now: datetime, rng: random.Random, hours: WorkingHours
) -> datetime:
    """The concrete start of a fault scheduled by `schedule`."""
    if schedule.kind == "now":
        return now
    if schedule.kind == "at":
        assert schedule.at is not None
        return schedule.at
    if schedule.kind == "within":
        assert schedule.within_seconds is not None
        return random_between(now, now + timedelta(seconds=schedule.within_seconds), rng)
    if schedule.kind == "window":
        assert schedule.window is not None
        return random_between(*schedule.window, rng)
    return random_between(*next_day_window(now, hours), rng)
