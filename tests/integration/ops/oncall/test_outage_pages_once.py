"""One outage, one firing, one page: the shipped rules on a scraped service whose breaker
opens and half-opens for four minutes with no factory call getting through, and whose
queue ages meanwhile. Real rules and evaluator, real SQLite, a real local HTTP receiver
for the pages, a fake clock stepping one scrape (15 s) at a time."""

from __future__ import annotations

from jwtpizza.ops.alerts.events import AlertState, AlertTransition
from jwtpizza.ops.monitor.service import now_ms
from jwtpizza.ops.settings import default_rule_files

from ..ops_kit import World, target
from .conftest import MakePaging, PagingOps

URL = "http://svc:3000/metrics"
STEP = 15


def exposition(timeouts: int, breaker: int, queue_age: float) -> str:
    return (
        "# TYPE factory_calls counter\n"
        f'factory_calls_total{{reason="timeout"}} {timeouts}\n'
        f'factory_calls_total{{reason="ok"}} 100\n'
        "# TYPE breaker_state gauge\n"
        f'breaker_state{{dependency="factory"}} {breaker}\n'
        "# TYPE queue_oldest_age_seconds gauge\n"
        f'queue_oldest_age_seconds{{queue="orders"}} {queue_age}\n'
    )


def outage() -> list[str]:
    """Scrapes 15 s apart: quiet, three failing calls, the breaker open and half-open in
    turn for four minutes (one trial call in all) while an order waits, then recovery."""
    quiet = [exposition(0, 0, 0)] * 4
    failing = [exposition(n, 0, 0) for n in (2, 4, 6)]
    # a half-open trial call fails at the end (the 15th held scrape, 3.5 min in)
    held = [exposition(6 + (i >= 14), (2, 2, 1)[i % 3], STEP * (i + 1)) for i in range(16)]
    return quiet + failing + held + [exposition(7, 0, 0)] * 16


async def step(p: PagingOps, world: World, text: str) -> None:
    world.expositions[URL] = text
    t = now_ms(p.ops.clock)
    await p.ops.context.monitor.scrape_all(t)
    await p.ops.rules.evaluate(t)
    await p.ops.context.bus.flush()
    await p.tick(STEP)


async def test_an_outage_behind_an_open_breaker_fires_once_and_pages_once(
    make_paging: MakePaging,
) -> None:
    world = World(expositions={URL: exposition(0, 0, 0)})
    p = await make_paging(world=world, ops={
        "targets": [target("jwt-pizza-service", "svc:3000")],
        "rule_files": default_rule_files(), "evaluation_interval_seconds": STEP,
    })  # fmt: skip
    seen: list[AlertTransition] = []
    p.ops.context.bus.subscribe(seen.append)
    for text in outage():
        await step(p, world, text)

    def firings(rule: str) -> int:
        return sum(t.rule == rule and t.state is AlertState.FIRING for t in seen)

    assert firings("FactoryUnreachable") == 1  # it fired and held through the open breaker
    assert firings("FactoryCircuitOpen") == 1  # the half-open spells did not resolve it
    assert firings("OrdersQueuedTooLong") == 1
    # The dead man's switch always fires.
    assert all(t.state is not AlertState.FIRING or t.rule in (
        "FactoryUnreachable", "FactoryCircuitOpen", "OrdersQueuedTooLong", "Watchdog"
    ) for t in seen)  # fmt: skip
    resolved = {t.rule for t in seen if t.state is AlertState.RESOLVED}
    assert resolved == {"FactoryUnreachable", "FactoryCircuitOpen", "OrdersQueuedTooLong"}

    incidents = (await p.ops.client.get("/api/ops/incidents", headers=p.ops.admin())).json()
    [incident] = incidents
    shown = await p.ops.client.get(f"/api/ops/incidents/{incident['id']}", headers=p.ops.admin())
    assert shown.json()["pages"] == 1
    assert len(p.paths("alice")) == 1  # three alerts, one page to the on-call
    pages = (await p.ops.client.get("/api/ops/pages", headers=p.ops.admin())).json()
    assert [page["status"] for page in pages] == ["resolved"]
