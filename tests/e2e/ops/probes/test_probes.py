"""The synthetic order probe against the real service and factory: a healthy stack passes
every step and verifies its pizza; a broken step is named; both show on the metrics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry, generate_latest
from pydantic import SecretStr

from jwtpizza.ops.probes import OrderProbe, ProbeSettings
from tests.support.live import live_pair


async def probe_once(service: str, factory: str, password: str) -> tuple[object, str]:
    registry = CollectorRegistry()
    async with httpx.AsyncClient() as http:
        probe = OrderProbe(
            http=http, service_url=service, factory_url=factory, registry=registry,
            settings=ProbeSettings(email="d@jwt.com", password=SecretStr(password)),
        )  # fmt: skip
        result = await probe.run_once()
    return result, generate_latest(registry).decode()


def test_the_probe_orders_and_verifies_a_pizza_and_names_the_step_that_fails(
    tmp_path: Path,
) -> None:
    with live_pair(tmp_path, factory_overrides={"order_delay_seconds": 0.0}) as pair:
        good, metrics = asyncio.run(probe_once(pair.service_url, pair.factory_url, "diner"))
        orders = pair.shop.put("/api/auth", json={"email": "d@jwt.com", "password": "diner"})
        token = orders.json()["token"]
        history = pair.shop.get("/api/order", headers={"Authorization": f"Bearer {token}"})
        bad, bad_metrics = asyncio.run(probe_once(pair.service_url, pair.factory_url, "nope"))
    assert good.success and good.failed_step is None  # type: ignore[attr-defined]
    assert 'probe_success{probe="order"} 1.0' in metrics
    assert 'probe_duration_seconds{probe="order"}' in metrics
    assert len(history.json()["orders"]) == 1  # the probe's pizza, made and verified
    assert not bad.success and bad.failed_step == "login"  # type: ignore[attr-defined]
    assert bad.reason == "HTTP 404"  # type: ignore[attr-defined]
    assert 'probe_success{probe="order"} 0.0' in bad_metrics
    assert 'probe_failed_step{probe="order",step="login"} 1.0' in bad_metrics
