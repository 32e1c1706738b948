"""Rules load, evaluate scraped samples, publish transitions, and show up in the admin API;
a bad rule file is refused with its reason and the loaded rules stay."""

from __future__ import annotations

from pathlib import Path

from jwtpizza.ops.alerts.events import AlertState, AlertTransition
from jwtpizza.ops.monitor.service import now_ms

from ..conftest import MakeOps
from ..ops_kit import World, target

RULES = """
groups:
  - name: pizza
    rules:
      - alert: PizzaFailures
        expr: sum by (job) (increase(pizza_failures_total[1m])) > 0
        for: 10s
        labels: {severity: high}
        annotations:
          summary: "{{ $labels.job }}: {{ $value }} failed pizzas"
          runbook_url: docs/runbooks/PizzaFailures.md
"""


def exposition(failures: int) -> str:
    return f"# TYPE pizza_failures counter\npizza_failures_total {failures}\n"


async def test_alert_goes_pending_firing_resolved_and_is_recorded(
    make_ops: MakeOps, tmp_path: Path
) -> None:
    rules = tmp_path / "pizza.yml"
    rules.write_text(RULES)
    url = "http://svc:3000/metrics"
    world = World(expositions={url: exposition(0)})
    ops = await make_ops(
        world,
        targets=[target("svc", "svc:3000")],
        rule_files=[str(rules)],
        evaluation_interval_seconds=5,
    )
    seen: list[AlertTransition] = []
    ops.context.bus.subscribe(seen.append)

    async def tick(failures: int) -> None:
        world.expositions[url] = exposition(failures)
        t = now_ms(ops.clock)
        await ops.context.monitor.scrape_all(t)
        await ops.rules.evaluate(t)
        await ops.context.bus.flush()
        ops.clock.advance(5)

    for failures in (0, 0, 2, 4, 6, 6):
        await tick(failures)
    states = [(t.previous, t.state) for t in seen]
    assert states == [
        (AlertState.INACTIVE, AlertState.PENDING),
        (AlertState.PENDING, AlertState.FIRING),
    ]
    firing = seen[-1]
    assert firing.labels == {"alertname": "PizzaFailures", "job": "svc", "severity": "high"}
    assert firing.annotations["summary"].startswith("svc: ")
    assert firing.fired_at is not None and firing.active_at is not None
    assert (firing.fired_at - firing.active_at).total_seconds() == 10
    assert [a.labels for a in ops.context.bus.active()] == [firing.labels]

    for _ in range(14):
        await tick(6)
    assert seen[-1].state is AlertState.RESOLVED
    assert ops.context.bus.active() == []

    body = (await ops.client.get("/api/ops/alerts", headers=ops.admin())).json()
    assert [a["state"] for a in body["alerts"]] == ["resolved"]
    assert [h["state"] for h in body["history"]] == ["resolved", "firing", "pending"]
    rules_view = (await ops.client.get("/api/ops/rules", headers=ops.admin())).json()
    [rule] = rules_view["groups"][0]["rules"]
    assert rule["health"] == "ok"
    assert rule["forSeconds"] == 10


async def test_bad_rule_file_is_refused_and_loaded_rules_stay(
    make_ops: MakeOps, tmp_path: Path
) -> None:
    rules = tmp_path / "pizza.yml"
    rules.write_text(RULES)
    ops = await make_ops(rule_files=[str(rules)])
    rules.write_text(RULES.replace("sum by (job)", "topk(3,"))
    response = await ops.client.post("/api/ops/rules/reload", headers=ops.admin())
    assert response.status_code == 400
    assert "PizzaFailures" in response.json()["message"]
    rules.write_text(RULES.replace("sum by (job) (increase", "sort_desc(increase"))
    response = await ops.client.post("/api/ops/rules/reload", headers=ops.admin())
    assert response.status_code == 400
    assert "sort_desc() is not in the evaluated subset" in response.json()["message"]
    rules.write_text("groups: [{name: x, rules: [{alert: A, expr: up, for: soon}]}]")
    response = await ops.client.post("/api/ops/rules/reload", headers=ops.admin())
    assert "'soon' is not a duration" in response.json()["message"]
    view = (await ops.client.get("/api/ops/rules", headers=ops.admin())).json()
    assert [r["name"] for r in view["groups"][0]["rules"]] == ["PizzaFailures"]
