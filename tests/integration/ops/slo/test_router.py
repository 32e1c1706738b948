"""The shipped SLO rules run in ops on scraped samples: `GET /api/ops/slo` gives each SLO's
budget and burn rate (what `jwtpizza slo` prints), and the rules view lists the recording
rules as healthy."""

from __future__ import annotations

from jwtpizza.cli.slo import slo_line
from jwtpizza.ops.monitor.service import now_ms
from jwtpizza.ops.settings import DEFAULT_RULES_DIR

from ..conftest import MakeOps
from ..ops_kit import World, target

URL = "http://svc:3000/metrics"


def exposition(orders: int, failed: int) -> str:
    return (
        "# TYPE http_requests counter\n"
        f'http_requests_total{{method="POST",route="/api/order",status="200"}} {orders}\n'
        "# TYPE orders_failed counter\n"
        f'orders_failed_total{{reason="outage"}} {failed}\n'
        'orders_failed_total{reason="oven_full"} 0\n'
    )


async def test_budget_and_burn_rate_per_slo(make_ops: MakeOps) -> None:
    world = World(expositions={URL: exposition(0, 0)})
    ops = await make_ops(
        world,
        targets=[target("svc", "svc:3000")],
        rule_files=[str(DEFAULT_RULES_DIR / "slo.yml")],
        evaluation_interval_seconds=15,
    )
    assert (await ops.client.get("/api/ops/slo", headers=ops.admin())).json() == []
    for step in range(21):  # 5 minutes: 100 orders and 1 failure every 15 s
        world.expositions[URL] = exposition(100 * step, step)
        t = now_ms(ops.clock)
        await ops.context.monitor.scrape_all(t)
        await ops.rules.evaluate(t)
        ops.clock.advance(15)
    response = await ops.client.get("/api/ops/slo", headers=ops.admin())
    assert response.status_code == 200
    by_slo = {entry["slo"]: entry for entry in response.json()}
    orders = by_slo["order-success"]
    assert orders["objective"] == 0.995
    assert abs(orders["currentBurnRate"] - 2.0) < 1e-6  # 1% failing, a 0.5% budget
    assert orders["budgetRemaining"] < 0  # the whole (5-minute) history burned at 2x
    assert by_slo["menu-availability"]["currentBurnRate"] is None  # no menu traffic
    line = slo_line(orders)
    assert line.startswith("order-success") and "objective  99.50%" in line
    assert "burn 2.00x now" in line
    rules = (await ops.client.get("/api/ops/rules", headers=ops.admin())).json()
    recording = [r for g in rules["groups"] for r in g["rules"] if r["type"] == "recording"]
    assert len(recording) == 4 * 15 and {r["health"] for r in recording} == {"ok"}
    # The public status page states each SLO's budget and burn too (no login).
    public = (await ops.client.get("/api/status")).json()
    budgets = {entry["slo"]: entry for entry in public["errorBudgets"]}
    assert abs(budgets["order-success"]["currentBurnRate"] - 2.0) < 1e-6
    assert budgets["order-success"]["budgetRemaining"] < 0
    page = (await ops.client.get("/status")).text
    assert "<h2>Error budgets</h2>" in page
    assert "order-success (objective 99.5%)" in page and "burning 2.00x" in page
