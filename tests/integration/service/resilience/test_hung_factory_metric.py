"""A factory that accepts the order and never answers is counted as a `timeout` factory call
when the attempt timeout cancels it, so the FactoryUnreachable alert sees a hung factory."""

from __future__ import annotations

import asyncio

import httpx

from jwtpizza.service.resilience import ResilienceSettings
from tests.integration.service.conftest import MakeShop
from tests.integration.service.test_service_metrics import scrape, value


class Hang(httpx.AsyncBaseTransport):
    """The stub factory, except that orders hang forever."""

    def __init__(self) -> None:
        self.inner: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/order":
            await asyncio.Event().wait()
        assert self.inner is not None
        return await self.inner.handle_async_request(request)


async def test_a_hung_factory_call_counts_as_a_timeout(make_shop: MakeShop) -> None:
    single = ResilienceSettings(
        retries_enabled=False, breaker_enabled=False, queue_enabled=False, timeout_seconds=0.2
    )
    shop = await make_shop(wrap_factory=Hang(), resilience=single)
    token = await shop.login("d@jwt.com", "diner")
    assert (await shop.order(token)).status_code == 500
    samples = await scrape(shop)
    assert value(samples, "factory_calls_total", reason="timeout") == 1
