"""A factory call never outlives its job's lease: the traffic's deliberate 22-pizza order,
which the factory refuses only after its oven delay (32 s), is called once, and while it
waits it is being made, not queued (no queue age for `OrdersQueuedTooLong` to page on)."""

from __future__ import annotations

import asyncio
import json

import httpx

from jwtpizza.service.resilience import ResilienceSettings
from tests.integration.service.conftest import MakeShop
from tests.integration.service.test_service_metrics import scrape, value

OVEN_FULL = {"message": "Unable to satisfy pizza order. The oven is full."}


class SlowOven(httpx.AsyncBaseTransport):
    """The stub factory, refusing an order of more than 20 pizzas once told to (its delay)."""

    def __init__(self) -> None:
        self.inner: httpx.AsyncBaseTransport | None = None
        self.oversized_calls = 0
        self.refuse = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/order":
            order = json.loads(await request.aread()).get("order") or {}
            if len(order.get("items", [])) > 20:
                self.oversized_calls += 1
                await self.refuse.wait()
                body = httpx.ByteStream(json.dumps(OVEN_FULL).encode())
                return httpx.Response(
                    503, headers={"Content-Type": "application/json"}, stream=body
                )
        assert self.inner is not None
        return await self.inner.handle_async_request(request)


async def test_the_22_pizza_order_is_called_once_and_never_counts_as_queued(
    make_shop: MakeShop,
) -> None:
    oven = SlowOven()
    settings = ResilienceSettings(queue_lease_seconds=30, queue_poll_interval_seconds=0.02)
    shop = await make_shop(resilience=settings, wrap_factory=oven)
    token = await shop.login("d@jwt.com", "diner")
    placing = asyncio.create_task(shop.order(token, count=22))
    while oven.oversized_calls == 0:  # noqa: ASYNC110 - the transport has no event for it
        await asyncio.sleep(0.01)
    shop.clock.advance(40)  # past the configured lease: the factory is still at its delay
    await asyncio.sleep(0.3)  # many worker polls
    assert oven.oversized_calls == 1  # no worker took the job and called again
    assert await shop.context.kitchen.report_queue() == 0
    metrics = await scrape(shop)
    assert value(metrics, "queue_depth", queue="orders") == 0
    assert value(metrics, "queue_oldest_age_seconds", queue="orders") == 0
    oven.refuse.set()
    answer = await placing
    assert answer.status_code == 500, answer.text
    assert oven.oversized_calls == 1
    metrics = await scrape(shop)
    assert value(metrics, "orders_failed_total", reason="oven_full") == 1
