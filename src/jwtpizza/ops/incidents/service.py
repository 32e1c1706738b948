"""Declaring incidents, moving them through their lifecycle, and recording their timeline.

Functions take an explicit session and the time; none of them commits. Each change to an
incident also writes its timeline entry, so the timeline is the incident's audit log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.errors import InvalidInput, NotFound
from jwtpizza.ops.incidents.lifecycle import (
    OPEN,
    IncidentStatus,
    Severity,
    check_move,
    check_open,
    check_role,
)
from jwtpizza.ops.incidents.models import Incident, IncidentAlert, IncidentEntry, IncidentRole
from jwtpizza.ops.incidents.timeline import Entry, Source

STATUS_TIME = {
    IncidentStatus.MITIGATED: "mitigated_at",
    IncidentStatus.RESOLVED: "resolved_at",
    IncidentStatus.POSTMORTEM_WRITTEN: "postmortem_at",
}


def _text(value: str, field: str, limit: int = 2000) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(f"{field} must not be empty")
    if len(value) > limit:
        raise InvalidInput(f"{field}: at most {limit} characters")
    return value


async def declare(
    *,
    session: AsyncSession,
    title: str,
    severity: Severity,
    by: str,
    now: datetime,
    group_key: str | None = None,
    commander: str | None = None,
) -> Incident:
    """Open an incident (active) and put its declaration on the timeline."""
    incident = Incident(
        title=_text(title, "title", 200),
        severity=severity.value,
        status=IncidentStatus.ACTIVE.value,
        group_key=group_key,
        declared_by=by[:200],
        declared_at=now,
    )
    session.add(incident)
    await session.flush()
    text = f"incident declared ({severity.value}) by {by}: {incident.title}"
    await record(
        session=session,
        incident=incident,
        entries=[Entry(now, Source.RESPONDER, "declared", text, "declared", public=True)],
    )
    if commander:
        await assign(
            session=session, incident=incident, role="commander", person=commander, by=by, now=now
        )
    return incident


async def get(*, session: AsyncSession, incident_id: int) -> Incident:
    incident = await session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"unknown incident {incident_id}")
    return incident


async def listing(
    *, session: AsyncSession, status: str | None = None, limit: int = 50
) -> list[Incident]:
    """Incidents, newest first, optionally in one status (`open` means active or mitigated)."""
    query = select(Incident).order_by(Incident.id.desc()).limit(limit)
    if status == "open":
        query = query.where(Incident.status.in_([s.value for s in OPEN]))
    elif status is not None:
        query = query.where(Incident.status == IncidentStatus(status).value)
    return list(await session.scalars(query))


async def open_in_group(*, session: AsyncSession, group_key: str) -> Incident | None:
    query = select(Incident).where(
        Incident.group_key == group_key, Incident.status.in_([s.value for s in OPEN])
    )
    return (await session.scalars(query.order_by(Incident.id.desc()).limit(1))).first()


async def move(
    *,
    session: AsyncSession,
    incident: Incident,
    target: IncidentStatus,
    by: str,
    now: datetime,
    why: str = "",
) -> Incident:
    """Move along one lifecycle edge, stamp its time, and record it (publicly)."""
    check_move(IncidentStatus(incident.status), target)
    incident.status = target.value
    if target in STATUS_TIME and getattr(incident, STATUS_TIME[target]) is None:
        setattr(incident, STATUS_TIME[target], now)
    text = f"incident {target.value.replace('_', ' ')} by {by}" + (f": {why}" if why else "")
    key = f"status:{target.value}:{now.isoformat()}"
    entry = Entry(now, Source.STATUS, f"status-{target.value}", text, key, public=True)
    await record(session=session, incident=incident, entries=[entry])
    return incident


async def acknowledge(
    *, session: AsyncSession, incident: Incident, by: str, now: datetime
) -> Incident:
    """Someone has it: the first acknowledgement is kept."""
    check_open(IncidentStatus(incident.status), "acknowledge")
    if incident.acked_at is None:
        incident.acked_at, incident.acked_by = now, by[:200]
        entry = Entry(now, Source.RESPONDER, "ack", f"acknowledged by {by}", "ack", data={"by": by})
        await record(session=session, incident=incident, entries=[entry])
    return incident


async def note(
    *,
    session: AsyncSession,
    incident: Incident,
    text: str,
    by: str,
    now: datetime,
    public: bool = False,
) -> Entry:
    """A responder's note, or (public) a status update the status page shows."""
    check_open(IncidentStatus(incident.status), "add a note")
    body = _text(text, "text")
    kind = "status-update" if public else "note"
    entry = Entry(
        now,
        Source.RESPONDER,
        kind,
        f"{by}: {body}",
        f"{kind}:{now.isoformat()}:{by}",
        public=public,
        data={"by": by, "text": body},
    )
    await record(session=session, incident=incident, entries=[entry])
    return entry


