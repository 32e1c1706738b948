"""The incident desk: what turns alert transitions into incidents and keeps their timelines.

It subscribes to the app's `AlertBus`: a firing alert whose severity declares incidents opens
one, unless its group already has an open incident, which it joins. `tick()` (on a loop)
gathers every open incident's timeline from the feeds and resolves those that are over.

An error-budget burn alert (`scope: slo`, `sloth_severity: page`) is one more signal of the
fault: it joins the fault's open incident (and so its one page), or opens one and pages when
none is open. It does not hold an incident of other alerts open: its short window keeps it
firing minutes after the fix, when the fault's own alerts have resolved. Burn tickets stay out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.clock import Clock
from jwtpizza.db import Database
from jwtpizza.ops.alerts.events import AlertState, AlertTransition
from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.assemble import AUTO, fetch, gather, resolve_if_over
from jwtpizza.ops.incidents.feed_client import Feeds
from jwtpizza.ops.incidents.feed_parsing import Fault
from jwtpizza.ops.incidents.lifecycle import OPEN, severity_of_alert
from jwtpizza.ops.incidents.models import Incident
from jwtpizza.ops.incidents.pager import Pager
from jwtpizza.ops.incidents.reports import service as reports
from jwtpizza.ops.incidents.reports.draft import Draft
from jwtpizza.ops.incidents.reports.figures import window
from jwtpizza.ops.incidents.settings import IncidentSettings
from jwtpizza.ops.incidents.timeline import Entry
from jwtpizza.ops.monitor.store import SampleStore
from jwtpizza.ops.slo.spent import budget_spent

log = logging.getLogger("jwtpizza.ops.incidents")

GROUP_LABEL = "incident_group"
DEFAULT_GROUP = "jwt-pizza"
SCOPE_LABEL = "scope"
HOST_SCOPE = "host"
SLO_SCOPE = "slo"
BURN_SEVERITY_LABEL = "sloth_severity"
BURN_PAGE = "page"


def group_of(transition: AlertTransition) -> str:
    """Alerts with the same `incident_group` label share one open incident."""
    return transition.labels.get(GROUP_LABEL) or DEFAULT_GROUP


class ActiveAlerts(Protocol):
    """Where the desk reads the alerts pending or firing right now: the `AlertBus`."""

    def active(self) -> list[AlertTransition]: ...


class IncidentDesk:
    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        feeds: Feeds,
        settings: IncidentSettings,
        samples: SampleStore,
        pager: Pager | None = None,
        alerts: ActiveAlerts | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.feeds = feeds
        self.settings = settings
        self.samples = samples
        self.expected_alerts: dict[str, list[str]] = {}
        # Called with the incident and the transition of every alert that joined one.
        self.on_joined: list[Callable[[int, AlertTransition], Awaitable[None]]] = []
        # Pages a person and acknowledges pages (on-call's when it runs); else logged only.
        self.pager = pager
        # Runbooks at work per incident: an incident does not resolve itself under them.
        self.working: dict[int, int] = {}
        # The alerts pending or firing right now (none known without a bus).
        self.alerts = alerts
        # Burn-rate alert names seen: they do not hold an incident of other alerts open.
        self.burn_rules: set[str] = set()

    def takes(self, transition: AlertTransition) -> bool:
        """Host-level alerts stay out of incidents unless `host_alerts` is on; of the
        error-budget burn alerts, the pages join (tickets stay out)."""
        scope = transition.labels.get(SCOPE_LABEL)
        if scope == SLO_SCOPE:
            return transition.labels.get(BURN_SEVERITY_LABEL) == BURN_PAGE
        return self.settings.host_alerts or scope != HOST_SCOPE

    async def on_alert(self, transition: AlertTransition) -> None:
        """AlertBus subscriber: declare, join, or track the alert's state. A new incident
        also takes in the group's other alerts already pending or firing, and opens when
        the first of them fired (its first page), not when the declaring one did."""
        if not self.takes(transition):
            return
        if transition.labels.get(SCOPE_LABEL) == SLO_SCOPE:
            self.burn_rules.add(transition.rule)
        async with self.db.writer() as session:
            incident, declared = await self._incident_for(session, transition)
            if incident is None:
                return
            joined = [transition]
            if declared:
                joined += self._others_active(transition)
            for alert in joined:
                await incidents.track_alert(
                    session=session,
                    incident=incident,
                    rule=alert.rule,
                    fingerprint=alert.fingerprint,
                    state=alert.state.value,
                    now=transition.at,
                )
            incident_id = incident.id
        for alert in joined:
            for hook in self.on_joined:
                await hook(incident_id, alert)

    def _others_active(self, transition: AlertTransition) -> list[AlertTransition]:
        group = group_of(transition)
        return [
            a
            for a in (self.alerts.active() if self.alerts else [])
            if a.fingerprint != transition.fingerprint and group_of(a) == group and self.takes(a)
        ]

    async def _incident_for(
        self, session: AsyncSession, transition: AlertTransition
    ) -> tuple[Incident | None, bool]:
        """The group's open incident, or a new one (and whether it is new)."""
        group = group_of(transition)
        incident = await incidents.open_in_group(session=session, group_key=group)
        if incident is not None or transition.state is not AlertState.FIRING:
            return incident, False
        if transition.severity not in self.settings.declare_severities:
            return None, False
        summary = transition.annotations.get("summary") or transition.rule
        declared = await incidents.declare(
            session=session,
            title=f"{transition.rule}: {summary}"[:200],
            severity=severity_of_alert(transition.severity),
            by=AUTO,
            now=self._first_fired(transition),
            group_key=group,
        )
        return declared, True

    def _first_fired(self, transition: AlertTransition) -> datetime:
        """When the first alert of the new incident fired (and paged): the declaring one or
        an earlier firing alert of its group that joins with it, within the lookback (an
        alert firing for hours does not date the incident back to its start)."""
        since = transition.at - timedelta(seconds=self.settings.lookback_seconds)
        fired = [transition.fired_at or transition.at] + [
            a.fired_at
            for a in self._others_active(transition)
            if a.state is AlertState.FIRING and a.fired_at is not None and a.fired_at >= since
        ]
        return min(fired)

    async def tick(self) -> None:
        """Gather every open incident's timeline; resolve those that are over."""
        async with self.db.reader() as session:
            open_ids = [i.id for i in await incidents.listing(session=session, status="open")]
        for incident_id in open_ids:
            try:
                await self.assemble(incident_id)
            except Exception:
                log.exception("assembling incident %s failed", incident_id)

    async def assemble(self, incident_id: int) -> list[Fault]:
        """Read the feeds (no write held meanwhile), record what is new, resolve if over,
        and acknowledge pages that opened after someone acknowledged the incident."""
        now = self.clock.now()
        async with self.db.reader() as session:
            incident = await incidents.get(session=session, incident_id=incident_id)
            fetched = await fetch(
                session=session,
                incident=incident,
                feeds=self.feeds,
                now=now,
                lookback=self.settings.lookback_seconds,
            )
        async with self.db.writer() as session:
            incident = await incidents.get(session=session, incident_id=incident_id)
            faults = await gather(
                session=session, incident=incident, feeds=self.feeds, fetched=fetched
            )
            if not self.working.get(incident_id):
                await resolve_if_over(
                    session=session,
                    incident=incident,
                    faults=faults,
                    now=now,
                    lingering=self.burn_rules,
                )
            acked_by = incident.acked_by if incident.status in OPEN else None
        if acked_by and self.pager is not None:
            await self.pager.acknowledge(incident_id, acked_by)
        return faults

    def expected_for(self, faults: Sequence[Fault]) -> list[str]:
        names: list[str] = []
        for fault in faults:
            names += [n for n in self.expected_alerts.get(fault.type, []) if n not in names]
        return names

    async def draft(self, incident_id: int, *, finish: bool) -> Draft:
        """Gather the timeline, then draft the postmortem (and, when `finish`, mark it written)."""
        faults = await self.assemble(incident_id)
        now = self.clock.now()
        async with self.db.writer() as session:
            incident = await incidents.get(session=session, incident_id=incident_id)
            report = await reports.draft(
                session=session,
                incident=incident,
                faults=faults,
                feeds=self.feeds,
                now=now,
                expected=self.expected_for(faults),
                mttd_target=self.settings.mttd_target_seconds,
                speed=self.settings.time_speed,
            )
            if finish:
                await reports.mark_written(session=session, incident=incident, now=now)
        start, end = window(report.figures, now)
        spent = budget_spent(self.samples, start, end, speed=self.settings.time_speed)
        return replace(report, budget_spent=spent)

    async def record(self, incident_id: int, entries: Sequence[Entry]) -> None:
        async with self.db.writer() as session:
            incident = await incidents.get(session=session, incident_id=incident_id)
            await incidents.record(session=session, incident=incident, entries=entries)

    def now(self) -> datetime:
        return self.clock.now()


def build_desk(
    *,
    db: Database,
    clock: Clock,
    feeds: Feeds,
    samples: SampleStore,
    settings: IncidentSettings,
    pager: Pager | None = None,
    alerts: ActiveAlerts | None = None,
) -> IncidentDesk:
    return IncidentDesk(
        db=db,
        clock=clock,
        feeds=feeds,
        settings=settings,
        samples=samples,
        pager=pager,
        alerts=alerts,
    )


async def run_desk(
    desk: IncidentDesk, interval: float, leads: Callable[[], bool] = lambda: True
) -> None:
    """Gather open incidents' timelines every `interval` seconds until cancelled, while
    this process `leads` (a standby ops leaves it to the leader)."""
    while True:
        try:
            if leads():
                await desk.tick()
        except Exception:  # e.g. the database is briefly unreachable: try again next time
            log.exception("gathering open incidents failed")
        await desk.clock.sleep(interval)
