"""The monitor: scrape every target on an interval into one sample store.

Scrapes run concurrently and every sample of one round gets the round's timestamp.
`run_loop` is started by the ops app's lifespan; tests call `scrape_all(t_ms)` directly on a
virtual clock instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import httpx

from jwtpizza.clock import Clock
from jwtpizza.ops.monitor.scrape import Scraper, TargetHealth
from jwtpizza.ops.monitor.store import Downsampling, SampleStore
from jwtpizza.ops.settings import OpsSettings, ScrapeTarget

log = logging.getLogger("jwtpizza.ops.monitor")

Tick = Callable[[int], Awaitable[None]]


def now_ms(clock: Clock) -> int:
    return int(clock.now().timestamp() * 1000)


class Monitor:
    """Scrapers for the configured targets over one `SampleStore`."""

    def __init__(
        self,
        *,
        targets: list[ScrapeTarget],
        http: httpx.AsyncClient,
        clock: Clock,
        retention_seconds: float,
        max_samples_per_series: int,
        scrape_timeout: float,
        downsampling: Downsampling | None = None,
    ) -> None:
        self.clock = clock
        self.store = SampleStore(
            retention_ms=int(retention_seconds * 1000),
            max_samples_per_series=max_samples_per_series,
            downsampling=downsampling,
        )
        self.scrapers = [
            Scraper(target, http=http, store=self.store, timeout=scrape_timeout)
            for target in targets
        ]

    @classmethod
    def from_settings(
        cls, settings: OpsSettings, *, http: httpx.AsyncClient, clock: Clock
    ) -> Monitor:
        return cls(
            targets=settings.targets,
            http=http,
            clock=clock,
            retention_seconds=settings.retention_seconds,
            max_samples_per_series=settings.max_samples_per_series,
            scrape_timeout=min(settings.scrape_timeout_seconds, settings.scrape_interval()),
            downsampling=history(settings),
        )

    async def scrape_all(self, t_ms: int) -> None:
        """One round: every target scraped at `t_ms`, then old samples trimmed."""
        await asyncio.gather(*(scraper.scrape(t_ms) for scraper in self.scrapers))
        self.store.trim(t_ms)

    def targets(self) -> list[TargetHealth]:
        return [scraper.health for scraper in self.scrapers]


async def run_every(clock: Clock, interval: float, tick: Tick, *, name: str) -> None:
    """Call `tick(t_ms)` at every multiple of `interval` until cancelled; a failing tick is
    logged. Ticks sit on the interval's grid, as Prometheus aligns its evaluation times, so
    two rounds are exactly one interval apart and a `for` of one interval fires on the next
    round rather than one later; a round that overruns skips the grid points it missed."""
    step = max(1, int(interval * 1000))
    while True:
        now = now_ms(clock)
        t = now - now % step + step
        await clock.sleep((t - now) / 1000)
        try:
            await tick(t)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed", name)


def history(settings: OpsSettings) -> Downsampling | None:
    """The thinned history past the raw retention, or None when it is turned off."""
    if settings.history_retention_seconds <= 0:
        return None
    return Downsampling(
        resolution_ms=int(settings.history_resolution_seconds * 1000),
        retention_ms=int(settings.history_retention_seconds * 1000),
    )
