"""`instrument(app, ...)`: the one call that makes a component observable.

    obs = instrument(app, component="service", settings=ObservabilitySettings(),
                     authorize_admin=require_admin, secrets=[settings.factory_api_key...])
    obs.watch_database(database)
    client = httpx.AsyncClient(transport=obs.http_transport(inner))
    obs.metrics.pizza_sold(revenue)

It installs the middleware, `GET /metrics`, `GET /api/ops/logs` (guarded by the component's
own admin dependency), and runs the optional Loki and OTLP pushers inside the app's lifespan.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from jwtpizza.clock import Clock
from jwtpizza.observability.middleware import ObservabilityMiddleware
from jwtpizza.observability.observability import Observability
from jwtpizza.observability.ops_routes import ScrapeGuard, open_to_all, ops_router
from jwtpizza.observability.settings import ObservabilitySettings


def instrument(
    app: FastAPI,
    *,
    component: str,
    settings: ObservabilitySettings | None = None,
    clock: Clock | None = None,
    authorize_admin: Callable[..., Any],
    secrets: Iterable[str | None] = (),
    observability: Observability | None = None,
    scrape_guard: ScrapeGuard = open_to_all,
) -> Observability:
    """Make `app` observable; returns the `Observability` the component records into.

    Pass `observability` when the component needed it before the app existed (for example to
    build its factory client on `obs.http_transport(...)`).
    """
    obs = observability or Observability(
        component=component, settings=settings, clock=clock, secrets=secrets
    )
    obs.scrape_guard = scrape_guard
    app.add_middleware(
        ObservabilityMiddleware,
        log=obs.log,
        tracing=obs.tracing,
        metrics=obs.metrics,
        settings=obs.settings,
    )
    app.include_router(
        ops_router(
            component=obs.component,
            metrics=obs.metrics,
            store=obs.store,
            clock=obs.clock,
            scrape_guard=scrape_guard,
            authorize_admin=authorize_admin,
        )
    )
    _run_in_lifespan(app, obs)
    app.state.observability = obs
    return obs


def _run_in_lifespan(app: FastAPI, obs: Observability) -> None:
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(asgi_app: Any) -> AsyncIterator[Any]:
        async with obs.running(), inner(asgi_app) as state:
            yield state

    app.router.lifespan_context = lifespan
