"""The factory's own metrics after known orders: pizzas signed, rejections by reason, and the
chaos type in effect per vendor, read from its `/metrics` scrape."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.integration.factory.factory_kit import Factory, auth, order_body


async def scrape(factory: Factory) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = (await factory.client.get("/metrics")).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def sample(samples: dict[Any, float], name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


async def order(factory: Factory, key: str, order_id: int, items: int = 1) -> int:
    body = order_body(order_id, items)
    return (await factory.client.post("/api/order", json=body, headers=auth(key))).status_code


async def chaos(factory: Factory, key: str, kind: str) -> None:
    got = await factory.client.put(
        f"/api/vendor/chaos/{kind}", json={"start": "now"}, headers=auth(key)
    )
    assert got.status_code == 200, got.text


async def test_signed_orders_and_rejections_are_counted_by_reason(factory: Factory) -> None:
    key = await factory.vendor()
    assert [await order(factory, key, i) for i in (1, 2)] == [200, 200]
    assert await order(factory, key, 3, items=0) == 503  # the oven is full
    assert await order(factory, "not-a-key", 4) == 401
    await chaos(factory, key, "fail")
    assert await order(factory, key, 5) == 500
    await chaos(factory, key, "badjwt")
    assert await order(factory, key, 6) == 200  # a (corrupt) pizza is still signed

    got = await scrape(factory)
    assert sample(got, "orders_signed_total") == 3
    assert sample(got, "order_rejections_total", reason="oven_full") == 1
    assert sample(got, "order_rejections_total", reason="unauthorized") == 1
    assert sample(got, "order_rejections_total", reason="fail") == 1


async def test_chaos_active_follows_the_fault_in_effect_per_vendor(factory: Factory) -> None:
    key = await factory.vendor("pizzeria")
    other = await factory.vendor("other")
    await chaos(factory, key, "fail")
    await order(factory, key, 1)
    await order(factory, other, 1)
    got = await scrape(factory)
    assert sample(got, "chaos_active", vendor="pizzeria", type="fail") == 1
    assert sample(got, "chaos_active", vendor="other", type="fail") is None

    await chaos(factory, key, "throttle")  # replaces the fail fault
    await order(factory, key, 2)
    got = await scrape(factory)
    assert sample(got, "chaos_active", vendor="pizzeria", type="fail") == 0
    assert sample(got, "chaos_active", vendor="pizzeria", type="throttle") == 1


async def test_an_admin_start_and_stop_show_at_once(factory: Factory) -> None:
    await factory.vendor("pizzeria")
    admin = auth(await factory.login("instructor"))
    started = await factory.client.put(
        "/api/admin/chaos/pizzeria/ratelimit", json={"start": "now"}, headers=admin
    )
    assert started.status_code == 200, started.text
    assert sample(await scrape(factory), "chaos_active", vendor="pizzeria", type="ratelimit") == 1
    stopped = await factory.client.delete("/api/admin/chaos/pizzeria", headers=admin)
    assert stopped.json()["stopped"] == 1
    assert sample(await scrape(factory), "chaos_active", vendor="pizzeria", type="ratelimit") == 0
