"""The ops component wired once: `assemble` builds every part in dependency order (nothing
is attached after construction) and returns them as one `OpsApp`, which `create_app`
keeps as `app.state.ops` and the routers' dependencies read:

    parts = assemble(settings, clock=clock, ...)
    app = FastAPI(lifespan=parts.lifespan)
    app.state.ops = parts        # request.app.state.ops.context, .rules, .incidents, ...

The order answers who needs whom: the context (database, HTTP client, monitor, bus), the
rules, the components' feeds, on-call and notification (finding incidents through the
database, muted by the faults the chaos feed announces), the incident desk (paging through
on-call's `Pager`, reading the feeds), then the runbooks, guards and probe.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from jwtpizza.clock import Clock, SystemClock
from jwtpizza.db import Database
from jwtpizza.observability import Observability
from jwtpizza.ops.admins import AdminGate
from jwtpizza.ops.alerts.events import AlertBus
from jwtpizza.ops.alerts.history import record_transitions
from jwtpizza.ops.background import running
from jwtpizza.ops.context import OpsContext
from jwtpizza.ops.explore.logsearch import LogSearches
from jwtpizza.ops.heartbeat.watch import HeartbeatWatch
from jwtpizza.ops.heartbeat.wiring import Guards, build_guards, guarding
from jwtpizza.ops.incidents.desk import IncidentDesk, build_desk, run_desk
from jwtpizza.ops.incidents.feed_client import Feeds
from jwtpizza.ops.incidents.oncall_bridge import OncallPager, incident_finder
from jwtpizza.ops.incidents.settings import IncidentSettings
from jwtpizza.ops.leadership import AlwaysLeader, LeaderLease, default_holder, leading
from jwtpizza.ops.limits import AnonymousLimits
from jwtpizza.ops.loops import monitoring, paging_loop, take_over
from jwtpizza.ops.migrations import upgrade
from jwtpizza.ops.monitor.service import Monitor
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.notify_oncall import Paging, build_paging
from jwtpizza.ops.oncall.settings import OncallSettings
from jwtpizza.ops.probes import OrderProbe, ProbeSettings, probe_loop
from jwtpizza.ops.rules.held_alerts import AlertStates
from jwtpizza.ops.rules.service import RuleManager
from jwtpizza.ops.runbooks import runner as runbooks
from jwtpizza.ops.settings import OpsSettings
from jwtpizza.ops.statuspage.service import StatusBoard
from jwtpizza.ops.telemetry import MonitorMetrics


@dataclass(frozen=True)
class Options:
    """What a caller (the CLI, a test) may choose besides `OpsSettings`: `http_transport`
    for every outgoing call, `notify_transport` for notifications; without `start_loops`
    scraping, evaluation and paging ticks are left to the test (virtual time)."""

    http_transport: httpx.AsyncBaseTransport | None = None
    start_loops: bool = True
    incidents: IncidentSettings | None = None
    notify: NotifySettings | None = None
    oncall: OncallSettings | None = None
    notify_transport: httpx.AsyncBaseTransport | None = None
    probes: ProbeSettings | None = None


@dataclass
class OpsApp:
    """Everything one ops app holds (`app.state.ops`)."""

    context: OpsContext
    rules: RuleManager
    incidents: IncidentDesk
    paging: Paging
    runbooks: runbooks.Runbooks
    guards: Guards
    alert_states: AlertStates
    probe: OrderProbe | None
    status_board: StatusBoard
    anonymous_limits: AnonymousLimits
    log_searches: LogSearches

    @property
    def heartbeat(self) -> HeartbeatWatch:
        return self.guards.watch

    @asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        """Migrate the ops database, run the loops while this process leads, close all."""
        await upgrade(self.context.db)
        try:
            if isinstance(self.context.leadership, LeaderLease):
                async with self._loops(self.context.leadership):
                    yield
            else:
                yield
        finally:
            await self.context.bus.close()
            await self.runbooks.stop()
            await self.paging.close()
            await self.context.http.aclose()
            await self.context.db.dispose()

    @asynccontextmanager
    async def _loops(self, lease: LeaderLease) -> AsyncIterator[None]:
        context, desk = self.context, self.incidents
        interval = desk.settings.assemble_interval_seconds or context.settings.scrape_interval()
        async with (
            running(run_desk(desk, interval, lease.is_leader)),
            leading(lease),
            monitoring(context, self.rules, self.alert_states),
            paging_loop(self.paging, context),
            probe_loop(self.probe),
            guarding(self.guards, context),
        ):
            yield


def build_context(
    settings: OpsSettings,
    *,
    clock: Clock,
    http_transport: httpx.AsyncBaseTransport | None,
    obs: Observability,
    elect: bool = True,
) -> OpsContext:
    """The shared parts; with `elect` this process leads only while it holds the database's
    lease (else it always leads: a test driving the loops itself)."""
    db = Database(settings.database_url, pooled=settings.db_pooled)
    leadership: LeaderLease | AlwaysLeader = AlwaysLeader()
    if elect:
        # The lease runs on real time even when the rest runs on a scaled clock (a compressed
        # scenario): it measures whether processes are alive, and a lease of a second of real
        # time would lapse at every pause of a busy machine.
        leadership = LeaderLease(
            db,
            clock=SystemClock(),
            holder=settings.leader_id or default_holder(settings.port),
            lease_seconds=settings.lease_seconds,
            renew_seconds=settings.lease_renew_seconds,
        )
    http = httpx.AsyncClient(transport=http_transport, follow_redirects=False)
    monitor = Monitor.from_settings(settings, http=http, clock=clock)
    bus = AlertBus()
    bus.subscribe(record_transitions(db))
    admins = AdminGate(
        http=http,
        service_url=settings.service_url,
        clock=clock,
        cache_seconds=settings.admin_cache_seconds,
        refused_cache_seconds=settings.admin_refused_cache_seconds,
    )
    return OpsContext(
        settings=settings,
        db=db,
        clock=clock,
        http=http,
        obs=obs,
        bus=bus,
        monitor=monitor,
        monitor_metrics=MonitorMetrics(obs.metrics.registry, monitor.store),
        admins=admins,
        leadership=leadership,
    )


def build_rules(context: OpsContext) -> RuleManager:
    settings = context.settings
    rules = RuleManager(
        store=context.monitor.store,
        bus=context.bus,
        default_interval_seconds=settings.evaluation_interval(),
        max_for_seconds=settings.max_for_seconds(),
        metrics=context.monitor_metrics,
    )
    rules.load(settings.rule_files)
    return rules


def build_feeds(context: OpsContext, incidents: IncidentSettings) -> Feeds:
    """The components' HTTP feeds (the chaos feed mutes the notifier, the desk reads all)."""
    settings = context.settings
    return Feeds(
        http=context.http,
        service_url=settings.service_url,
        factory_url=settings.factory_url,
        settings=incidents,
    )


