"""What the public status page shows: open and recently resolved incidents with their public
updates, each component's health, and each SLO's error budget left and burn rate. Nothing
internal: no titles written by alerts, no logs, no people, no links."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.clock import Clock
from jwtpizza.db import Database
from jwtpizza.ops.incidents.lifecycle import OPEN
from jwtpizza.ops.incidents.models import Incident, IncidentEntry
from jwtpizza.ops.monitor.scrape import TargetHealth
from jwtpizza.ops.monitor.service import Monitor
from jwtpizza.ops.slo.status import SloStatus, slo_status

RECENT = timedelta(hours=24)
SHOWN = 20  # the newest incidents the page lists
HEADLINES = {
    "declared": "We are investigating a problem.",
    "status-mitigated": "The problem is mitigated; we are watching the recovery.",
    "status-active": "The problem is back; we are investigating.",
    "status-resolved": "The problem is resolved.",
}


@dataclass(frozen=True)
class PublicUpdate:
    at: datetime
    text: str


@dataclass(frozen=True)
class PublicIncident:
    id: int
    severity: str
    status: str
    started_at: datetime
    resolved_at: datetime | None
    updates: list[PublicUpdate] = field(default_factory=list)


def public_update(entry: IncidentEntry) -> PublicUpdate | None:
    """The public wording of a public entry: our fixed headlines, or a responder's update."""
    if entry.kind == "status-update":
        return PublicUpdate(entry.at, str((entry.data or {}).get("text", "")))
    headline = HEADLINES.get(entry.kind)
    return None if headline is None else PublicUpdate(entry.at, headline)


async def current(*, session: AsyncSession, now: datetime) -> list[PublicIncident]:
    """Open incidents, and those resolved in the last 24 h, newest first (at most `SHOWN`),
    each with its public entries: one query however many there are."""
    shown = (
        select(Incident.id)
        .where(
            or_(Incident.status.in_([s.value for s in OPEN]), Incident.resolved_at >= now - RECENT)
        )
        .order_by(Incident.id.desc())
        .limit(SHOWN)
        .subquery()
    )
    public = and_(IncidentEntry.incident_id == Incident.id, IncidentEntry.public.is_(True))
    rows = await session.execute(
        select(Incident, IncidentEntry)
        .join(shown, shown.c.id == Incident.id)
        .outerjoin(IncidentEntry, public)
        .order_by(Incident.id.desc(), IncidentEntry.at, IncidentEntry.id)
    )
    found: dict[int, PublicIncident] = {}
    for incident, entry in rows:
        listed = found.setdefault(incident.id, _public(incident))
        update = None if entry is None else public_update(entry)
        if update is not None:
            listed.updates.append(update)
    return list(found.values())


def _public(incident: Incident) -> PublicIncident:
    return PublicIncident(
        id=incident.id,
        severity=incident.severity,
        status="resolved" if incident.status not in OPEN else incident.status,
        started_at=incident.declared_at,
        resolved_at=incident.resolved_at,
    )


def components(targets: list[TargetHealth]) -> dict[str, str]:
    """Each watched component's health from its last scrape: `up`, `down` or `unknown`."""
    health: dict[str, str] = {}
    for t in targets:
        name = t.target.labels.get("component") or t.target.job
        state = "unknown" if t.last_scrape_ms is None else "up" if t.up else "down"
        if health.get(name) != "down":
            health[name] = state
    return health


@dataclass(frozen=True)
class Snapshot:
    incidents: list[PublicIncident]
    components: dict[str, str]
    budgets: list[SloStatus] = field(default_factory=list)


class StatusBoard:
    """The status page's content, built at most once per `ttl_seconds` whoever asks, one
    build at a time (callers arriving during a build wait for it), so anonymous readers cost
    the database nothing more however many they are."""

    def __init__(self, *, db: Database, clock: Clock, monitor: Monitor, ttl_seconds: float) -> None:
        self._db, self._clock, self._monitor, self._ttl = db, clock, monitor, ttl_seconds
        self._lock = asyncio.Lock()
        self._built: tuple[float, Snapshot] | None = None

    async def snapshot(self) -> Snapshot:
        fresh = self._fresh()
        if fresh is not None:
            return fresh
        async with self._lock:
            fresh = self._fresh()
            if fresh is not None:
                return fresh
            async with self._db.reader() as session:
                found = await current(session=session, now=self._clock.now())
            now_ms = int(self._clock.now().timestamp() * 1000)
            budgets = slo_status(self._monitor.store, now_ms)
            snapshot = Snapshot(found, components(self._monitor.targets()), budgets)
            self._built = (self._clock.monotonic(), snapshot)
            return snapshot

    def _fresh(self) -> Snapshot | None:
        if self._built is None or self._clock.monotonic() - self._built[0] >= self._ttl:
            return None
        return self._built[1]
