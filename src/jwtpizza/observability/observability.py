"""`Observability`: one component's metrics, logger, log store, tracer and pushers, and the
parts it hands to what it observes (a database's statements, outgoing HTTP calls). Each helper
takes only the parts it needs, so none of them imports this module back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import httpx
from starlette.types import ASGIApp

from jwtpizza.clock import Clock, SystemClock
from jwtpizza.observability.background import Periodic
from jwtpizza.observability.database import StatementLog, watch_engine
from jwtpizza.observability.http_client import TracedTransport
from jwtpizza.observability.log_store import LogStore
from jwtpizza.observability.logging import EventLogger
from jwtpizza.observability.loki import LokiShipper
from jwtpizza.observability.metrics import Metrics
from jwtpizza.observability.middleware import ObservabilityMiddleware
from jwtpizza.observability.ops_routes import ScrapeGuard, open_to_all
from jwtpizza.observability.otlp_metrics import OtlpMetricsPusher
from jwtpizza.observability.sanitize import Sanitizer
from jwtpizza.observability.settings import ObservabilitySettings, bearer
from jwtpizza.observability.tracing import Tracing

if TYPE_CHECKING:  # the database package is imported by whoever has a database
    from jwtpizza.db import Database

SHARED_REFRESH_SECONDS = 5.0


class Observability:
    """A component's metrics, logger, log store, tracer and pushers."""

    def __init__(
        self,
        *,
        component: str,
        settings: ObservabilitySettings | None = None,
        clock: Clock | None = None,
        secrets: Iterable[str | None] = (),
    ) -> None:
        self.component = component
        self.settings = settings = settings or ObservabilitySettings()
        self.clock = clock or SystemClock()
        self.sanitizer = Sanitizer()
        for secret in secrets:
            self.sanitizer.add_secret(secret)
        self.metrics = Metrics(
            component=component,
            window_seconds=settings.active_user_window_seconds,
            clock=self.clock,
        )
        self.store = LogStore(settings.log_store_size)
        self.log = EventLogger(
            component=component,
            store=self.store,
            sanitizer=self.sanitizer,
            level=settings.log_level if settings.logging_enabled else "off",
            clock=self.clock,
            stdout=settings.log_stdout,
        )
        self.tracing = Tracing(component=component, settings=settings)
        self.loki = self._loki()
        self.otlp = self._otlp()
        self.scrape_guard: ScrapeGuard = open_to_all
        self._shared_refresh = self._refresher()

    def _loki(self) -> LokiShipper | None:
        s = self.settings
        if not s.loki_url or not s.logging_enabled:
            return None
        shipper = LokiShipper(
            url=s.loki_url,
            authorization=bearer(s.loki_account, s.loki_api_key),
            source=s.source,
            metrics=self.metrics,
            batch_size=s.loki_batch_size,
            queue_size=s.loki_queue_size,
            flush_seconds=s.loki_flush_seconds,
            clock=self.clock,
        )
        self.log.add_sink(shipper.offer)
        return shipper

    def _otlp(self) -> OtlpMetricsPusher | None:
        s = self.settings
        if not s.otlp_metrics_url:
            return None
        return OtlpMetricsPusher(
            url=s.otlp_metrics_url,
            authorization=bearer(s.otlp_account, s.otlp_api_key),
            component=self.component,
            source=s.source,
            metrics=self.metrics,
            interval=s.otlp_interval_seconds,
            clock=self.clock,
        )

    def _refresher(self) -> Periodic | None:
        """With sibling workers, this worker's time-dependent gauges are written out now and
        then, so a scrape answered by another worker sees them current."""
        if self.metrics.shared_dir is None:
            return None

        async def refresh() -> None:
            self.metrics.refresh_shared()

        return Periodic(refresh, SHARED_REFRESH_SECONDS, self.clock)

    def watch_database(self, db: Database) -> None:
        """Log and trace every SQL statement of this database (call once per database)."""
        log = StatementLog(
            tracing=self.tracing,
            log=self.log,
            sanitizer=self.sanitizer,
            system=db.write_engine.dialect.name,
        )
        watch_engine(db.write_engine, log=log)
        if db.read_engine is not db.write_engine:
            watch_engine(db.read_engine, log=log)
        db.plain_watch = log

    def http_transport(
        self, inner: httpx.AsyncBaseTransport | None = None, *, log_type: str = "factory"
    ) -> TracedTransport:
        """A transport for outgoing calls: traced, propagated, logged as `log_type` events."""
        return TracedTransport(
            inner, tracing=self.tracing, log=self.log, sanitizer=self.sanitizer, log_type=log_type
        )

    def observed(self, app: ASGIApp) -> ObservabilityMiddleware:
        """`app` with each request it answers logged, counted and traced (for answers given
        in front of the framework, whose own middleware stack `instrument` adds this to)."""
        return ObservabilityMiddleware(
            app, log=self.log, tracing=self.tracing, metrics=self.metrics, settings=self.settings
        )

    async def start(self) -> None:
        """Start the background pushers (the app's lifespan does this)."""
        for pusher in (self.loki, self.otlp, self._shared_refresh):
            if pusher is not None:
                pusher.start()

    async def stop(self) -> None:
        """Write pending logs, flush and stop the pushers, and flush spans."""
        self.log.flush()
        for pusher in (self.loki, self.otlp, self._shared_refresh):
            if pusher is not None:
                await pusher.stop()
        self.metrics.leave_shared()
        self.tracing.shutdown()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()