def build_paging_for(context: OpsContext, feeds: Feeds, options: Options) -> Paging:
    settings = context.settings
    return build_paging(
        db=context.db,
        clock=context.clock,
        registry=context.obs.metrics.registry,
        chaos_events=feeds.chaos_events,
        notify_settings=options.notify,
        oncall_settings=options.oncall,
        transport=options.notify_transport,
        listen_url=f"http://{settings.host}:{settings.port}",
        incident_of=incident_finder(context.db),
    )


def build_desk_for(
    context: OpsContext, paging: Paging, feeds: Feeds, incidents: IncidentSettings
) -> IncidentDesk:
    return build_desk(
        db=context.db,
        clock=context.clock,
        feeds=feeds,
        samples=context.monitor.store,
        settings=incidents,
        pager=OncallPager(db=context.db, clock=context.clock, escalator=paging.escalator),
        alerts=context.bus,
    )


def build_probe(context: OpsContext, probes: ProbeSettings | None) -> OrderProbe | None:
    probes = probes or ProbeSettings()
    if not probes.enabled:
        return None
    return OrderProbe(
        http=context.http,
        service_url=context.settings.service_url,
        factory_url=context.settings.factory_url,
        settings=probes,
        registry=context.obs.metrics.registry,
    )


def assemble(
    settings: OpsSettings, *, clock: Clock, obs: Observability, options: Options
) -> OpsApp:
    """Every part of one ops app, in the order they need each other."""
    context = build_context(
        settings,
        clock=clock,
        http_transport=options.http_transport,
        obs=obs,
        elect=options.start_loops,
    )
    rules = build_rules(context)
    incidents = options.incidents or IncidentSettings()
    feeds = build_feeds(context, incidents)
    paging = build_paging_for(context, feeds, options)
    desk = build_desk_for(context, paging, feeds, incidents)
    context.bus.subscribe(desk.on_alert)
    context.bus.subscribe(paging.on_transition)
    states = AlertStates(context.db)
    if isinstance(context.leadership, LeaderLease):
        context.leadership.on_gained(take_over(context, rules, states, paging))
    return OpsApp(
        context=context,
        rules=rules,
        incidents=desk,
        paging=paging,
        runbooks=runbooks.attach(desk),
        guards=build_guards(clock=clock, rules=rules, paging=paging),
        alert_states=states,
        probe=build_probe(context, options.probes),
        status_board=StatusBoard(
            db=context.db,
            clock=clock,
            monitor=context.monitor,
            ttl_seconds=settings.status_cache_seconds,
        ),
        anonymous_limits=AnonymousLimits(clock=clock, settings=settings),
        log_searches=LogSearches(
            clock=clock,
            ttl_seconds=settings.log_search_cache_seconds,
            per_minute=settings.log_searches_per_minute,
            refused_delay_seconds=settings.refused_answer_delay_seconds,
        ),
    )
