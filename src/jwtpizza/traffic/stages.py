"""Durations and k6-style load stages: `30s:20,1m:20,20s:0` ramps virtual users linearly."""

from __future__ import annotations

import re
from dataclasses import dataclass

from jwtpizza.errors import InvalidInput

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h))+|\d+(?:\.\d+)?")


def parse_duration(text: str, *, what: str = "duration") -> float:
    """Seconds from `90`, `90s`, `5m`, `1h`, `1m30s` or `250ms`; more than zero."""
    value = text.strip().lower()
    if not _WHOLE.fullmatch(value):
        raise InvalidInput(f"{what} {text!r} is not a duration like 90s, 5m, 1m30s or 1h")
    parts = _PART.findall(value)
    seconds = sum(float(n) * _UNITS[unit] for n, unit in parts) if parts else float(value)
    if seconds <= 0:
        raise InvalidInput(f"{what} {text!r} must be longer than zero")
    return seconds


@dataclass(frozen=True)
class Stage:
    """Move linearly to `target` virtual users over `seconds`."""

    seconds: float
    target: int


@dataclass(frozen=True)
class LoadProfile:
    """Stages run one after another, starting from zero virtual users."""

    stages: tuple[Stage, ...]

    @property
    def total_seconds(self) -> float:
        return sum(stage.seconds for stage in self.stages)

    @property
    def peak(self) -> int:
        return max(stage.target for stage in self.stages)

    def users_at(self, elapsed: float) -> int:
        """How many virtual users should be running `elapsed` seconds into the test."""
        start = 0
        for stage in self.stages:
            if elapsed < stage.seconds:
                return round(start + (stage.target - start) * elapsed / stage.seconds)
            elapsed -= stage.seconds
            start = stage.target
        return 0


def parse_stages(text: str) -> LoadProfile:
    """`30s:20,1m:20,20s:0`: each stage is DURATION:VIRTUAL_USERS."""
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise InvalidInput(f"stages {text!r}: give DURATION:USERS stages separated by commas")
    return LoadProfile(tuple(_stage(n, item) for n, item in enumerate(items, 1)))


def _stage(number: int, item: str) -> Stage:
    duration, colon, users = item.partition(":")
    if not colon or not users.strip().isdigit():
        raise InvalidInput(f"stage {number} ({item!r}) must look like DURATION:USERS, e.g. 30s:20")
    target = int(users)
    if target > 10_000:
        raise InvalidInput(f"stage {number} ({item!r}): at most 10000 virtual users")
    return Stage(parse_duration(duration, what=f"stage {number} duration"), target)
