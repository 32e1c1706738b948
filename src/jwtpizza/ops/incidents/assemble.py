"""Gathering an incident's timeline from every source (alert history, pages, the chaos feed,
the components' logs) and resolving it once every alert and the fault have ended."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.ops.alerts.models import AlertEvent
from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.feed_client import Feeds
from jwtpizza.ops.incidents.feed_parsing import Fault, chaos_entries, faults_from, log_entries
from jwtpizza.ops.incidents.lifecycle import OPEN, IncidentStatus
from jwtpizza.ops.incidents.models import Incident
from jwtpizza.ops.incidents.timeline import Entry, Source
from jwtpizza.ops.oncall.models import Page, PageNotification

AUTO = "ops (auto)"


async def first_signal(*, session: AsyncSession, incident: Incident) -> datetime:
    """The earliest moment on the incident's timeline (its first alert, usually)."""
    entries = await incidents.timeline(session=session, incident_id=incident.id)
    return min([incident.declared_at, *(e.at for e in entries)])


def relevant_faults(faults: Sequence[Fault], start: datetime, end: datetime) -> list[Fault]:
    return [f for f in faults if f.overlaps(start, end)]


async def alert_entries(*, session: AsyncSession, incident: Incident) -> list[Entry]:
    """Each stored transition of the incident's rules since a lookback before it began."""
    rules = {a.rule for a in await incidents.alerts_of(session=session, incident_id=incident.id)}
    if not rules:
        return []
    query = select(AlertEvent).where(
        AlertEvent.rule.in_(rules), AlertEvent.at >= incident.declared_at - timedelta(hours=1)
    )
    entries = []
    for event in await session.scalars(query.order_by(AlertEvent.at, AlertEvent.id)):
        value = "" if event.value is None else f" (value {event.value:g})"
        entries.append(
            Entry(
                event.at,
                Source.ALERT,
                f"alert-{event.state}",
                f"alert {event.rule} {event.state}{value}",
                f"alert:{incidents.alert_key(event.fingerprint)}:{event.state}:{event.at.isoformat()}",
                data={"rule": event.rule, "state": event.state, "value": event.value},
            )
        )
    return entries


async def page_entries(
    *, session: AsyncSession, incident: Incident, rules: set[str], until: datetime
) -> list[Entry]:
    """Pages for the incident's alerts: every notification step and the acknowledgement."""
    query = select(Page).where(
        Page.created_at >= incident.declared_at - timedelta(hours=1), Page.created_at <= until
    )
    entries: list[Entry] = []
    for page in await session.scalars(query.order_by(Page.id)):
        names = {a.get("labels", {}).get("alertname") for a in page.message.get("alerts", [])}
        if page.incident_id != incident.id and rules and not names & rules:
            continue
        sent = select(PageNotification).where(PageNotification.page_id == page.id)
        for n in await session.scalars(sent.order_by(PageNotification.id)):
            kind = "page" if n.step == 0 else "escalation"
            text = f"page {page.id} step {n.step + 1} to {n.target or 'nobody'}"
            text += f" via {n.receiver or '-'}: {n.outcome}"
            data = {
                "page": page.id,
                "step": n.step + 1,
                "receiver": n.receiver,
                "outcome": n.outcome,
            }
            entries.append(
                Entry(n.at, Source.PAGE, kind, text, f"page:{page.id}:{n.id}", data=data)
            )
        if page.acknowledged_at is not None:
            who = page.acknowledged_by or "someone"
            entries.append(
                Entry(
                    page.acknowledged_at,
                    Source.PAGE,
                    "page-ack",
                    f"page {page.id} acknowledged by {who}",
                    f"page-ack:{page.id}",
                    data={"by": who},
                )
            )
    return entries


@dataclass(frozen=True)
class Fetched:
    """What the feeds said for an incident's window (read over HTTP, outside any write)."""

    start: datetime
    end: datetime
    events: list[dict[str, Any]]
    logs: dict[str, list[dict[str, Any]]]


async def fetch(
    *, session: AsyncSession, incident: Incident, feeds: Feeds, now: datetime, lookback: float
) -> Fetched:
    """Read the chaos feed and the components' logs for the incident's window."""
    start = await first_signal(session=session, incident=incident) - timedelta(seconds=lookback)
    end = incident.resolved_at or now
    events = await feeds.chaos_events(since=start - timedelta(hours=1))
    logs = {c: await feeds.logs(c, since=start) for c in ("service", "factory")}
    return Fetched(start, end, events, logs)


async def gather(
    *, session: AsyncSession, incident: Incident, feeds: Feeds, fetched: Fetched
) -> list[Fault]:
    """Put every source's new facts on the timeline; the chaos faults of the incident."""
    faults = relevant_faults(faults_from(fetched.events), fetched.start, fetched.end)
    rules = {a.rule for a in await incidents.alerts_of(session=session, incident_id=incident.id)}
    batch = [
        *chaos_entries(fetched.events, {f.fault_id for f in faults}, feeds.factory_url),
        *await alert_entries(session=session, incident=incident),
        *await page_entries(session=session, incident=incident, rules=rules, until=fetched.end),
    ]
    for component, logs in fetched.logs.items():
        batch += log_entries(logs, component, feeds.base_url(component))
    await incidents.record(session=session, incident=incident, entries=batch)
    if faults and incident.root_cause is None:
        incident.root_cause = f"chaos:{faults[0].type}"
    return faults


async def resolve_if_over(
    *,
    session: AsyncSession,
    incident: Incident,
    faults: Sequence[Fault],
    now: datetime,
    lingering: Set[str] = frozenset(),
) -> bool:
    """Resolve an open incident when every alert has resolved and every fault has ended.
    Alerts named in `lingering` (burn rates, firing a window past the fix) are waited for
    only when the incident has no other alert."""
    if IncidentStatus(incident.status) not in OPEN:
        return False
    alerts = await incidents.alerts_of(session=session, incident_id=incident.id)
    if any(a.rule not in lingering for a in alerts):
        alerts = [a for a in alerts if a.rule not in lingering]
    if not alerts or any(a.state not in ("resolved", "inactive") for a in alerts):
        return False
    if any(f.ended_at is None for f in faults):
        return False
    why = "every alert resolved" + (" and the chaos feed says the fault ended" if faults else "")
    await incidents.move(
        session=session,
        incident=incident,
        target=IncidentStatus.RESOLVED,
        by=AUTO,
        now=now,
        why=why,
    )
    return True
