"""Times, dates, durations and zones as people write them in reports (no I/O).

`10:10:30`, `12:57`, `10:10 AM`, `7:33 p.m.`, `19:33 UTC`; dates `2025-11-25`, `11/25/2025`,
`04/08/25`, `December 2, 2025`; zones named anywhere in the text (`All times are UTC`, `MST`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from jwtpizza.ops.notify.timeintervals import MONTHS

ZONES = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}
_ZONE_NAMES = "|".join(sorted((z for z in ZONES if z != "Z"), key=len, reverse=True))
_ZONE_WORD = re.compile(rf"\b({_ZONE_NAMES})\b")
TIME = re.compile(
    r"(?<![\d:/-])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?(?![\d:])"
    r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?"
    rf"(?:\s*(?P<zone>{_ZONE_NAMES})\b)?"
)
_ISO = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")
_US = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2}(?:\d{2})?)\b")
_WORDS = re.compile(
    r"\b("
    + "|".join(m[:3] for m in MONTHS)
    + r")[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(20\d\d)\b",
    re.IGNORECASE,
)
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "zero": 0,
    "no": 0,
    "half an": 0.5,
}
NUMBER = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + ")"
_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
}
_UNIT_WORDS = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?)\b"
# No groups, to embed in other patterns; one-letter units (`90 s`, `5m`) only after digits.
DURATION_TEXT = (
    rf"(?:\d+(?:\.\d+)?\s*[smh]\b|{NUMBER}[\s-]*{_UNIT_WORDS})(?:\s+\d+\s*(?:s|sec|seconds?)\b)?"
)
DURATION = re.compile(
    rf"\b(?P<n>{NUMBER})[\s-]*(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|[smh])\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ClockTime:
    """A time of day as written: seconds since local midnight, and what the text said."""

    seconds: int
    has_seconds: bool
    twelve_hour: bool
    zone: str | None
    text: str


def number(word: str) -> float:
    """`12` or `twelve` as a number."""
    word = word.lower()
    return float(_NUMBERS[word]) if word in _NUMBERS else float(word)


def clock_time(match: re.Match[str]) -> ClockTime:
    hour, minute = int(match["h"]), int(match["m"])
    ampm = (match["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    seconds = hour * 3600 + minute * 60 + int(match["s"] or 0)
    return ClockTime(seconds, match["s"] is not None, bool(ampm), match["zone"], match[0])


def duration(match: re.Match[str]) -> float:
    """The duration in seconds (a float: any figure a person writes fits)."""
    unit = match["unit"].lower().rstrip("s") or "s"
    return number(match["n"]) * _UNITS.get(unit, 1)


def named_zone(text: str) -> str | None:
    """The first time zone the text names (`All times are UTC`), if any."""
    found = _ZONE_WORD.search(text)
    return found.group(1) if found else None


def first_date(text: str) -> date | None:
    """The earliest-written date in the text, in any of the accepted shapes."""
    found: list[tuple[int, date | None]] = []
    for m in _ISO.finditer(text):
        found.append((m.start(), _safe(int(m[1]), int(m[2]), int(m[3]))))
    for m in _US.finditer(text):
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        found.append((m.start(), _safe(year, int(m[1]), int(m[2]))))
    for m in _WORDS.finditer(text):
        month = next(i for i, name in enumerate(MONTHS, 1) if name.startswith(m[1].lower()))
        found.append((m.start(), _safe(int(m[3]), month, int(m[2]))))
    dates = [d for _, d in sorted(found, key=lambda p: p[0]) if d is not None]
    return dates[0] if dates else None


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where the text writes dates (their numbers are no counts: `11/25/2025 orders`)."""
    return [m.span() for pattern in (_ISO, _US, _WORDS) for m in pattern.finditer(text)]


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
