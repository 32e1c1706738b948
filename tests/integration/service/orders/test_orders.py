"""Placing orders: menu prices, validation, the factory round trip and the ledger."""

from __future__ import annotations

import re

import jwt
from sqlalchemy import func, select

from jwtpizza.service.orders.models import FulfilmentJob, Order, OrderItem
from jwtpizza.service.resilience import ResilienceSettings
from tests.integration.service.conftest import MakeShop, Shop


async def _count(shop: Shop, model: type) -> int:
    async with shop.context.db.reader() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_order_is_priced_from_the_menu_and_returns_a_verified_pizza(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    response = await shop.order(token, count=2)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [i["price"] for i in body["order"]["items"]] == [0.0038, 0.0038]  # not the 0.05 sent
    assert [i["description"] for i in body["order"]["items"]] == ["Veggie", "Veggie"]
    assert body["order"]["status"] == "fulfilled"
    payload = jwt.decode(body["jwt"], options={"verify_signature": False})
    assert payload["order"]["id"] == body["order"]["id"]
    assert payload["diner"]["email"] == "d@jwt.com"
    sent = shop.factory.calls[0]
    database, order_id = sent["key"].split("-")  # this database's identifier, and the order's
    assert re.fullmatch("[0-9a-f]{32}", database) and order_id == str(body["order"]["id"])


async def test_tampered_prices_never_reach_revenue(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    await shop.client.post(
        "/api/order",
        json={"franchiseId": 1, "storeId": 1, "items": [{"menuId": 5, "price": -100}]},
        headers=shop.bearer(token),
    )
    franchisee = await shop.login("f@jwt.com", "franchisee")
    stores = (await shop.client.get("/api/franchise/3", headers=shop.bearer(franchisee))).json()
    assert stores[0]["stores"][0]["totalRevenue"] == 0.0099


async def test_unknown_menu_item_store_or_franchise_is_a_400_and_writes_nothing(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    cases = [
        ({"items": [{"menuId": 99}]}, "items: unknown menu item 99"),
        ({"storeId": 42}, "storeId: unknown store 42 in franchise 1"),
        ({"franchiseId": 7}, "storeId: unknown store 1 in franchise 7"),
    ]
    for overrides, message in cases:
        response = await shop.order(token, **overrides)
        assert response.status_code == 400
        assert response.json() == {"message": message}
    bad_type = await shop.order(token, storeId="abc")
    assert bad_type.status_code == 400 and bad_type.json()["message"].startswith("storeId")
    assert await _count(shop, Order) == 0
    assert await _count(shop, FulfilmentJob) == 0
    assert shop.factory.calls == []


async def test_order_needs_a_login(shop: Shop) -> None:
    response = await shop.client.post("/api/order", json={"franchiseId": 1, "storeId": 1})
    assert response.status_code == 401


async def test_order_history_pages_own_orders(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    for _ in range(12):
        await shop.order(token)
    first = (await shop.client.get("/api/order", headers=shop.bearer(token))).json()
    assert first["page"] == 1 and len(first["orders"]) == 10
    assert first["orders"][0]["items"][0]["menuId"] == 1 and "date" in first["orders"][0]
    second = (await shop.client.get("/api/order?page=2", headers=shop.bearer(token))).json()
    assert len(second["orders"]) == 2
    other = await shop.login("f@jwt.com", "franchisee")
    assert (await shop.client.get("/api/order", headers=shop.bearer(other))).json()["orders"] == []


async def test_a_factory_rejection_fails_the_order_and_earns_nothing(make_shop: MakeShop) -> None:
    shop = await make_shop()
    shop.factory.failure = (503, {"message": "Unable to satisfy pizza order. The oven is full."})
    token = await shop.login("d@jwt.com", "diner")
    response = await shop.order(token, count=22)
    assert response.status_code == 500
    assert response.json() == {"message": "Failed to fulfill order at factory"}
    order_id = shop.factory.calls[0]["body"]["order"]["id"]
    status = await shop.client.get(f"/api/order/{order_id}", headers=shop.bearer(token))
    assert status.json()["order"]["status"] == "rejected"
    assert "oven" in status.json()["reason"]


async def test_chaos_failure_passes_the_report_link_through(make_shop: MakeShop) -> None:
    shop = await make_shop(resilience=ResilienceSettings.fragile())
    link = "http://factory.test/api/support/opaque-token/report/fixcode1"
    shop.factory.failure = (500, {"message": "chaos monkey", "reportUrl": link})
    token = await shop.login("d@jwt.com", "diner")
    response = await shop.order(token)
    assert response.status_code == 500
    assert response.json() == {
        "message": "Failed to fulfill order at factory",
        "followLinkToEndChaos": link,
    }
    api_key = shop.context.settings.factory_api_key
    assert api_key is not None and api_key.get_secret_value() not in response.text


async def test_a_pizza_that_does_not_verify_is_never_handed_over(make_shop: MakeShop) -> None:
    shop = await make_shop(resilience=ResilienceSettings.fragile())
    shop.factory.bad_jwt = True
    token = await shop.login("d@jwt.com", "diner")
    response = await shop.order(token)
    assert response.status_code == 500
    assert "jwt" not in response.json()


async def test_order_status_is_private_to_its_diner(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    order_id = (await shop.order(token)).json()["order"]["id"]
    mine = await shop.client.get(f"/api/order/{order_id}", headers=shop.bearer(token))
    assert mine.json()["order"]["status"] == "fulfilled" and mine.json()["jwt"]
    other = await shop.login("f@jwt.com", "franchisee")
    theirs = await shop.client.get(f"/api/order/{order_id}", headers=shop.bearer(other))
    assert theirs.status_code == 404


async def test_order_history_body_is_the_original_shape_byte_for_byte(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    placed = (await shop.order(token, count=2)).json()["order"]
    response = await shop.client.get("/api/order", headers=shop.bearer(token))
    order_id, date = placed["id"], placed["date"]
    assert date.endswith("Z")
    items = (await shop.client.get(f"/api/order/{order_id}", headers=shop.bearer(token))).json()
    first, second = (item["id"] for item in items["order"]["items"])
    assert response.headers["content-type"] == "application/json"
    assert response.text == (
        f'{{"dinerId":2,"orders":[{{"id":{order_id},"franchiseId":1,"storeId":1,'
        f'"date":"{date}","status":"fulfilled","items":['
        f'{{"id":{first},"menuId":1,"description":"Veggie","price":0.0038}},'
        f'{{"id":{second},"menuId":1,"description":"Veggie","price":0.0038}}]}}],"page":1}}'
    )


async def test_an_order_without_items_is_a_400_and_writes_nothing(shop: Shop) -> None:
    """The factory refuses every such order ("the oven is full"): it is refused up front."""
    token = await shop.login("d@jwt.com", "diner")
    response = await shop.order(token, count=0)
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("items:") and "at least 1" in message
    assert await _count(shop, Order) == 0 and await _count(shop, OrderItem) == 0
