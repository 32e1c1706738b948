"""What the public status page shows: open and recently resolved incidents with their public
updates, and each component's health. Nothing internal: no titles written by alerts, no
logs, no people, no links."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.lifecycle import OPEN
from jwtpizza.ops.incidents.models import Incident
from jwtpizza.ops.incidents.timeline import Entry
from jwtpizza.ops.monitor.scrape import TargetHealth

RECENT = timedelta(hours=24)
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


def public_update(entry: Entry) -> PublicUpdate | None:
    """The public wording of a public entry: our fixed headlines, or a responder's update."""
    if entry.kind == "status-update":
        return PublicUpdate(entry.at, str(entry.data.get("text", "")))
    headline = HEADLINES.get(entry.kind)
    return None if headline is None else PublicUpdate(entry.at, headline)


async def current(*, session: AsyncSession, now: datetime) -> list[PublicIncident]:
    """Open incidents, and those resolved in the last 24 h, newest first."""
    query = select(Incident).where(
        or_(Incident.status.in_([s.value for s in OPEN]), Incident.resolved_at >= now - RECENT)
    )
    found = []
    for incident in await session.scalars(query.order_by(Incident.id.desc())):
        entries = await incidents.timeline(session=session, incident_id=incident.id,
                                           public_only=True)  # fmt: skip
        updates = [u for u in map(public_update, entries) if u is not None]
        found.append(
            PublicIncident(
                id=incident.id, severity=incident.severity,
                status="resolved" if incident.status not in OPEN else incident.status,
                started_at=incident.declared_at, resolved_at=incident.resolved_at,
                updates=updates,
            )
        )  # fmt: skip
    return found


def components(targets: list[TargetHealth]) -> dict[str, str]:
    """Each watched component's health from its last scrape: `up`, `down` or `unknown`."""
    health: dict[str, str] = {}
    for t in targets:
        name = t.target.labels.get("component") or t.target.job
        state = "unknown" if t.last_scrape_ms is None else "up" if t.up else "down"
        if health.get(name) != "down":
            health[name] = state
    return health
