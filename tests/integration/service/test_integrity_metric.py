"""The periodic ledger check exports `integrity_problems{kind}`, which the
IntegrityCheckFailing alert rule reads: zero on a sound ledger, the count when broken."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, update

from jwtpizza.service.orders.models import FulfilmentJob, Order
from tests.integration.service.conftest import SCRAPE, MakeShop

from .test_service_metrics import scrape, value


async def test_a_lost_order_shows_in_the_integrity_metric(make_shop: MakeShop) -> None:
    shop = await make_shop(integrity_check_seconds=0.05)
    token = await shop.login("d@jwt.com", "diner")
    assert (await shop.order(token)).status_code == 200
    await asyncio.sleep(0.3)
    samples = await scrape(shop)
    assert value(samples, "integrity_problems", kind="lost_orders") == 0
    assert value(samples, "integrity_problems", kind="orphan_stores") == 0
    async with shop.context.db.writer() as session:
        await session.execute(delete(FulfilmentJob))
    await asyncio.sleep(0.3)
    assert value(await scrape(shop), "integrity_problems", kind="lost_orders") == 1


async def test_two_orders_sharing_one_pizza_are_both_reported(make_shop: MakeShop) -> None:
    shop = await make_shop()
    token = await shop.login("d@jwt.com", "diner")
    first, second = [(await shop.order(token)).json() for _ in range(2)]
    async with shop.context.db.writer() as session:
        await session.execute(
            update(Order).where(Order.id == second["order"]["id"]).values(jwt=first["jwt"])
        )
    report = (await shop.client.get("/api/health/integrity", headers=SCRAPE)).json()
    assert not report["ok"]
    assert report["problems"]["duplicated_orders"] == 2
