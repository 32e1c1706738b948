"""The pizza factory app: `create_app(settings)` builds it; nothing happens at import."""

from __future__ import annotations

import json
import random as random_module
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from jwtpizza.clock import Clock, SystemClock
from jwtpizza.db import Database
from jwtpizza.factory import demo
from jwtpizza.factory.chaos.domain import WorkingHours
from jwtpizza.factory.context import FactoryContext
from jwtpizza.factory.health import router as health_router
from jwtpizza.factory.keys import KeyRing
from jwtpizza.factory.mail import ConsoleMailer, Mailer, SmtpMailer
from jwtpizza.factory.migrations import upgrade
from jwtpizza.factory.orders.service import OrderDesk
from jwtpizza.factory.outage import DropConnectionMiddleware
from jwtpizza.factory.routes.admin import router as admin_router
from jwtpizza.factory.routes.badges import router as badge_router
from jwtpizza.factory.routes.chaos import router as chaos_router
from jwtpizza.factory.routes.deps import admin_vendor, current_vendor, presented_key
from jwtpizza.factory.routes.orders import router as order_router
from jwtpizza.factory.routes.support import router as support_router
from jwtpizza.factory.routes.vendors import router as vendor_router
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.http.cors import install_cors
from jwtpizza.http.errors import install_error_handlers
from jwtpizza.http.guard import install_edge
from jwtpizza.http.swagger import install_swagger_ui
from jwtpizza.observability import Observability, ObservabilitySettings, instrument
from jwtpizza.observability.metrics import Metrics
from jwtpizza.observability.ops_routes import scrape_guard
from jwtpizza.web.portal import install_portal


def mailer_for(settings: FactorySettings) -> Mailer:
    if settings.mail == "smtp":
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    return ConsoleMailer()


def build_context(
    settings: FactorySettings,
    *,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
    random: random_module.Random | None = None,
    metrics: Metrics | None = None,
) -> FactoryContext:
    clock = clock or SystemClock()
    db = Database(settings.database_url, pooled=settings.db_pooled)
    keys = KeyRing(
        db,
        clock,
        bits=settings.key_bits,
        ttl_seconds=settings.pizza_ttl_seconds,
        refresh_seconds=settings.key_refresh_seconds,
    )
    hours = WorkingHours(
        settings.timezone(), settings.chaos_window_start_hour, settings.chaos_window_end_hour
    )
    return FactoryContext(
        settings=settings,
        db=db,
        clock=clock,
        rng=random or random_module.Random(),
        mailer=mailer or mailer_for(settings),
        keys=keys,
        hours=hours,
        metrics=metrics or Metrics(component="factory"),
    )


async def start(context: FactoryContext) -> None:
    """Migrate, make sure a signing key exists, and seed the demo vendors in demo mode."""
    await upgrade(context.db)
    await context.keys.ensure()
    if context.settings.demo:
        await demo.seed(context.db, context.settings, now=context.clock.now())


def dependency_calls(dependant: Dependant) -> set[Any]:
    calls: set[Any] = set()
    for sub in dependant.dependencies:
        calls |= {sub.call} | dependency_calls(sub)
    return calls


ROUTERS = (order_router, admin_router, support_router, vendor_router, badge_router, chaos_router)


def original_path(path: str) -> str:
    """`/api/vendor/{vendor_id}` written the original's way, `/api/vendor/:vendorId`."""

    def param(match: re.Match[str]) -> str:
        head, *rest = match.group(1).split("_")
        return ":" + head + "".join(word.title() for word in rest)

    return re.sub(r"\{(\w+)\}", param, path)


@cache
def samples() -> dict[str, dict[str, Any]]:
    """Each endpoint's example request and sample response, keyed `METHOD path`."""
    text = resources.files("jwtpizza.factory").joinpath("api_docs.json").read_text("utf-8")
    entries: dict[str, dict[str, Any]] = json.loads(text)
    return entries


def describe_routes() -> list[dict[str, Any]]:
    """The endpoint list of `/api/docs` in the service's shape, built from the routes
    themselves; examples and sample responses come from `api_docs.json`."""
    auth_calls = {current_vendor, admin_vendor, presented_key}
    endpoints = []
    for route in (r for router in ROUTERS for r in router.routes):
        if not isinstance(route, APIRoute):
            continue
        calls = dependency_calls(route.dependant)
        for method in sorted(route.methods or ()):
            path = original_path(route.path)
            endpoints.append(
                {
                    "method": method,
                    "path": path,
                    "requiresAuth": bool(calls & auth_calls),
                    "requiresAdmin": admin_vendor in calls,
                    "description": (route.description or route.name).strip().splitlines()[0],
                    **samples().get(f"{method} {path}", {}),
                }
            )
    return endpoints


def create_app(
    settings: FactorySettings | None = None,
    *,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
    random: random_module.Random | None = None,
    observability: ObservabilitySettings | None = None,
) -> FastAPI:
    """Build the factory app. Its lifespan migrates the database and loads the keys."""
    settings = settings or FactorySettings()
    obs = Observability(component="factory", settings=observability, clock=clock)
    context = build_context(
        settings, clock=clock, mailer=mailer, random=random, metrics=obs.metrics
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await start(context)
        yield
        await context.db.dispose()

    app = FastAPI(
        title="JWT Pizza Factory",
        version=settings.version,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = context
    app.state.desk = OrderDesk(context)
    install_error_handlers(app)
    install_swagger_ui(app, title="JWT Pizza Factory")
    install_cors(app, settings.cors_origins)
    app.add_middleware(DropConnectionMiddleware)
    _instrument(app, settings, obs)
    obs.watch_database(context.db)
    _install_routes(app, settings)
    install_edge(
        app, trusted_proxies=settings.trusted_proxies, max_body_bytes=settings.max_body_bytes
    )
    return app


def _instrument(app: FastAPI, settings: FactorySettings, obs: Observability) -> None:
    """Metrics, logs and traces; `/metrics` needs the scrape token outside demo mode."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    instrument(
        app,
        component="factory",
        observability=obs,
        authorize_admin=admin_vendor,
        scrape_guard=scrape_guard(
            token, required=not settings.demo, setting="JWTPIZZA_FACTORY_METRICS_TOKEN"
        ),
    )


def _install_routes(app: FastAPI, settings: FactorySettings) -> None:
    # The portal's page routes first: they match only browsers, so API clients fall through.
    install_portal(app, version=settings.version)
    for router in (health_router, *ROUTERS):
        app.include_router(router)

    @app.get("/api/docs", tags=["docs"])
    async def docs() -> dict[str, Any]:
        """The factory's endpoints."""
        return {
            "message": "welcome to JWT Pizza Factory",
            "version": settings.version,
            "endpoints": describe_routes(),
        }

    @app.get("/", tags=["docs"])
    async def root() -> dict[str, Any]:
        """Welcome."""
        return {"message": "welcome to JWT Pizza Factory", "version": settings.version}
