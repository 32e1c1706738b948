"""`POST /api/health/integrity/repair`: the safe repairs over HTTP (admin), then a re-check."""

from __future__ import annotations

from sqlalchemy import delete

from jwtpizza.service.orders.models import FulfilmentJob, Order
from jwtpizza.service.resilience import ResilienceSettings
from tests.integration.service.conftest import SCRAPE, MakeShop


async def test_an_admin_repairs_a_lost_order_and_the_check_passes_again(
    make_shop: MakeShop,
) -> None:
    shop = await make_shop(resilience=ResilienceSettings(queue_enabled=False))
    diner = await shop.login("d@jwt.com", "diner")
    admin = await shop.login("a@jwt.com", "admin")
    order_id = (await shop.order(diner)).json()["order"]["id"]
    async with shop.context.db.writer() as session:
        await session.execute(delete(FulfilmentJob).where(FulfilmentJob.order_id == order_id))
        order = await session.get(Order, order_id)
        assert order is not None
        order.status, order.jwt = "queued", None
    assert (await shop.client.get("/api/health/integrity", headers=SCRAPE)).json()["problems"][
        "lost_orders"
    ] == 1

    refused = await shop.client.post("/api/health/integrity/repair", headers=shop.bearer(diner))
    assert refused.status_code == 403
    assert (await shop.client.get("/api/health/integrity", headers=SCRAPE)).json()["ok"] is False

    repaired = await shop.client.post("/api/health/integrity/repair", headers=shop.bearer(admin))
    assert repaired.status_code == 200, repaired.text
    assert repaired.json() == {"actions": [f"requeued order {order_id}"], "ok": True}
