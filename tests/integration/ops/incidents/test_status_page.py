"""The status page: public, current incidents with their public updates and component health,
and nothing internal."""

from __future__ import annotations

from jwtpizza.ops.monitor.service import now_ms

from ..ops_kit import target
from .conftest import MakeIncidentOps
from .kit import IncidentWorld

EXPOSITION = "# TYPE queue_depth gauge\nqueue_depth 0\n"


async def test_public_updates_and_health_but_nothing_internal(
    make_incident_ops: MakeIncidentOps,
) -> None:
    world = IncidentWorld(expositions={"http://svc:3000/metrics": EXPOSITION,
                                       "http://fac:4000/metrics": None})  # fmt: skip
    ops = await make_incident_ops(
        world, ops={"targets": [target("jwt-pizza-service", "svc:3000"),
                                target("jwt-pizza-factory", "fac:4000")]},
    )  # fmt: skip
    await ops.context.monitor.scrape_all(now_ms(ops.clock))
    assert (await ops.client.get("/api/status")).json()["status"] == "operational"

    headers = ops.admin()
    made = await ops.client.post(
        "/api/ops/incidents", headers=headers,
        json={"title": "db password rotated by bob", "commander": "bob"},
    )  # fmt: skip
    n = made.json()["id"]
    ops.clock.advance(10)
    public = {"text": "Orders are delayed; we are on it", "public": True}
    await ops.client.post(f"/api/ops/incidents/{n}/notes", headers=headers, json=public)
    await ops.client.post(f"/api/ops/incidents/{n}/notes", headers=headers,
                          json={"text": "see http://internal/logs?q=secret"})  # fmt: skip
    await ops.client.post(f"/api/ops/incidents/{n}/links", headers=headers,
                          json={"url": "http://grafana/internal", "title": "dash"})  # fmt: skip

    body = (await ops.client.get("/api/status")).json()
    assert body["status"] == "degraded"
    assert body["components"] == {"jwt-pizza-service": "up", "jwt-pizza-factory": "down"}
    [incident] = body["incidents"]
    assert [u["text"] for u in incident["updates"]] == [
        "We are investigating a problem.", "Orders are delayed; we are on it"
    ]  # fmt: skip
    page = (await ops.client.get("/status")).text
    for text in (str(body), page):
        assert "bob" not in text and "password" not in text and "http://" not in text
    assert "Orders are delayed; we are on it" in page and "jwt-pizza-factory" in page

    await ops.client.post(f"/api/ops/incidents/{n}/resolve", headers=headers)
    ops.clock.advance(10)  # past the status page's cache
    after = (await ops.client.get("/api/status")).json()
    assert after["status"] == "operational"
    assert after["incidents"][0]["updates"][-1]["text"] == "The problem is resolved."
