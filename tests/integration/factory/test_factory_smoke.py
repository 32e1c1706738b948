from __future__ import annotations

from factory_kit import Factory, auth, order_body


async def test_order_smoke(factory: Factory) -> None:
    key = await factory.vendor()
    got = await factory.client.post("/api/order", json=order_body(), headers=auth(key))
    assert got.status_code == 200, got.text
    verified = await factory.client.post("/api/order/verify", json={"jwt": got.json()["jwt"]})
    assert verified.status_code == 200, verified.text
