"""The pizza service as an ASGI app, built by `create_app` (nothing happens at import)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from jwtpizza.clock import Clock, SystemClock
from jwtpizza.db import Database
from jwtpizza.http.cors import install_cors
from jwtpizza.http.errors import install_error_handlers
from jwtpizza.http.guard import install_edge
from jwtpizza.http.swagger import install_swagger_ui
from jwtpizza.observability import Observability, ObservabilitySettings, instrument
from jwtpizza.observability.background import Periodic
from jwtpizza.observability.http_client import reason_for_error
from jwtpizza.observability.metrics import FactoryReason, Metrics, factory_reason
from jwtpizza.observability.ops_routes import scrape_guard
from jwtpizza.service import docs, integrity, versions
from jwtpizza.service.auth.cache import PrincipalCache, watch_revocations
from jwtpizza.service.auth.ratelimit import LoginLimiter, RegistrationLimiter
from jwtpizza.service.auth.service import TokenSettings
from jwtpizza.service.context import ServiceContext
from jwtpizza.service.factory_client import (
    AiohttpTransport,
    FactoryClient,
    FactoryError,
    HttpFactoryClient,
    Pizza,
)
from jwtpizza.service.fast_history import FastHistory
from jwtpizza.service.fast_reads import CachedReads, reads_of
from jwtpizza.service.franchises.cache import FranchiseCache, watch_franchise_writes
from jwtpizza.service.health import router as health_router
from jwtpizza.service.menu.cache import MenuCache
from jwtpizza.service.orders.failures import classify
from jwtpizza.service.orders.fulfilment import FactoryCall, Fulfiller
from jwtpizza.service.orders.jobs import QueuePolicy
from jwtpizza.service.orders.kitchen import Kitchen
from jwtpizza.service.orders.stats_allowance import StatsAllowance
from jwtpizza.service.resilience import (
    BreakerProbe,
    BreakerState,
    ResilientCaller,
    RetryScheduled,
    build_caller,
)
from jwtpizza.service.routes.auth import router as auth_router
from jwtpizza.service.routes.deps import admin_only
from jwtpizza.service.routes.franchises import router as franchise_router
from jwtpizza.service.routes.menu import router as menu_router
from jwtpizza.service.routes.orders import router as order_router
from jwtpizza.service.routes.users import router as user_router
from jwtpizza.service.settings import ServiceSettings
from jwtpizza.web.shop import install_shop


def _factory_client(
    settings: ServiceSettings, transport: httpx.AsyncBaseTransport | None
) -> HttpFactoryClient:
    api_key = settings.factory_api_key.get_secret_value() if settings.factory_api_key else ""
    # No client-level timeout: each attempt is bounded by the resilience timeout (or, in the
    # original's fragile mode, not at all).
    return HttpFactoryClient(
        base_url=settings.factory_url, api_key=api_key, timeout=None, transport=transport
    )


def _metered(
    factory: FactoryClient, metrics: Metrics, *, overdue_after: float | None, max_items: int
) -> FactoryCall:
    """One factory attempt, timed and counted by outcome reason; one still running after
    `overdue_after` seconds (a synchronous client's long wait) is counted as overdue at that
    moment, unless it is an order the factory refuses slowly for its size by design."""

    async def call(diner: dict[str, Any], order: dict[str, Any], key: str) -> Pizza:
        started = time.perf_counter()
        overdue = None
        if overdue_after is not None and len(order.get("items", ())) <= max_items:
            loop = asyncio.get_running_loop()
            overdue = loop.call_later(overdue_after, metrics.factory_call_overdue)
        try:
            pizza = await factory.make_pizza(diner=diner, order=order, idempotency_key=key)
        except FactoryError as error:
            metrics.factory_call(factory_reason(error.reason), time.perf_counter() - started)
            raise
        except asyncio.CancelledError:
            # The attempt timeout cancels a call that hangs (an outage that accepts the
            # connection and never answers): it still counts, or a hung factory is invisible.
            metrics.factory_call(FactoryReason.TIMEOUT, time.perf_counter() - started)
            raise
        except Exception as error:
            metrics.factory_call(reason_for_error(error), time.perf_counter() - started)
            raise
        finally:
            if overdue is not None:
                overdue.cancel()
        metrics.factory_call(FactoryReason.OK, time.perf_counter() - started)
        return pizza

    return call


def _attempt_timeout(settings: ServiceSettings) -> float | None:
    resilience = settings.resilience
    return resilience.timeout_seconds if resilience.timeout_enabled else None


def _queue_policy(settings: ServiceSettings) -> QueuePolicy:
    return QueuePolicy(
        enabled=settings.resilience.queue_enabled,
        lease_seconds=settings.resilience.job_lease_seconds(),
        backoff_base_seconds=settings.queue_backoff_base_seconds,
        backoff_max_seconds=settings.queue_backoff_max_seconds,
        max_age_seconds=settings.queue_max_age_seconds,
        max_items=settings.factory_max_items,
        oversize_timeout_seconds=settings.factory_oversize_timeout_seconds,
    )


def _observe_resilience(caller: ResilientCaller, kitchen: Kitchen, obs: Observability) -> None:
    """Breaker transitions and retries become metrics and log events; a closing breaker
    releases the queue."""

    def on_transition(old: BreakerState, new: BreakerState, reason: str) -> None:
        obs.metrics.breaker_state("factory", new.value)
        # Trying the factory again (open -> half-open, and back on a failed trial) repeats
        # every open wait while it is down: debug, so it fills neither the log nor incident
        # timelines. Opening and closing are what happened.
        failed_trial = old is BreakerState.HALF_OPEN and new is BreakerState.OPEN
        trying = new is BreakerState.HALF_OPEN or failed_trial
        level = "debug" if trying else "warn" if new is BreakerState.OPEN else "info"
        message = f"factory breaker {old.value} -> {new.value}"
        obs.log.event("resilience", message, level=level, breaker="factory", why=reason)
        kitchen.breaker_changed(new)

    def on_retry(event: RetryScheduled) -> None:
        obs.metrics.retry("factory_order")
        delay = round(event.delay, 3)
        obs.log.event("resilience", "factory retry", attempt=event.attempt, delay=delay)

    if caller.breaker is not None:
        caller.breaker.add_listener(on_transition)
        obs.metrics.breaker_state("factory", caller.breaker.state.value)
    caller.add_retry_listener(on_retry)


def _breaker_probe(
    settings: ServiceSettings, caller: ResilientCaller, factory: FactoryClient, clock: Clock
) -> BreakerProbe | None:
    """The half-open breaker's own trial (an empty order), if there is a breaker to probe."""
    interval = settings.resilience.breaker_probe_seconds
    if caller.breaker is None or interval <= 0:
        return None
    return BreakerProbe(
        breaker=caller.breaker,
        check=factory.probe,
        clock=clock,
        interval=interval,
        timeout=settings.resilience.timeout_seconds,
    )


def build_context(
    settings: ServiceSettings,
    *,
    clock: Clock,
    factory: FactoryClient,
    rng: random.Random,
    obs: Observability,
) -> ServiceContext:
    db = Database(settings.database_url, pooled=settings.db_pooled, pool_size=settings.db_pool_size)
    watch_revocations(db)
    watch_franchise_writes(db)
    caller = build_caller(settings.resilience, clock=clock, random=rng, classify=classify)
    call = _metered(
        factory,
        obs.metrics,
        overdue_after=_attempt_timeout(settings),
        max_items=settings.factory_max_items,
    )
    fulfiller = Fulfiller(
        db=db,
        call=call,
        caller=caller,
        clock=clock,
        policy=_queue_policy(settings),
        metrics=obs.metrics,
        log=obs.log,
        rng=rng,
    )
    kitchen = Kitchen(
        fulfiller=fulfiller,
        metrics=obs.metrics,
        wait_budget_seconds=settings.resilience.queue_wait_budget_seconds,
        sync_wait_seconds=settings.resilience.sync_wait_budget_seconds,
        poll_seconds=settings.resilience.queue_poll_interval_seconds,
    )
    _observe_resilience(caller, kitchen, obs)
    stamps = versions.Stamps(db)
    return ServiceContext(
        settings=settings,
        db=db,
        clock=clock,
        limiter=LoginLimiter(
            db=db,
            max_failures=settings.login_max_failures,
            window_seconds=settings.login_window_seconds,
            clock=clock,
        ),
        registrations=RegistrationLimiter(
            db=db,
            per_address=settings.register_max_per_address,
            window_seconds=settings.register_window_seconds,
            clock=clock,
        ),
        tokens=TokenSettings(
            secret=settings.secret_key(),
            ttl_seconds=settings.token_ttl_seconds,
            bcrypt_rounds=settings.bcrypt_rounds,
            password_min_length=settings.password_min_length,
        ),
        factory=factory,
        kitchen=kitchen,
        menu=MenuCache(stamps),
        franchises=FranchiseCache(stamps),
        principals=PrincipalCache(stamps),
        order_stats=StatsAllowance(clock=clock, per_minute=settings.order_stats_per_minute),
        metrics=obs.metrics,
        probe=_breaker_probe(settings, caller, factory, clock),
    )


def _integrity_watch(context: ServiceContext) -> Periodic | None:
    """The periodic ledger check behind the `integrity_problems` metric, if enabled."""
    interval = context.settings.integrity_check_seconds
    if interval <= 0:
        return None

    async def work() -> None:
        await integrity.export(db=context.db, metrics=context.metrics)

    return Periodic(work, interval, context.clock)


def create_app(
    settings: ServiceSettings | None = None,
    *,
    clock: Clock | None = None,
    factory_transport: httpx.AsyncBaseTransport | None = None,
    factory_client: FactoryClient | None = None,
    rng: random.Random | None = None,
    observability: ObservabilitySettings | None = None,
) -> FastAPI:
    """The pizza service. Tests pass a clock and a factory transport (or a whole client)."""
    settings = settings or ServiceSettings()
    clock = clock or SystemClock()
    obs = Observability(component="service", settings=observability, clock=clock)
    context = build_context(
        settings,
        clock=clock,
        factory=factory_client
        or _factory_client(settings, obs.http_transport(factory_transport or AiohttpTransport())),
        rng=rng or random.Random(),
        obs=obs,
    )
    obs.sanitizer.add_secret(context.tokens.secret)
    if settings.factory_api_key:
        obs.sanitizer.add_secret(settings.factory_api_key.get_secret_value())
    app = FastAPI(
        title="JWT Pizza Service",
        version=settings.version,
        lifespan=_lifespan(context),
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = context
    _install_api(app, settings)
    _instrument(app, settings, obs)
    obs.watch_database(context.db)
    _install_pages(app, settings, factory_transport)
    _install_front(app, settings, context, obs)
    return app


def _lifespan(context: ServiceContext) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start the order queue, the breaker's probe and the integrity watch; stop them, the
    factory client and the database in turn."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        context.kitchen.start()
        if context.probe is not None:
            context.probe.start()
        watch = _integrity_watch(context)
        if watch is not None:
            watch.start()
        try:
            yield
        finally:
            if watch is not None:
                await watch.stop()
            if context.probe is not None:
                await context.probe.stop()
            await context.kitchen.stop(grace_seconds=context.settings.stop_grace_seconds)
            await context.factory.aclose()
            await context.db.dispose()

    return lifespan


def _install_api(app: FastAPI, settings: ServiceSettings) -> None:
    # Routes are tried in the order they were added, so the API's come first: a diner's
    # request then passes a handful of paths instead of every page's. None of them shares a
    # path with a page, the docs or the ops routes; the menu's comes before the order router's
    # `/api/order/{order_id}`, which would take it.
    for router in (menu_router, order_router, auth_router, user_router, franchise_router):
        app.include_router(router)
    install_error_handlers(app)
    install_swagger_ui(app, title="JWT Pizza Service")
    install_cors(app, settings.cors_origins)


def _instrument(app: FastAPI, settings: ServiceSettings, obs: Observability) -> None:
    """Metrics, logs and traces; `/metrics` needs the scrape token outside demo mode."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    instrument(
        app,
        component="service",
        observability=obs,
        authorize_admin=admin_only("unauthorized"),
        scrape_guard=scrape_guard(
            token, required=not settings.demo, setting="JWTPIZZA_METRICS_TOKEN"
        ),
    )


def _install_pages(
    app: FastAPI, settings: ServiceSettings, factory_transport: httpx.AsyncBaseTransport | None
) -> None:
    # The shop's pages before the health router's `/`: they match only browsers, so API
    # clients fall through to it.
    install_shop(
        app,
        factory_url=settings.factory_url,
        version=settings.version,
        factory_transport=factory_transport,
    )
    for router in (health_router, docs.router):
        app.include_router(router)


def _install_front(
    app: FastAPI, settings: ServiceSettings, context: ServiceContext, obs: Observability
) -> None:
    """The edge guard in front of everything the app has, and in front of the guard the
    cached reads and the order history, which skip the framework (still logged, counted and
    traced)."""
    install_edge(
        app, trusted_proxies=settings.trusted_proxies, max_body_bytes=settings.max_body_bytes
    )
    app.add_middleware(FastHistory, context=context, obs=obs)
    app.add_middleware(CachedReads, reads=reads_of(context), obs=obs)
