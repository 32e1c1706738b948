"""The ops app: `create_app(settings)` builds it; nothing happens at import.

Its parts are wired in `jwtpizza.ops.assembly`; its lifespan migrates the ops database,
loads the rule files and runs the monitor (scrape and rule evaluation loops) until shutdown.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from jwtpizza.clock import Clock, SystemClock
from jwtpizza.http.errors import install_error_handlers
from jwtpizza.http.guard import install_edge
from jwtpizza.http.swagger import install_swagger_ui
from jwtpizza.observability import Observability, ObservabilitySettings, instrument
from jwtpizza.observability.ops_routes import scrape_guard
from jwtpizza.ops.actions.router import router as actions_router
from jwtpizza.ops.assembly import OpsApp, Options, assemble
from jwtpizza.ops.deps import admin_user
from jwtpizza.ops.explore.router import router as explore_router
from jwtpizza.ops.health import router as health_router
from jwtpizza.ops.heartbeat.router import router as heartbeat_router
from jwtpizza.ops.incidents.router import router as incidents_router
from jwtpizza.ops.incidents.settings import IncidentSettings
from jwtpizza.ops.intake.router import router as intake_router
from jwtpizza.ops.notify.router import router as silences_router
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.router import router as oncall_router
from jwtpizza.ops.oncall.settings import OncallSettings
from jwtpizza.ops.probes import ProbeSettings
from jwtpizza.ops.progress.router import router as stats_router
from jwtpizza.ops.reviews.router import router as reviews_router
from jwtpizza.ops.rules.router import router as rules_router
from jwtpizza.ops.runbooks.router import router as runbooks_router
from jwtpizza.ops.settings import OpsSettings
from jwtpizza.ops.slo.router import router as slo_router
from jwtpizza.ops.statuspage.router import router as statuspage_router
from jwtpizza.web.console import install_console

ROUTERS = (
    health_router,
    explore_router,
    rules_router,
    slo_router,
    incidents_router,
    runbooks_router,
    statuspage_router,
    silences_router,
    oncall_router,
    intake_router,
    heartbeat_router,
    reviews_router,
    actions_router,
    stats_router,
)


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
    options = Options(
        http_transport=http_transport,
        start_loops=start_loops,
        incidents=incidents,
        notify=notify,
        oncall=oncall,
        notify_transport=notify_transport,
        probes=probes,
    )
    parts = assemble(settings, clock=clock, obs=obs, options=options)
    app = FastAPI(
        title="JWT Pizza Ops",
        version=settings.version,
        lifespan=parts.lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.ops = parts
    _install(app, parts)
    return app


def _install(app: FastAPI, parts: OpsApp) -> None:
    """The edge, metrics, console, Swagger UI and every router."""
    settings, obs = parts.context.settings, parts.context.obs
    install_error_handlers(app)
    token = settings.metrics_token
    instrument(
        app,
        component="ops",
        observability=obs,
        authorize_admin=admin_user,
        scrape_guard=scrape_guard(
            None if token is None else token.get_secret_value(),
            required=not settings.demo,
            setting="JWTPIZZA_OPS_METRICS_TOKEN",
        ),
    )
    obs.watch_database(parts.context.db)
    install_console(app, version=settings.version, login=parts.context.admins.login)
    install_swagger_ui(app, title="JWT Pizza Ops")
    for router in ROUTERS:
        app.include_router(router)
    install_edge(
        app, trusted_proxies=settings.trusted_proxies, max_body_bytes=settings.max_body_bytes
    )
