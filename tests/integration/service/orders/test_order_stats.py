"""`GET /api/order/stats`: the ledger's figures for a window, for admins, without identities."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from jwtpizza.service.resilience import ResilienceSettings
from tests.integration.service.conftest import MakeShop, Shop

FAILING = (500, {"message": "chaos monkey"})


async def register(shop: Shop, name: str) -> str:
    body = {"name": name, "email": f"{name}@jwt.com", "password": "secret-pass"}
    response = await shop.client.post("/api/auth", json=body)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def stats(shop: Shop, admin: str, **params: str) -> dict[str, Any]:
    response = await shop.client.get("/api/order/stats", params=params, headers=shop.bearer(admin))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_failed_orders_affected_and_active_diners_and_revenue(make_shop: MakeShop) -> None:
    shop = await make_shop(resilience=ResilienceSettings.fragile())
    start = shop.clock.now()
    admin = await shop.login("a@jwt.com", "admin")
    happy, unlucky, idle = [await register(shop, n) for n in ("happy", "unlucky", "idle")]
    assert (await shop.order(happy, count=2)).status_code == 200
    shop.factory.failure = FAILING
    assert (await shop.order(unlucky)).status_code == 500
    assert (await shop.order(unlucky)).status_code == 500
    shop.clock.advance(1)

    body = await stats(shop, admin, **{"from": start.isoformat()})
    assert body["ordersByStatus"] == {"fulfilled": 1, "rejected": 2}
    assert (body["failed"], body["queuedThenFulfilled"], body["stillOpen"], body["lost"]) == (
        2, 0, 0, 0
    )  # fmt: skip
    assert body["affectedDiners"] == 1
    assert body["activeDiners"] == 3  # the idle diner is logged in too; the admin is no diner
    assert body["revenue"] == {
        "fulfilled": 0.0076, "failed": 0.0076, "queuedThenFulfilled": 0.0, "open": 0.0,
        "refused": 0.0,
    }  # fmt: skip
    assert "@" not in str(body) and idle

    later = await stats(shop, admin, **{"from": shop.clock.now().isoformat()})
    assert later["ordersByStatus"] == {} and later["affectedDiners"] == 0


async def test_an_order_the_factory_refuses_by_design_is_refused_not_failed(
    make_shop: MakeShop,
) -> None:
    shop = await make_shop(resilience=ResilienceSettings.fragile())
    start = shop.clock.now()
    admin = await shop.login("a@jwt.com", "admin")
    diner = await register(shop, "hungry")
    shop.factory.failure = (503, {"message": "The oven is full: too many pizzas"})
    assert (await shop.order(diner, count=2)).status_code == 500
    shop.factory.failure = FAILING
    assert (await shop.order(diner)).status_code == 500
    shop.clock.advance(1)

    body = await stats(shop, admin, **{"from": start.isoformat()})
    assert body["ordersByStatus"] == {"rejected": 2}
    assert (body["failed"], body["refused"]) == (1, 1)
    assert (body["revenue"]["failed"], body["revenue"]["refused"]) == (0.0038, 0.0076)
    assert body["affectedDiners"] == 1


async def test_a_queued_order_fulfilled_later_counts_as_queued_then_fulfilled(
    make_shop: MakeShop,
) -> None:
    shop = await make_shop(resilience=ResilienceSettings(retries_enabled=False))
    start = shop.clock.now()
    admin = await shop.login("a@jwt.com", "admin")
    diner = await shop.login("d@jwt.com", "diner")
    shop.factory.failure = FAILING
    assert (await shop.order(diner, respond_async=True)).status_code == 202
    shop.clock.advance(1)
    during = await stats(shop, admin, **{"from": start.isoformat()})
    assert (during["stillOpen"], during["affectedDiners"], during["revenue"]["open"]) == (
        1, 1, 0.0038
    )  # fmt: skip

    shop.factory.failure = None
    shop.clock.advance(120)
    await shop.context.kitchen.fulfiller.jobs.make_due()
    # The kitchen's own worker may claim the job before this call does: either way it is made.
    await shop.context.kitchen.drain_once()
    for _ in range(100):
        after = await stats(shop, admin, **{"from": start.isoformat()})
        if after["ordersByStatus"] == {"fulfilled": 1}:
            break
        await asyncio.sleep(0.1)
    assert after["ordersByStatus"] == {"fulfilled": 1}
    assert (after["queuedThenFulfilled"], after["stillOpen"], after["lost"]) == (1, 0, 0)
    assert after["revenue"]["queuedThenFulfilled"] == 0.0038
    assert after["affectedDiners"] == 1


async def test_stats_are_for_admins_and_need_a_sound_window(shop: Shop) -> None:
    diner = await shop.login("d@jwt.com", "diner")
    admin = await shop.login("a@jwt.com", "admin")
    now = shop.clock.now()
    forbidden = await shop.client.get(
        "/api/order/stats", params={"from": now.isoformat()}, headers=shop.bearer(diner)
    )
    assert forbidden.status_code == 403
    cases = [
        ({}, "from is required"),
        ({"from": "yesterday"}, "from: "),
        ({"from": now.isoformat(), "to": (now - timedelta(hours=1)).isoformat()},
         "to: must not be before from"),
    ]  # fmt: skip
    for params, message in cases:
        response = await shop.client.get(
            "/api/order/stats", params=params, headers=shop.bearer(admin)
        )
        assert response.status_code == 400, response.text
        assert response.json()["message"].startswith(message)
