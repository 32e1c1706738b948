"""Alertmanager's time intervals: named sets of times, weekdays, days of the month, months
and years in a location, which a route uses as `mute_time_intervals` (no notification while
one contains the time) or `active_time_intervals` (notifications only while one does).

    time_intervals:
      - name: office-hours
        time_intervals:
          - times: [{start_time: "08:00", end_time: "17:00"}]   # start included, end not
            weekdays: ["monday:friday"]
            days_of_month: ["1:7", "-1"]                        # -1: the month's last day
            months: ["january:march", "12"]
            years: ["2026:2027"]
            location: Europe/Berlin                             # default UTC

Every part is optional; an interval contains a time when each part it has does. The parsing
and the tests follow Alertmanager's own (its `timeinterval` package): ranges are inclusive,
names are case-insensitive, a negative day counts from the end of the month, and a range
whose start is after its end is refused.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jwtpizza.errors import InvalidInput

Range = tuple[int, int]

WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_CLOCK = re.compile(r"(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)")
_NUMBER = re.compile(r"[+-]?[0-9]+")
KEYS = ("times", "weekdays", "days_of_month", "months", "years", "location")


class TimeIntervalError(InvalidInput):
    """A time interval does not parse; the message names the field and the reason."""


@dataclass(frozen=True)
class TimeInterval:
    """One entry of a named interval; `None`: the part is not restricted."""

    times: tuple[Range, ...] | None = None  # minutes of the day, end excluded
    weekdays: tuple[Range, ...] | None = None  # 0 = Sunday
    days_of_month: tuple[Range, ...] | None = None  # negative: from the month's end
    months: tuple[Range, ...] | None = None
    years: tuple[Range, ...] | None = None
    location: tzinfo | None = None  # None: Alertmanager's default, UTC

    def contains(self, moment: datetime) -> bool:
        t = moment.astimezone(self.location or UTC)
        minute = t.hour * 60 + t.minute
        weekday = (t.weekday() + 1) % 7
        checks = (
            (self.times, lambda r: r[0] <= minute < r[1]),
            (self.days_of_month, lambda r: _day_in(r, t)),
            (self.months, lambda r: r[0] <= t.month <= r[1]),
            (self.weekdays, lambda r: r[0] <= weekday <= r[1]),
            (self.years, lambda r: r[0] <= t.year <= r[1]),
        )
        return all(ranges is None or any(map(test, ranges)) for ranges, test in checks)


def _day_in(days: Range, t: datetime) -> bool:
    """Alertmanager's reading of a day-of-month range in the month of `t`: negative ends
    count back from the last day; a start past the month's end matches nothing; both ends
    are clamped to the month."""
    length = calendar.monthrange(t.year, t.month)[1]
    begin, end = (length + d + 1 if d < 0 else d for d in days)
    if begin > length:
        return False
    begin, end = (max(-length, min(length, d)) for d in (begin, end))
    return begin <= t.day <= end


def contains_any(intervals: tuple[TimeInterval, ...], moment: datetime) -> bool:
    return any(interval.contains(moment) for interval in intervals)


def _member(text: str, names: tuple[str, ...] | None, first: int, what: str) -> int:
    if names is not None and text in names:
        return names.index(text) + first
    if (names is None or what == "month") and _NUMBER.fullmatch(text):
        return int(text)
    raise TimeIntervalError(f"{text!r} is not a valid {what}")


def _range(value: Any, names: tuple[str, ...] | None, first: int, what: str) -> Range:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TimeIntervalError(f"{value!r} is not a {what} or a range like a:b")
    text = str(value).lower()
    parts = text.split(":")
    if len(parts) > 2:
        raise TimeIntervalError(f"{text!r} is not a range like a:b")
    begin = _member(parts[0], names, first, what)
    end = _member(parts[-1], names, first, what)
    return begin, end


def _weekdays(value: Any) -> Range:
    begin, end = _range(value, WEEKDAYS, 0, "weekday")
    if begin > end:
        raise TimeIntervalError(f"{value!r}: the start day is after the end day")
    return begin, end


def _days_of_month(value: Any) -> Range:
    begin, end = _range(value, None, 1, "day of the month")
    for day in (begin, end):
        if day == 0 or not -31 <= day <= 31:
            raise TimeIntervalError(
                f"{value!r}: {day} is not a day of the month (1 to 31, or -1 to -31)"
            )
    if begin < 0 < end:
        raise TimeIntervalError(f"{value!r}: the end must be negative if the start is")
    if (28 + begin if begin < 0 else begin) > (28 + end if end < 0 else end):
        raise TimeIntervalError(f"{value!r}: the end day is always before the start day")
    return begin, end


def _months(value: Any) -> Range:
    begin, end = _range(value, MONTHS, 1, "month")
    if not (1 <= begin <= 12 and 1 <= end <= 12):
        raise TimeIntervalError(f"{value!r}: months run from 1 (january) to 12 (december)")
    if begin > end:
        raise TimeIntervalError(f"{value!r}: the end month is before the start month")
    return begin, end


def _years(value: Any) -> Range:
    begin, end = _range(value, None, 0, "year")
    if begin > end:
        raise TimeIntervalError(f"{value!r}: the end year is before the start year")
    return begin, end


def _clock(value: Any, field: str) -> int:
    text = str(value) if value is not None else ""
    if not _CLOCK.fullmatch(text):
        raise TimeIntervalError(f"{field} {text!r} is not a time like 08:00 (00:00 to 24:00)")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _times(value: Any) -> Range:
    if not isinstance(value, dict):
        raise TimeIntervalError("needs start_time and end_time")
    if not value.get("start_time") or not value.get("end_time"):
        raise TimeIntervalError("both start_time and end_time must be given")
    start = _clock(value["start_time"], "start_time")
    end = _clock(value["end_time"], "end_time")
    if start >= end:
        raise TimeIntervalError("start_time must be before end_time")
    return start, end


def _location(value: Any) -> tzinfo:
    name = str(value)
    if name in ("", "UTC"):
        return UTC
    if name == "Local":
        local = datetime.now().astimezone().tzinfo
        return local or UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeIntervalError(f"unknown time zone {name!r}") from exc


PARTS = {
    "times": _times,
    "weekdays": _weekdays,
    "days_of_month": _days_of_month,
    "months": _months,
    "years": _years,
}


def parse_interval(spec: Any, where: str) -> TimeInterval:
    if not isinstance(spec, dict):
        raise TimeIntervalError(f"{where} must be a mapping")
    unknown = sorted(set(spec) - set(KEYS))
    if unknown:
        raise TimeIntervalError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(KEYS)})")
    parts: dict[str, Any] = {}
    for key, parse in PARTS.items():
        if spec.get(key) is None:
            continue
        if not isinstance(spec[key], list):
            raise TimeIntervalError(f"{where}.{key} must be a list")
        ranges = []
        for i, item in enumerate(spec[key]):
            try:
                ranges.append(parse(item))
            except TimeIntervalError as exc:
                raise TimeIntervalError(f"{where}.{key}[{i}]: {exc.message}") from exc
        parts[key] = tuple(ranges)
    if spec.get("location") is not None:
        try:
            parts["location"] = _location(spec["location"])
        except TimeIntervalError as exc:
            raise TimeIntervalError(f"{where}.location: {exc.message}") from exc
    return TimeInterval(**parts)


def parse_time_intervals(data: dict[str, Any]) -> dict[str, tuple[TimeInterval, ...]]:
    """The named intervals of a configuration: `time_intervals` and the older top-level
    `mute_time_intervals`, which Alertmanager still reads the same way."""
    named: dict[str, tuple[TimeInterval, ...]] = {}
    for key in ("mute_time_intervals", "time_intervals"):
        entries = data.get(key) or []
        if not isinstance(entries, list):
            raise TimeIntervalError(f"{key} must be a list")
        for i, entry in enumerate(entries):
            where = f"{key}[{i}]"
            if not isinstance(entry, dict) or not entry.get("name"):
                raise TimeIntervalError(f"{where}: a time interval needs a name")
            name = str(entry["name"])
            where = f"{key}[{i}] ({name})"
            if name in named:
                raise TimeIntervalError(f"{where}: time interval {name!r} is defined twice")
            items = entry.get("time_intervals") or []
            if not isinstance(items, list):
                raise TimeIntervalError(f"{where}.time_intervals must be a list")
            named[name] = tuple(
                parse_interval(item, f"{where}.time_intervals[{j}]") for j, item in enumerate(items)
            )
    return named
