"""Both apps on real loopback ports: a pizza ordered through the service verifies against the
factory's JWKS (independent PyJWT call); `fail` chaos makes the service's order fail with a
report link; following the link ends it and the next order succeeds. Also: a `reset` outage
really drops the connection over a socket.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from jwtpizza.factory.app import create_app as create_factory
from jwtpizza.factory.demo import ensure_demo_admin, ensure_demo_vendor
from jwtpizza.service.resilience import ResilienceSettings
from tests.support.live import factory_settings, free_port, live_pair, serving, verify_independently

pytestmark = pytest.mark.slow


def test_order_through_the_service_then_fail_chaos_and_its_report_link(tmp_path: Path) -> None:
    # The original's fragile behaviour, so the failure reaches the diner as it did there;
    # with the queue on, the same link comes back in a 202
    # (tests/e2e/service/resilience/test_resilience_faults.py).
    with live_pair(tmp_path, resilience=ResilienceSettings.fragile()) as pair:
        client, factory = pair.shop, pair.factory_url
        login = client.put("/api/auth", json={"email": "d@jwt.com", "password": "diner"})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        body = {
            "franchiseId": 1,
            "storeId": 1,
            "items": [{"menuId": 1, "description": "Veggie", "price": 0.05}],
        }

        first = client.post("/api/order", json=body, headers=headers)
        assert first.status_code == 200, first.text
        claims = verify_independently(factory, first.json()["jwt"])
        assert claims["vendor"]["id"] == "demo"
        assert claims["order"]["id"] == first.json()["order"]["id"]

        pair.start_chaos("fail")
        failed = client.post("/api/order", json=body, headers=headers)
        assert failed.status_code == 500, failed.text
        assert failed.json()["message"] == "Failed to fulfill order at factory"
        link = failed.json()["followLinkToEndChaos"]
        assert link.startswith(f"{factory}/api/support/") and pair.vendor_key not in link

        resolved = httpx.get(link)
        assert resolved.json() == {"message": "Problem resolved. Pizza is back on the menu!"}

        again = client.post("/api/order", json=body, headers=headers)
        assert again.status_code == 200, again.text
        verify_independently(factory, again.json()["jwt"])


def test_a_reset_outage_drops_the_connection(tmp_path: Path) -> None:
    port = free_port()
    settings = factory_settings(tmp_path, port)
    vendor_key = asyncio.run(ensure_demo_vendor(settings))
    admin_key = asyncio.run(ensure_demo_admin(settings))
    order = {"diner": {"id": 1}, "order": {"id": 1, "items": [{"menuId": 1}]}}
    with serving(create_factory(settings), port) as factory:
        started = httpx.put(
            f"{factory}/api/admin/chaos/demo/outage",
            json={"start": "now", "mode": "reset", "durationSeconds": 2},
            headers={"Authorization": f"Bearer {admin_key}"},
        )
        assert started.status_code == 200
        with pytest.raises(httpx.TransportError):
            httpx.post(
                f"{factory}/api/order",
                json=order,
                headers={"Authorization": f"Bearer {vendor_key}"},
            )
        time.sleep(2.1)
        after = httpx.post(
            f"{factory}/api/order", json=order, headers={"Authorization": f"Bearer {vendor_key}"}
        )
        assert after.status_code == 200  # the outage ended by itself