async def link(
    *, session: AsyncSession, incident: Incident, url: str, title: str, by: str, now: datetime
) -> Entry:
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("url: must start with http:// or https://")
    label = _text(title, "title", 200)
    entry = Entry(
        now,
        Source.RESPONDER,
        "link",
        f"{by} linked {label}",
        f"link:{url}",
        evidence=_text(url, "url"),
        data={"by": by},
    )
    await record(session=session, incident=incident, entries=[entry])
    return entry


async def assign(
    *, session: AsyncSession, incident: Incident, role: str, person: str, by: str, now: datetime
) -> None:
    check_role(role)
    who = _text(person, "person", 200)
    query = select(IncidentRole).where(
        IncidentRole.incident_id == incident.id, IncidentRole.role == role
    )
    row = (await session.scalars(query)).first()
    if row is None:
        session.add(IncidentRole(incident_id=incident.id, role=role, person=who))
    else:
        row.person = who
    entry = Entry(
        now,
        Source.RESPONDER,
        "role",
        f"{who} is {role} (set by {by})",
        f"role:{role}:{now.isoformat()}",
    )
    await record(session=session, incident=incident, entries=[entry])


async def roles(*, session: AsyncSession, incident_id: int) -> dict[str, str]:
    query = select(IncidentRole).where(IncidentRole.incident_id == incident_id)
    return {row.role: row.person for row in await session.scalars(query)}


async def record(*, session: AsyncSession, incident: Incident, entries: Iterable[Entry]) -> int:
    """Add the entries whose fact is not on the incident's timeline yet; how many."""
    batch = list(entries)
    if not batch:
        return 0
    known = set(
        await session.scalars(
            select(IncidentEntry.key).where(IncidentEntry.incident_id == incident.id)
        )
    )
    added = 0
    for entry in batch:
        if entry.key in known:
            continue
        known.add(entry.key)
        session.add(
            IncidentEntry(
                incident_id=incident.id,
                at=entry.at,
                source=entry.source,
                kind=entry.kind,
                text=entry.text[:2000],
                key=entry.key[:300],
                evidence=entry.evidence,
                public=entry.public,
                data=dict(entry.data),
            )
        )
        added += 1
    await session.flush()
    return added


async def timeline(
    *, session: AsyncSession, incident_id: int, public_only: bool = False
) -> list[Entry]:
    query = select(IncidentEntry).where(IncidentEntry.incident_id == incident_id)
    if public_only:
        query = query.where(IncidentEntry.public.is_(True))
    rows = await session.scalars(query.order_by(IncidentEntry.at, IncidentEntry.id))
    return sorted((_entry(row) for row in rows), key=Entry.sort_key)


def _entry(row: IncidentEntry) -> Entry:
    return Entry(
        at=row.at,
        source=row.source,
        kind=row.kind,
        text=row.text,
        key=row.key,
        evidence=row.evidence,
        public=row.public,
        data=row.data or {},
    )


def alert_key(fingerprint: str) -> str:
    """A short stable id for an alert's label set (label sets can be long)."""
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:32]


async def track_alert(
    *,
    session: AsyncSession,
    incident: Incident,
    rule: str,
    fingerprint: str,
    state: str,
    now: datetime,
) -> None:
    """Join the alert to the incident (once) and remember its latest state."""
    key = alert_key(fingerprint)
    query = select(IncidentAlert).where(
        IncidentAlert.incident_id == incident.id, IncidentAlert.fingerprint == key
    )
    row = (await session.scalars(query)).first()
    if row is None:
        session.add(
            IncidentAlert(
                incident_id=incident.id,
                rule=rule[:200],
                fingerprint=key,
                state=state,
                joined_at=now,
            )
        )
    else:
        row.state = state


async def alerts_of(*, session: AsyncSession, incident_id: int) -> list[IncidentAlert]:
    query = select(IncidentAlert).where(IncidentAlert.incident_id == incident_id)
    return list(await session.scalars(query.order_by(IncidentAlert.id)))


async def earlier_with_cause(
    *, session: AsyncSession, incident: Incident, root_cause: str
) -> list[Incident]:
    """Incidents declared before this one with the same root cause, newest first."""
    query = select(Incident).where(
        Incident.root_cause == root_cause,
        Incident.id != incident.id,
        Incident.declared_at <= incident.declared_at,
    )
    return list(await session.scalars(query.order_by(Incident.id.desc()).limit(20)))
