"""Recovery at any traffic: once the factory is back, a shop with no diner closes its breaker
by its own trial (an empty order the factory refuses with 400), and the orders queued
meanwhile are made at once; while the factory still fails, the breaker stays open."""

from __future__ import annotations

import asyncio

from jwtpizza.observability.log_store import LogQuery
from jwtpizza.service.resilience import BreakerState, CircuitBreaker, ResilienceSettings
from tests.integration.service.conftest import MakeShop, Shop
from tests.integration.service.test_service_metrics import CHAOS, scrape, value

QUIET = ResilienceSettings(
    max_attempts=1, breaker_window_size=2, breaker_minimum_calls=2, breaker_open_seconds=10,
    breaker_probe_seconds=0.02, queue_poll_interval_seconds=0.05,
)  # fmt: skip
FAST_QUEUE = {"queue_backoff_base_seconds": 0.01, "queue_backoff_max_seconds": 0.01}


def breaker_of(shop: Shop) -> CircuitBreaker:
    breaker = shop.context.kitchen.fulfiller.caller.breaker
    assert breaker is not None
    return breaker


async def opened(make_shop: MakeShop) -> tuple[Shop, str]:
    shop = await make_shop(resilience=QUIET, **FAST_QUEUE)
    token = await shop.login("d@jwt.com", "diner")
    shop.factory.failure = (500, CHAOS)
    for _ in range(2):
        assert (await shop.order(token)).status_code == 500
    assert breaker_of(shop).state is BreakerState.OPEN
    return shop, token


async def settle(shop: Shop, wanted: BreakerState, seconds: float = 3.0) -> BreakerState:
    for _ in range(int(seconds / 0.02)):
        if breaker_of(shop).state is wanted:
            break
        await asyncio.sleep(0.02)
    return breaker_of(shop).state


async def test_with_no_diner_the_breaker_closes_once_the_factory_is_back(
    make_shop: MakeShop,
) -> None:
    shop, _ = await opened(make_shop)
    orders = len(shop.factory.calls)
    shop.factory.failure = None
    shop.clock.advance(10)  # the open wait is over; no order comes
    assert await settle(shop, BreakerState.CLOSED) is BreakerState.CLOSED
    assert len(shop.factory.calls) == orders  # the probe made no pizza
    assert value(await scrape(shop), "breaker_state", dependency="factory") == 0
    await asyncio.sleep(0.05)
    moves = shop.app.state.observability.store.query(
        LogQuery(type="resilience", text="factory breaker", limit=100)
    )
    assert [m["msg"] for m in moves] == [  # trying again is debug: no timeline noise
        "factory breaker closed -> open",
        "factory breaker half_open -> closed",
    ]


async def test_while_the_factory_still_fails_the_breaker_stays_open(make_shop: MakeShop) -> None:
    shop, _ = await opened(make_shop)
    shop.clock.advance(10)
    await asyncio.sleep(0.3)  # many probe intervals
    assert breaker_of(shop).state is BreakerState.OPEN  # one trial round, then a full wait
    assert value(await scrape(shop), "breaker_state", dependency="factory") == 2


async def test_orders_queued_while_open_are_made_as_soon_as_the_probe_closes_it(
    make_shop: MakeShop,
) -> None:
    shop, token = await opened(make_shop)
    queued = await shop.order(token, respond_async=True)
    assert queued.status_code == 202, queued.text
    assert value(await scrape(shop), "orders_queued_total", reason="breaker_open") == 1
    shop.factory.failure = None
    shop.clock.advance(10)
    assert await settle(shop, BreakerState.CLOSED) is BreakerState.CLOSED
    order_id = queued.json()["order"]["id"]
    for _ in range(150):
        got = await shop.client.get(f"/api/order/{order_id}", headers=shop.bearer(token))
        if got.json()["order"]["status"] == "fulfilled":
            break
        await asyncio.sleep(0.02)
    assert got.json()["order"]["status"] == "fulfilled"
