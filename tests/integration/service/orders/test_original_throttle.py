"""The original's throttle on the service's HTTP contract: a client written for the original
(no `Prefer`) waits for a slow factory's pizza and gets it (200), where an async client gets
its 202; and every failure answer names the link that ends the fault, an open breaker's too,
in the answer and in the service's own log."""

from __future__ import annotations

import asyncio

import httpx

from jwtpizza.observability.log_store import LogQuery
from jwtpizza.service.resilience import BreakerState, ResilienceSettings
from tests.integration.service.conftest import MakeShop, Shop
from tests.integration.service.orders.test_order_contract import Gate
from tests.integration.service.test_service_metrics import CHAOS, scrape, value

# An attempt timeout and an async wait budget far below how slow the factory is made here.
SLOW_FACTORY = ResilienceSettings(
    breaker_enabled=False, timeout_seconds=0.2, queue_wait_budget_seconds=0.2,
    sync_wait_budget_seconds=20, queue_poll_interval_seconds=0.05,
)  # fmt: skip
# A breaker that opens after two failed calls and stays open (the shop's clock is fake).
TRIPPING = ResilienceSettings(
    max_attempts=1, breaker_window_size=2, breaker_minimum_calls=2, breaker_open_seconds=60,
    breaker_probe_seconds=0, queue_poll_interval_seconds=0.05,
)  # fmt: skip


async def slow_order(
    make_shop: MakeShop, *, respond_async: bool
) -> tuple[Shop, httpx.Response, float]:
    """An order held at the factory for a second; the answer, and how long it took."""
    gate = Gate()
    shop = await make_shop(resilience=SLOW_FACTORY, wrap_factory=gate)
    token = await shop.login("d@jwt.com", "diner")
    loop = asyncio.get_running_loop()
    loop.call_later(1.0, gate.open.set)
    started = loop.time()
    answer = await shop.order(token, respond_async=respond_async)
    return shop, answer, loop.time() - started


async def test_without_prefer_a_slow_factory_gives_the_diner_the_pizza_when_it_comes(
    make_shop: MakeShop,
) -> None:
    shop, answer, took = await slow_order(make_shop, respond_async=False)
    assert answer.status_code == 200, answer.text
    assert answer.json()["jwt"] and answer.json()["order"]["status"] == "fulfilled"
    assert took >= 1.0  # it waited past the attempt timeout and the async budget
    assert len(shop.factory.calls) == 1  # one call, waited out: no retry made a second pizza
    assert value(await scrape(shop), "pizzas_sold_total") == 1


async def test_a_call_kept_waiting_past_the_attempt_timeout_is_counted_overdue_at_once(
    make_shop: MakeShop,
) -> None:
    # A hung factory must show on /metrics while a synchronous diner still waits, not only
    # when the sync budget runs out (FactoryUnreachable reads this counter).
    gate = Gate()
    shop = await make_shop(resilience=SLOW_FACTORY, wrap_factory=gate)
    token = await shop.login("d@jwt.com", "diner")
    order = asyncio.create_task(shop.order(token, respond_async=False))
    await asyncio.sleep(0.6)  # three attempt timeouts, the call still held at the factory
    waiting = await scrape(shop)
    gate.open.set()
    assert (await order).status_code == 200
    assert value(waiting, "factory_calls_overdue_total") == 1
    assert value(await scrape(shop), "factory_calls_overdue_total") == 1  # counted once


async def test_a_call_answered_within_the_attempt_timeout_is_not_overdue(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    assert (await shop.order(token, respond_async=False)).status_code == 200
    assert value(await scrape(shop), "factory_calls_overdue_total") == 0


async def test_with_prefer_the_same_slow_factory_answers_202_at_the_wait_budget(
    make_shop: MakeShop,
) -> None:
    shop, answer, took = await slow_order(make_shop, respond_async=True)
    assert answer.status_code == 202, answer.text
    assert took < 1.0
    metrics = await scrape(shop)
    assert value(metrics, "orders_queued_total", reason="wait_budget") == 1


async def tripped(make_shop: MakeShop) -> tuple[Shop, str]:
    """A shop whose breaker the factory's `fail` fault has opened."""
    shop = await make_shop(resilience=TRIPPING)
    token = await shop.login("d@jwt.com", "diner")
    shop.factory.failure = (500, CHAOS)
    for _ in range(2):
        assert (await shop.order(token)).status_code == 500
    assert shop.context.kitchen.fulfiller.caller.breaker is not None
    assert shop.context.kitchen.fulfiller.caller.breaker.state is BreakerState.OPEN
    return shop, token


async def test_an_open_breakers_500_names_the_last_report_link(make_shop: MakeShop) -> None:
    shop, token = await tripped(make_shop)
    calls = len(shop.factory.calls)
    answer = await shop.order(token)
    assert len(shop.factory.calls) == calls  # the breaker answered, not the factory
    assert answer.status_code == 500
    assert answer.json() == {
        "message": "Failed to fulfill order at factory",
        "followLinkToEndChaos": CHAOS["reportUrl"],
    }
    async_answer = await shop.order(token, respond_async=True)
    assert async_answer.status_code == 202
    assert async_answer.json()["followLinkToEndChaos"] == CHAOS["reportUrl"]


async def test_each_failure_is_logged_with_its_link_and_counted_by_reason(
    make_shop: MakeShop,
) -> None:
    shop, token = await tripped(make_shop)
    await shop.order(token)
    await asyncio.sleep(0.05)  # log events are written on the next turn of the loop
    failed = shop.app.state.observability.store.query(
        LogQuery(type="resilience", text="order failed", limit=100)
    )
    assert [record.get("why") for record in failed] == ["chaos", "chaos", "breaker_open"]
    assert {record.get("followLinkToEndChaos") for record in failed} == {CHAOS["reportUrl"]}
    answered = shop.app.state.observability.store.query(
        LogQuery(type="http", text="/api/order", limit=100)
    )
    bodies = [str(r.get("resBody")) for r in answered if r.get("status") == 500]
    assert len(bodies) == 3 and all(CHAOS["reportUrl"] in body for body in bodies)
    metrics = await scrape(shop)
    assert value(metrics, "orders_failed_total", reason="chaos") == 2
    assert value(metrics, "orders_failed_total", reason="breaker_open") == 1
    assert value(metrics, "orders_failed_total", reason="oven_full") == 0  # known at zero


async def test_a_pizza_without_a_link_forgets_the_last_one(make_shop: MakeShop) -> None:
    shop = await make_shop(resilience=TRIPPING.model_copy(update={"breaker_enabled": False}))
    token = await shop.login("d@jwt.com", "diner")
    shop.factory.failure = (500, CHAOS)
    assert (await shop.order(token)).json()["followLinkToEndChaos"] == CHAOS["reportUrl"]
    shop.factory.failure = None
    assert (await shop.order(token)).status_code == 200
    shop.factory.failure = (500, {"message": "the oven broke"})  # a failure with no link
    assert (await shop.order(token)).json() == {"message": "Failed to fulfill order at factory"}
