"""Metric values after known traffic through the real service (stub factory behind it):
HTTP counts by method, route template and status; auth results; pizzas sold and failed;
revenue equal to the menu prices of fulfilled orders; factory outcomes by `reason`; and a
queued order fulfilled later by the worker, counted once."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from jwtpizza.service.resilience import ResilienceSettings
from tests.integration.service.conftest import SCRAPE, MakeShop, Shop

# One attempt per order, no breaker and no queue, so each order is exactly one factory call.
SINGLE_SHOT = ResilienceSettings(
    retries_enabled=False, breaker_enabled=False, queue_enabled=False, timeout_seconds=0.5
)
CHAOS = {"message": "chaos monkey", "reportUrl": "http://factory.test/api/support/t0k/report/c0de"}


class Switchable(httpx.AsyncBaseTransport):
    """The stub factory's transport, told to fail at the transport level on demand."""

    def __init__(self) -> None:
        self.inner: httpx.AsyncBaseTransport | None = None
        self.error: Exception | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.error is not None and request.url.path == "/api/order":
            raise self.error
        assert self.inner is not None
        return await self.inner.handle_async_request(request)


async def scrape(shop: Shop) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = (await shop.client.get("/metrics", headers=SCRAPE)).text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def menu_price(shop: Shop, menu_id: int = 1) -> Decimal:
    menu = (await shop.client.get("/api/order/menu")).json()
    return Decimal(str(next(item["price"] for item in menu if item["id"] == menu_id)))


async def test_http_and_auth_counts_by_route_template_and_status(shop: Shop) -> None:
    await shop.login("d@jwt.com", "diner")
    await shop.login("a@jwt.com", "admin")
    wrong = await shop.client.put("/api/auth", json={"email": "d@jwt.com", "password": "nope"})
    assert wrong.status_code == 404
    token = await shop.login("d@jwt.com", "diner")
    for order_id in (1, 2, 999):
        await shop.client.get(f"/api/order/{order_id}", headers=shop.bearer(token))

    got = await scrape(shop)
    assert value(got, "http_requests_total", method="PUT", route="/api/auth", status="200") == 3
    assert value(got, "http_requests_total", method="PUT", route="/api/auth", status="404") == 1
    by_id = value(
        got, "http_requests_total", method="GET", route="/api/order/{order_id}", status="404"
    )
    assert by_id == 3  # three raw paths, one route template
    assert value(got, "auth_attempts_total", result="success") == 3
    assert value(got, "auth_attempts_total", result="failure") == 1
    latency = "http_request_duration_seconds_count"
    assert value(got, latency, method="PUT", route="/api/auth") == 4


async def test_pizzas_revenue_and_failures_match_the_menu(make_shop: MakeShop) -> None:
    shop = await make_shop(resilience=SINGLE_SHOT)
    token = await shop.login("d@jwt.com", "diner")
    price = await menu_price(shop)
    assert (await shop.order(token, count=2)).status_code == 200
    assert (await shop.order(token, count=3)).status_code == 200
    shop.factory.failure = (500, CHAOS)
    assert (await shop.order(token, count=4)).status_code == 500

    got = await scrape(shop)
    assert value(got, "pizzas_sold_total") == 5
    assert Decimal(str(value(got, "revenue_total"))).quantize(price) == price * 5
    assert value(got, "pizza_failures_total") == 4
    assert (
        value(got, "orders_failed_total", reason="chaos") == 1
    )  # the game-day panel counts orders
    assert value(got, "pizza_creation_duration_seconds_count") == 3


async def test_factory_outcomes_by_reason(make_shop: MakeShop) -> None:
    switch = Switchable()
    shop = await make_shop(resilience=SINGLE_SHOT, wrap_factory=switch)
    token = await shop.login("d@jwt.com", "diner")
    answers: list[tuple[str, tuple[int, dict[str, Any]] | None, Exception | None]] = [
        ("ok", None, None),
        ("chaos", (500, CHAOS), None),
        ("oven_full", (503, {"message": "Unable to satisfy pizza order. The oven is full."}), None),
        ("auth_rejected", (401, {"message": "invalid authentication", **CHAOS}), None),
        ("rate_limited", (429, {"message": "too many requests"}), None),
        ("outage", None, httpx.ConnectError("refused")),
        ("timeout", None, httpx.ReadTimeout("slow")),
    ]
    for _reason, failure, error in answers:
        shop.factory.failure, switch.error = failure, error
        await shop.order(token)
    shop.factory.failure, switch.error, shop.factory.bad_jwt = None, None, True
    await shop.order(token)

    got = await scrape(shop)
    expected = {reason: 1.0 for reason, _, _ in answers} | {"bad_jwt": 1.0}
    counted = {r: value(got, "factory_calls_total", reason=r) for r in expected}
    assert counted == expected
    assert value(got, "factory_calls_total", reason="error") == 0
    assert value(got, "pizzas_sold_total") == 1
    assert value(got, "pizza_failures_total") == 7


async def test_a_queued_order_fulfilled_later_is_counted_once(make_shop: MakeShop) -> None:
    resilience = ResilienceSettings(
        retries_enabled=False, breaker_enabled=False, queue_wait_budget_seconds=0.5,
        queue_poll_interval_seconds=0.05, timeout_seconds=0.5,
    )  # fmt: skip
    shop = await make_shop(
        resilience=resilience, queue_backoff_base_seconds=0.01, queue_backoff_max_seconds=0.01
    )
    token = await shop.login("d@jwt.com", "diner")
    price = await menu_price(shop)
    shop.factory.failure = (500, CHAOS)
    queued = await shop.order(token, count=2, respond_async=True)
    assert queued.status_code == 202, queued.text
    order_id = queued.json()["order"]["id"]
    assert value(await scrape(shop), "pizzas_sold_total") == 0

    shop.factory.failure = None
    status = await wait_for_status(shop, token, order_id, "fulfilled")
    assert status == "fulfilled"
    await asyncio.sleep(0.3)  # the worker keeps polling; nothing may count the order again
    got = await scrape(shop)
    assert value(got, "pizzas_sold_total") == 2
    assert Decimal(str(value(got, "revenue_total"))).quantize(price) == price * 2
    assert value(got, "pizza_failures_total") == 0
    assert value(got, "queue_depth", queue="orders") == 0


async def wait_for_status(shop: Shop, token: str, order_id: int, wanted: str) -> str:
    status = ""
    for _ in range(200):
        shop.clock.advance(1)  # the queue's backoff runs on the service's clock
        got = await shop.client.get(f"/api/order/{order_id}", headers=shop.bearer(token))
        status = got.json()["order"]["status"]
        if status == wanted:
            break
        await asyncio.sleep(0.02)
    return status


async def test_metrics_list_only_the_service_families_and_name_the_docs_routes(
    shop: Shop,
) -> None:
    await shop.client.get("/docs")
    await shop.client.get("/openapi.json")
    text = (await shop.client.get("/metrics", headers=SCRAPE)).text
    assert "pizzas_sold_total" in text and "breaker_state" in text
    for factory_family in ("orders_signed", "order_rejections", "chaos_active"):
        assert factory_family not in text, factory_family
    assert 'route="/docs"' in text and 'route="/openapi.json"' in text
    assert 'route="unmatched"' not in text
