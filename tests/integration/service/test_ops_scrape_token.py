"""Ops reads a service that keeps its figures behind the scrape token: the monitor scrapes
`/metrics` with the target's bearer token, and the incidents' feed reads the integrity check
with the service's scrape token; without them both are refused, and the token never shows."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from jwtpizza.ops.incidents.feed_client import Feeds
from jwtpizza.ops.incidents.settings import IncidentSettings
from jwtpizza.ops.monitor.service import Monitor
from jwtpizza.ops.settings import ScrapeTarget
from tests.integration.service.conftest import SCRAPE_TOKEN, Shop

URL = "http://shop.test"


def monitor_of(shop: Shop, http: httpx.AsyncClient, token: str | None) -> Monitor:
    target = ScrapeTarget(
        job="jwt-pizza-service",
        url=f"{URL}/metrics",
        bearer_token=None if token is None else SecretStr(token),
    )
    return Monitor(
        targets=[target], http=http, clock=shop.clock, retention_seconds=900,
        max_samples_per_series=10, scrape_timeout=10,
    )  # fmt: skip


def feeds_of(http: httpx.AsyncClient, token: str | None) -> Feeds:
    settings = IncidentSettings(service_scrape_token=None if token is None else SecretStr(token))
    return Feeds(http=http, service_url=URL, factory_url="http://factory.test", settings=settings)


async def test_ops_reads_the_guarded_figures_only_with_the_scrape_token(shop: Shop) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=shop.app)) as http:
        for token, up in ((None, False), ("wrong-token", False), (SCRAPE_TOKEN, True)):
            monitor = monitor_of(shop, http, token)
            await monitor.scrape_all(1_000)
            (health,) = monitor.targets()
            assert health.up is up, (token, health.last_error)
            assert (health.last_error is None) is up and bool(health.series) is up
            assert SCRAPE_TOKEN not in repr(health) + str(health.last_error)

        assert await feeds_of(http, None).integrity() is None
        integrity = await feeds_of(http, SCRAPE_TOKEN).integrity()
        assert integrity is not None and integrity["ok"] is True
