"""Which recorded incident a postmortem describes, from its date and first time (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from jwtpizza.errors import InvalidInput, NotFound
from jwtpizza.ops.reviews.check import first_time
from jwtpizza.ops.reviews.claims import Claim
from jwtpizza.ops.reviews.clock import ZONES, first_date, named_zone
from jwtpizza.ops.reviews.sections import Document

MARGIN = timedelta(minutes=30)


@dataclass(frozen=True)
class Window:
    incident_id: int
    start: datetime
    end: datetime


def describes(doc: Document, claims: Sequence[Claim], windows: Sequence[Window]) -> int:
    """The one incident whose window holds the report's first time, else a clear error."""
    text = "\n".join([doc.title or "", doc.text()])
    day = first_date(text)
    first = next((c.time for c in claims if c.time), None) or first_time(doc)
    if day is None:
        raise InvalidInput(
            "the report names no date, so its incident cannot be found: give the incident's number"
        )
    zone = first.zone or named_zone(text)
    offsets = [ZONES[zone]] if zone else list(range(-12, 15))
    moments = [
        datetime.combine(day, datetime.min.time(), timezone(timedelta(hours=h)))
        + timedelta(seconds=first.seconds)
        for h in offsets
    ]
    found = [
        w.incident_id
        for w in windows
        if any(w.start - MARGIN <= m <= w.end + MARGIN for m in moments)
    ]
    said = f"{day} {first.text}" + ("" if zone else " (no time zone named)")
    if not found:
        raise NotFound(
            f"no recorded incident matches the report's time ({said}): give the incident's number"
        )
    if len(found) > 1:
        numbers = ", ".join(str(n) for n in sorted(found))
        raise InvalidInput(
            f"the report's time ({said}) matches incidents {numbers}: give the incident's number"
        )
    return found[0]
