"""RFC 7240 on `POST /api/order`: a client that sends `Prefer: respond-async` gets `202` for
an order the factory does not make within the wait budget; a client written for the original
(no `Prefer`) gets its synchronous contract, `200` with the pizza or the original's `500`,
and that order is rejected in the ledger: never made and charged later. Each is driven
through a fault: a failing factory with a report link, and a factory slower than the budget."""

from __future__ import annotations

import asyncio
import json
import re

import httpx

from jwtpizza.service.resilience import ResilienceSettings
from tests.integration.service.conftest import SCRAPE, MakeShop, Shop
from tests.integration.service.test_service_metrics import CHAOS, scrape, value, wait_for_status

SHORT_BUDGET = ResilienceSettings(
    breaker_enabled=False, max_attempts=2, queue_wait_budget_seconds=0.3,
    sync_wait_budget_seconds=0.3, queue_poll_interval_seconds=0.05, timeout_seconds=5,
)  # fmt: skip
FAST_QUEUE = {"queue_backoff_base_seconds": 0.01, "queue_backoff_max_seconds": 0.01}


class Gate(httpx.AsyncBaseTransport):
    """The stub factory behind a gate: order calls wait until it opens (a slow factory)."""

    def __init__(self) -> None:
        self.inner: httpx.AsyncBaseTransport | None = None
        self.open = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/order":
            await self.open.wait()
        assert self.inner is not None
        return await self.inner.handle_async_request(request)


async def failing_shop(make_shop: MakeShop) -> tuple[Shop, str]:
    shop = await make_shop(resilience=SHORT_BUDGET, **FAST_QUEUE)
    shop.factory.failure = (500, CHAOS)
    return shop, await shop.login("d@jwt.com", "diner")


async def test_without_prefer_a_failing_factory_gives_the_original_500_and_a_rejection(
    make_shop: MakeShop,
) -> None:
    shop, token = await failing_shop(make_shop)
    answer = await shop.order(token)
    assert answer.status_code == 500, answer.text
    assert answer.json() == {
        "message": "Failed to fulfill order at factory",
        "followLinkToEndChaos": CHAOS["reportUrl"],
    }
    order_id = shop.factory.calls[0]["body"]["order"]["id"]
    shop.factory.failure = None  # the factory recovers: the rejected order stays rejected
    for _ in range(10):
        shop.clock.advance(60)  # well past any queue backoff
        await asyncio.sleep(0.05)  # the worker polls every 0.05 s
        got = await shop.client.get(f"/api/order/{order_id}", headers=shop.bearer(token))
        assert got.json()["order"]["status"] == "rejected" and "jwt" not in got.json()
    # An attempt still in flight when the budget ran out may yet get a pizza signed (on a
    # loaded machine it does): the ledger keeps the order rejected and never charges it.
    metrics = await scrape(shop)
    assert value(metrics, "pizzas_sold_total") == 0
    assert value(metrics, "pizza_failures_total") == 1


async def test_with_prefer_the_same_fault_is_queued_with_its_report_link_then_made_once(
    make_shop: MakeShop,
) -> None:
    shop, token = await failing_shop(make_shop)
    answer = await shop.order(token, respond_async=True)
    assert answer.status_code == 202, answer.text
    assert answer.headers["Preference-Applied"] == "respond-async"
    body = answer.json()
    assert body["followLinkToEndChaos"] == CHAOS["reportUrl"] and "jwt" not in body
    shop.factory.failure = None
    assert await wait_for_status(shop, token, body["order"]["id"], "fulfilled") == "fulfilled"
    # The sale is counted just after its commit, which the diner may see first.
    sold = 0.0
    for _ in range(200):
        if sold := value(await scrape(shop), "pizzas_sold_total"):
            break
        await asyncio.sleep(0.01)
    assert sold == 1


async def test_without_prefer_a_factory_slower_than_the_sync_budget_is_a_500_never_charged(
    make_shop: MakeShop,
) -> None:
    gate = Gate()
    shop = await make_shop(resilience=SHORT_BUDGET, wrap_factory=gate, **FAST_QUEUE)
    token = await shop.login("d@jwt.com", "diner")
    answer = await shop.order(token)
    assert answer.status_code == 500, answer.text
    assert answer.json() == {"message": "Failed to fulfill order at factory"}
    gate.open.set()  # the factory answers after all, with a pizza
    for _ in range(100):
        if shop.factory.pizzas:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)
    history = (await shop.client.get("/api/order", headers=shop.bearer(token))).json()
    assert [o["status"] for o in history["orders"]] == ["rejected"]
    integrity = (await shop.client.get("/api/health/integrity", headers=SCRAPE)).json()
    assert integrity["ok"] and integrity["ordersByStatus"]["rejected"] == 1
    assert value(await scrape(shop), "pizzas_sold_total") == 0


async def test_within_the_budget_both_contracts_get_the_pizza_and_dates_in_milliseconds(
    shop: Shop,
) -> None:
    token = await shop.login("d@jwt.com", "diner")
    for respond_async in (False, True):
        answer = await shop.order(token, respond_async=respond_async)
        assert answer.status_code == 200 and answer.json()["jwt"], answer.text
        assert "Preference-Applied" not in answer.headers
    history = (await shop.client.get("/api/order", headers=shop.bearer(token))).json()
    for order in history["orders"]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", order["date"]), order


class FailOnceThenHang(Gate):
    """The factory answers the `fail` fault (with its report link), then hangs on the retry."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/order":
            self.calls += 1
            if self.calls == 1:
                body = httpx.ByteStream(json.dumps(CHAOS).encode())
                return httpx.Response(
                    500, headers={"Content-Type": "application/json"}, stream=body
                )
        return await super().handle_async_request(request)


async def test_an_answer_given_while_retrying_carries_the_last_report_link(
    make_shop: MakeShop,
) -> None:
    for respond_async, status in ((True, 202), (False, 500)):
        gate = FailOnceThenHang()
        shop = await make_shop(resilience=SHORT_BUDGET, wrap_factory=gate, **FAST_QUEUE)
        token = await shop.login("d@jwt.com", "diner")
        answer = await shop.order(token, respond_async=respond_async)
        gate.open.set()
        assert answer.status_code == status, answer.text
        assert answer.json()["followLinkToEndChaos"] == CHAOS["reportUrl"], answer.text
