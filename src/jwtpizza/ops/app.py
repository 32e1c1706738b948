"""The ops app: `create_app(settings)` builds it; nothing happens at import.

Its lifespan migrates the ops database, loads the rule files and runs the monitor (scrape
and rule evaluation loops) until shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from jwtpizza.clock import Clock, SystemClock
from jwtpizza.db import Database
from jwtpizza.http.errors import install_error_handlers
from jwtpizza.http.guard import install_edge
from jwtpizza.http.swagger import install_swagger_ui
from jwtpizza.observability import Observability, ObservabilitySettings, instrument
from jwtpizza.observability.ops_routes import scrape_guard
from jwtpizza.ops.actions.router import router as actions_router
from jwtpizza.ops.admins import AdminGate
from jwtpizza.ops.alerts.events import AlertBus
from jwtpizza.ops.alerts.history import record_transitions
from jwtpizza.ops.alerts.state import AlertStates
from jwtpizza.ops.context import OpsContext
from jwtpizza.ops.deps import admin_user
from jwtpizza.ops.explore.logsearch import LogSearches
from jwtpizza.ops.explore.router import router as explore_router
from jwtpizza.ops.health import router as health_router
from jwtpizza.ops.heartbeat.router import router as heartbeat_router
from jwtpizza.ops.heartbeat.wiring import build_guards, guarding
from jwtpizza.ops.incidents import oncall_bridge
from jwtpizza.ops.incidents.desk import build_desk, run_desk
from jwtpizza.ops.incidents.router import router as incidents_router
from jwtpizza.ops.incidents.settings import IncidentSettings
from jwtpizza.ops.intake.router import router as intake_router
from jwtpizza.ops.leadership import AlwaysLeader, LeaderLease, default_holder, leading
from jwtpizza.ops.limits import AnonymousLimits
from jwtpizza.ops.loops import monitoring, paging_loop, take_over
from jwtpizza.ops.migrations import upgrade
from jwtpizza.ops.monitor.service import Monitor
from jwtpizza.ops.notify.router import router as silences_router
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.notify_oncall import build_paging
from jwtpizza.ops.oncall.router import router as oncall_router
from jwtpizza.ops.oncall.settings import OncallSettings
from jwtpizza.ops.probes import OrderProbe, ProbeSettings, probe_loop
from jwtpizza.ops.progress.router import router as stats_router
from jwtpizza.ops.reviews.router import router as reviews_router
from jwtpizza.ops.rules.router import router as rules_router
from jwtpizza.ops.rules.service import RuleManager
from jwtpizza.ops.runbooks import runner as runbooks
from jwtpizza.ops.runbooks.router import router as runbooks_router
from jwtpizza.ops.settings import OpsSettings
from jwtpizza.ops.slo.router import router as slo_router
from jwtpizza.ops.statuspage.router import router as statuspage_router
from jwtpizza.ops.statuspage.service import StatusBoard
from jwtpizza.ops.telemetry import MonitorMetrics
from jwtpizza.web.console import install_console


def build_context(
    settings: OpsSettings,
    *,
    clock: Clock,
    http_transport: httpx.AsyncBaseTransport | None,
    obs: Observability,
    elect: bool = True,
) -> OpsContext:
    """The parts; with `elect` this process leads only while it holds the database's lease
    (else it always leads: a test driving the loops itself)."""
    db = Database(settings.database_url, pooled=settings.db_pooled)
    leadership: LeaderLease | AlwaysLeader = AlwaysLeader()
    if elect:
        leadership = LeaderLease(
            db, clock=clock, holder=settings.leader_id or default_holder(settings.port),
            lease_seconds=settings.lease_seconds, renew_seconds=settings.lease_renew_seconds,
        )  # fmt: skip
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
    metrics = MonitorMetrics(obs.metrics.registry, monitor.store)
    rules = RuleManager(
        store=monitor.store,
        bus=bus,
        default_interval_seconds=settings.evaluation_interval(),
        max_for_seconds=settings.max_for_seconds(),
        metrics=metrics,
    )
    rules.load(settings.rule_files)
    return OpsContext(
        settings=settings, db=db, clock=clock, http=http, obs=obs, bus=bus, monitor=monitor,
        monitor_metrics=metrics, rules=rules, admins=admins, leadership=leadership,
    )  # fmt: skip


def create_app(
    settings: OpsSettings | None = None,
    *,
    clock: Clock | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
    observability: ObservabilitySettings | None = None,
    start_loops: bool = True,
    incidents: IncidentSettings | None = None,
    notify: NotifySettings | None = None,
    oncall: OncallSettings | None = None,
    notify_transport: httpx.AsyncBaseTransport | None = None,
    probes: ProbeSettings | None = None,
) -> FastAPI:
    """The ops component. Tests pass a clock and an HTTP transport for every outgoing call
    (`notify_transport` for notifications); `start_loops=False` leaves scraping, evaluation
    and paging ticks to the test (virtual time)."""
    settings = settings or OpsSettings()
    clock = clock or SystemClock()
    obs = Observability(component="ops", settings=observability, clock=clock)
    context = build_context(
        settings, clock=clock, http_transport=http_transport, obs=obs, elect=start_loops
    )
    desk = build_desk(
        db=context.db, clock=clock, http=context.http, service_url=settings.service_url,
        factory_url=settings.factory_url, samples=context.monitor.store, settings=incidents,
    )  # fmt: skip
    context.bus.subscribe(desk.on_alert)
    desk.active_alerts = context.bus.active
    paging = build_paging(
        db=context.db, clock=clock, registry=obs.metrics.registry, notify_settings=notify,
        oncall_settings=oncall, transport=notify_transport,
        listen_url=f"http://{settings.host}:{settings.port}",
    )  # fmt: skip
    context.bus.subscribe(paging.on_transition)
    oncall_bridge.connect(desk, paging.escalator)
    books = runbooks.attach(desk)
    guards = build_guards(clock=clock, rules=context.rules, paging=paging, feeds=desk.feeds)
    probes = probes or ProbeSettings()
    probe = None
    if probes.enabled:
        probe = OrderProbe(
            http=context.http, service_url=settings.service_url,
            factory_url=settings.factory_url, settings=probes, registry=obs.metrics.registry,
        )  # fmt: skip

    states = AlertStates(context.db)
    lease = context.leadership
    if isinstance(lease, LeaderLease):
        lease.on_gained(take_over(context, states, paging))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await upgrade(context.db)
        try:
            if isinstance(lease, LeaderLease):
                interval = desk.settings.assemble_interval_seconds or settings.scrape_interval()
                desk_loop = asyncio.create_task(run_desk(desk, interval, lease.is_leader))
                try:
                    async with (
                        leading(lease), monitoring(context, states),
                        paging_loop(paging, context), probe_loop(probe),
                        guarding(guards, context),
                    ):  # fmt: skip
                        yield
                finally:
                    desk_loop.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await desk_loop
            else:
                yield
        finally:
            await context.bus.close()
            await books.stop()
            await paging.close()
            await context.http.aclose()
            await context.db.dispose()

    app = FastAPI(
        title="JWT Pizza Ops", version=settings.version, lifespan=lifespan, docs_url=None,
        redoc_url=None,
    )  # fmt: skip
    app.state.ops = context
    app.state.incidents = desk
    app.state.paging = paging
    app.state.runbooks = books
    app.state.probe = probe
    app.state.heartbeat = guards.watch
    app.state.status_board = StatusBoard(
        db=context.db, clock=clock, monitor=context.monitor,
        ttl_seconds=settings.status_cache_seconds,
    )  # fmt: skip
    app.state.anonymous_limits = AnonymousLimits(clock=clock, settings=settings)
    app.state.log_searches = LogSearches(
        clock=clock, ttl_seconds=settings.log_search_cache_seconds,
        per_minute=settings.log_searches_per_minute,
        refused_delay_seconds=settings.refused_answer_delay_seconds,
    )  # fmt: skip
    install_error_handlers(app)
    metrics_token = settings.metrics_token
    instrument(
        app, component="ops", observability=obs, authorize_admin=admin_user,
        scrape_guard=scrape_guard(
            None if metrics_token is None else metrics_token.get_secret_value(),
            required=not settings.demo, setting="JWTPIZZA_OPS_METRICS_TOKEN",
        ),
    )  # fmt: skip
    obs.watch_database(context.db)
    install_console(app, version=settings.version, login=context.admins.login)
    install_swagger_ui(app, title="JWT Pizza Ops")
    app.include_router(health_router)
    app.include_router(explore_router)
    app.include_router(rules_router)
    app.include_router(slo_router)
    app.include_router(incidents_router)
    app.include_router(runbooks_router)
    app.include_router(statuspage_router)
    learning = (reviews_router, actions_router, stats_router)
    for router in (silences_router, oncall_router, intake_router, heartbeat_router, *learning):
        app.include_router(router)
    install_edge(
        app, trusted_proxies=settings.trusted_proxies, max_body_bytes=settings.max_body_bytes
    )
    return app
