"""Each resilience mechanism can be switched off; `/readyz` reports the factory breaker; the
`jwtpizza db check|repair` commands find and fix a lost order."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete
from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli
from jwtpizza.service.orders.models import FulfilmentJob, Order
from jwtpizza.service.resilience import ResilienceSettings
from tests.integration.service.conftest import SCRAPE, MakeShop, Shop

FAILING = (500, {"message": "chaos monkey"})


async def status_of(shop: Shop, token: str, order_id: int) -> str:
    response = await shop.client.get(f"/api/order/{order_id}", headers=shop.bearer(token))
    status: str = response.json()["order"]["status"]
    return status


async def test_fragile_mode_answers_the_original_500_and_rejects_the_order(
    make_shop: MakeShop,
) -> None:
    shop = await make_shop(resilience=ResilienceSettings.fragile())
    shop.factory.failure = FAILING
    token = await shop.login("d@jwt.com", "diner")
    response = await shop.order(token)
    assert response.status_code == 500
    assert response.json() == {"message": "Failed to fulfill order at factory"}
    assert len(shop.factory.calls) == 1  # no retry
    order_id = shop.factory.calls[0]["body"]["order"]["id"]
    assert await status_of(shop, token, order_id) == "rejected"
    assert (await shop.client.get("/readyz")).json()["factoryBreaker"] == "disabled"


async def test_with_the_queue_on_the_same_failure_is_queued_not_lost(make_shop: MakeShop) -> None:
    shop = await make_shop(resilience=ResilienceSettings(retries_enabled=False))
    shop.factory.failure = FAILING
    token = await shop.login("d@jwt.com", "diner")
    response = await shop.order(token, respond_async=True)
    assert response.status_code == 202
    assert response.json()["message"] == "The kitchen is busy; your pizza will be ready soon"
    assert await status_of(shop, token, response.json()["order"]["id"]) == "queued"


async def test_switching_off_retries_makes_one_attempt_and_retries_make_more(
    make_shop: MakeShop,
) -> None:
    shop = await make_shop(
        resilience=ResilienceSettings(queue_enabled=False, max_attempts=3, backoff_base_seconds=0)
    )
    shop.factory.failure = FAILING
    token = await shop.login("d@jwt.com", "diner")
    assert (await shop.order(token)).status_code == 500
    assert len(shop.factory.calls) == 3


async def test_readyz_reports_the_breaker_opening(make_shop: MakeShop) -> None:
    shop = await make_shop(
        resilience=ResilienceSettings(
            queue_enabled=False, retries_enabled=False, breaker_minimum_calls=2,
            breaker_window_size=2, breaker_open_seconds=60,
        )
    )  # fmt: skip
    assert (await shop.client.get("/readyz")).json() == {
        "status": "ready",
        "database": "ok",
        "factoryBreaker": "closed",
    }
    shop.factory.failure = FAILING
    token = await shop.login("d@jwt.com", "diner")
    for _ in range(2):
        await shop.order(token)
    ready = await shop.client.get("/readyz")
    assert ready.status_code == 200  # orders are still taken while the breaker is open
    assert ready.json()["factoryBreaker"] == "open"
    calls = len(shop.factory.calls)
    assert (await shop.order(token)).status_code == 500
    assert len(shop.factory.calls) == calls  # fail fast: the factory is not called


async def test_db_check_finds_a_lost_order_and_repair_requeues_it(
    make_shop: MakeShop, database_url: str
) -> None:
    shop = await make_shop(resilience=ResilienceSettings(queue_enabled=False))
    shop.factory.failure = FAILING
    token = await shop.login("d@jwt.com", "diner")
    await shop.order(token)  # rejected: its job is done
    shop.factory.failure = None
    order_id = (await shop.order(token)).json()["order"]["id"]
    async with shop.context.db.writer() as session:
        await session.execute(delete(FulfilmentJob).where(FulfilmentJob.order_id == order_id))
        order = await session.get(Order, order_id)
        assert order is not None
        order.status, order.jwt = "queued", None
    env = {"JWTPIZZA_DATABASE_URL": database_url}
    runner = CliRunner()
    checked = await asyncio.to_thread(runner.invoke, cli, ["db", "check"], env=env)
    assert checked.exit_code != 0
    assert f"lost orders: 1 [{order_id}]" in checked.output
    repaired = await asyncio.to_thread(runner.invoke, cli, ["db", "repair"], env=env)
    assert repaired.exit_code == 0, repaired.output
    assert f"repaired: requeued order {order_id}" in repaired.output
    assert (await asyncio.to_thread(runner.invoke, cli, ["db", "check"], env=env)).exit_code == 0
    health = (await shop.client.get("/api/health/integrity", headers=SCRAPE)).json()
    assert health["ok"] and health["ordersByStatus"]["queued"] == 1
