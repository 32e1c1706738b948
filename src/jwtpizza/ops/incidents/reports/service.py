"""Drafting an incident's postmortem from what was recorded and measured, and writing it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.feed_client import Feeds
from jwtpizza.ops.incidents.feed_parsing import Fault
from jwtpizza.ops.incidents.lifecycle import IncidentStatus
from jwtpizza.ops.incidents.models import Incident
from jwtpizza.ops.incidents.reports.draft import Draft, EarlierIncident, root_cause
from jwtpizza.ops.incidents.reports.figures import (
    Facts,
    Page,
    compute,
    span_from_transitions,
    window,
)
from jwtpizza.ops.incidents.reports.html import render_html
from jwtpizza.ops.incidents.timeline import Entry, Source
from jwtpizza.ops.monitor.store import SampleStore

SYMPTOMS = ("first-5xx", "report-link")


def facts_from(
    incident: Incident,
    timeline: Sequence[Entry],
    faults: Sequence[Fault],
    *,
    expected: Sequence[str],
    mttd_target: float,
) -> Facts:
    """The incident's recorded facts, read off its timeline and its row."""
    transitions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in timeline:
        if e.source == Source.ALERT:
            transitions[str(e.data["rule"])].append({**e.data, "at": e.at})
    pages = [
        Page(
            e.at,
            int(e.data.get("step", 1)),
            str(e.data.get("receiver")),
            str(e.data["outcome"]),
            page_id=int(e.data["page"]) if "page" in e.data else None,
        )
        for e in timeline
        if e.kind in ("page", "escalation")
    ]
    page_acks = [e.at for e in timeline if e.kind == "page-ack"]
    acks = [t for t in (incident.acked_at, *page_acks) if t is not None]
    return Facts(
        declared_at=incident.declared_at,
        faults=list(faults),
        first_symptom_at=min((e.at for e in timeline if e.kind in SYMPTOMS), default=None),
        alerts=[span_from_transitions(rule, ts) for rule, ts in transitions.items()],
        pages=pages,
        acked_at=min(acks, default=None),
        marked_mitigated_at=incident.mitigated_at,
        resolved_at=incident.resolved_at,
        expected_alerts=list(expected),
        mttd_target=timedelta(seconds=mttd_target),
    )


async def draft(
    *,
    session: AsyncSession,
    incident: Incident,
    faults: Sequence[Fault],
    feeds: Feeds,
    now: datetime,
    expected: Sequence[str],
    mttd_target: float,
    speed: float = 1.0,
) -> Draft:
    """The postmortem's content: figures (with the order ledger for the window) and cause."""
    timeline = await incidents.timeline(session=session, incident_id=incident.id)
    facts = facts_from(incident, timeline, faults, expected=expected, mttd_target=mttd_target)
    start, end = window(compute(facts), now)
    ledger = await feeds.ledger(start, end + timedelta(seconds=1))
    figures = compute(replace(facts, ledger=ledger))
    cause = root_cause(faults, timeline)
    if cause is not None:
        incident.root_cause = cause.key
    earlier = (
        []
        if cause is None
        else await incidents.earlier_with_cause(
            session=session, incident=incident, root_cause=cause.key
        )
    )
    return Draft(
        incident_id=incident.id,
        title=incident.title,
        severity=incident.severity,
        status=incident.status,
        declared_at=incident.declared_at,
        figures=figures,
        timeline=timeline,
        root_cause=cause,
        roles=await incidents.roles(session=session, incident_id=incident.id),
        earlier=[EarlierIncident(i.id, i.title, i.declared_at, i.status) for i in earlier],
        now=now,
        speed=speed,
    )


async def mark_written(*, session: AsyncSession, incident: Incident, now: datetime) -> None:
    """A resolved incident whose postmortem was drafted becomes `postmortem_written`."""
    if incident.status == IncidentStatus.RESOLVED:
        await incidents.move(
            session=session,
            incident=incident,
            target=IncidentStatus.POSTMORTEM_WRITTEN,
            by="ops",
            now=now,
            why=f"postmortem drafted as incident-{incident.id}.md",
        )


def metric_samples(store: SampleStore, name: str) -> list[tuple[datetime, float]]:
    """The metric summed over its series; counters (`_total`) as increase per sample."""
    totals: dict[int, float] = defaultdict(float)
    for series in store.select(name):
        times, values = series.window(0, 2**62)
        for t, v in zip(times, values, strict=True):
            totals[t] += v
    points = sorted(totals.items())
    if name.endswith("_total"):
        points = [(t, max(0.0, v - pv)) for (_, pv), (t, v) in pairwise(points)]
    return [(datetime.fromtimestamp(t / 1000, UTC), v) for t, v in points]


def html(report: Draft, store: SampleStore, metric: str, now: datetime) -> str:
    return render_html(report, metric, metric_samples(store, metric), now)
