"""The ops app starts, migrates, answers health checks, scrapes, and guards admin routes."""

from __future__ import annotations

from jwtpizza.ops.monitor.service import now_ms

from .conftest import MakeOps
from .ops_kit import DINER_TOKEN, World, target

EXPOSITION = """# TYPE pizzas_sold counter
pizzas_sold_total 3
# TYPE queue_depth gauge
queue_depth{queue="orders"} 2
"""


async def test_health_and_own_metrics(make_ops: MakeOps) -> None:
    ops = await make_ops()
    assert (await ops.client.get("/healthz")).json() == {"status": "ok"}
    ready = await ops.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"
    metrics = (await ops.client.get("/metrics")).text
    assert "ops_samples_held" in metrics
    assert "http_requests_total" in metrics


async def test_ops_has_the_edge_of_every_component(make_ops: MakeOps) -> None:
    ops = await make_ops(max_body_bytes=1000)
    page = await ops.client.get("/status")
    assert (
        page.headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in (page.headers["content-security-policy"])
    )
    assert (await ops.client.get("/healthz")).headers["x-content-type-options"] == "nosniff"
    huge = await ops.client.post("/api/ops/alertmanager", content=b"x" * 1001)
    assert huge.status_code == 413 and huge.json() == {"message": "request body too large"}


async def test_scrape_adds_target_labels_and_up(make_ops: MakeOps) -> None:
    world = World(expositions={"http://svc:3000/metrics": EXPOSITION})
    ops = await make_ops(world, targets=[target("jwt-pizza-service", "svc:3000")])
    t = now_ms(ops.clock)
    await ops.context.monitor.scrape_all(t)
    store = ops.context.monitor.store
    [sold] = list(store.select("pizzas_sold_total"))
    assert dict(sold.labels) == {
        "__name__": "pizzas_sold_total",
        "instance": "svc:3000",
        "job": "jwt-pizza-service",
    }
    assert sold.latest(t) == (t, 3.0)
    [up] = list(store.select("up"))
    assert up.latest(t) == (t, 1.0)


async def test_failed_scrape_marks_series_stale_and_up_zero(make_ops: MakeOps) -> None:
    world = World(expositions={"http://svc:3000/metrics": EXPOSITION})
    ops = await make_ops(world, targets=[target("svc", "svc:3000")])
    t = now_ms(ops.clock)
    await ops.context.monitor.scrape_all(t)
    world.expositions["http://svc:3000/metrics"] = None
    await ops.context.monitor.scrape_all(t + 5000)
    store = ops.context.monitor.store
    [sold] = list(store.select("pizzas_sold_total"))
    assert sold.latest(t + 5000) is None
    assert sold.latest(t + 4999) == (t, 3.0)
    [up] = list(store.select("up"))
    assert up.latest(t + 5000) == (t + 5000, 0.0)
    assert (await ops.client.get("/readyz")).json()["targets"] == {"svc": False}


async def test_admin_routes_need_a_service_admin(make_ops: MakeOps) -> None:
    ops = await make_ops()
    assert (await ops.client.get("/api/ops/logs")).status_code == 401
    diner = {"Authorization": f"Bearer {DINER_TOKEN}"}
    assert (await ops.client.get("/api/ops/logs", headers=diner)).status_code == 403
    for _ in range(3):
        assert (await ops.client.get("/api/ops/logs", headers=ops.admin())).status_code == 200
    assert ops.world.me_calls == 2, "one check per token, then the cached answer"
    ops.clock.advance(31)
    assert (await ops.client.get("/api/ops/logs", headers=ops.admin())).status_code == 200
    assert ops.world.me_calls == 3, "the cached answer expires"
