"""Alert state saved by one ops and restored by the next, on every database backend: a
firing alert comes back firing with its times, a pending one keeps counting its `for` from
when it started, and a resolved one is no longer saved."""

from __future__ import annotations

from jwtpizza.db import Database
from jwtpizza.ops.alerts.events import AlertBus, AlertState
from jwtpizza.ops.migrations import upgrade
from jwtpizza.ops.monitor.store import SampleStore
from jwtpizza.ops.rules.held_alerts import AlertStates
from jwtpizza.ops.rules.loader import load_text
from jwtpizza.ops.rules.service import RuleManager

RULES = """
groups:
  - name: g
    rules:
      - {alert: Broken, expr: broken > 0, for: 2m, labels: {severity: critical}}
"""
MINUTE = 60_000


def manager(store: SampleStore) -> RuleManager:
    rules = RuleManager(store=store, bus=AlertBus(), default_interval_seconds=60)
    rules.install(load_text(RULES, source="r.yml"))
    return rules


def states(rules: RuleManager) -> list[tuple[str, str, int, int | None]]:
    return sorted(
        (dict(a.labels)["i"], a.state.value, a.active_at, a.fired_at) for _, a in rules.alerts()
    )


async def test_alert_state_survives_a_restart(database_url: str) -> None:
    db = Database(database_url)
    await upgrade(db)
    store = SampleStore(retention_ms=10**9, max_samples_per_series=100)
    first = manager(store)
    try:
        for minute, broken in enumerate([(1, 0, 1), (1, 1, 1), (1, 1, 1)]):
            for i, value in enumerate(broken):
                store.add((("__name__", "broken"), ("i", str(i))), minute * MINUTE, value)
            first.step(first.groups[0], minute * MINUTE)
        await AlertStates(db).save(first)  # i=0 firing since 2, i=1 pending since 1
        store.add((("__name__", "broken"), ("i", "2")), 3 * MINUTE, 0)  # i=2 goes away...
        store.add((("__name__", "broken"), ("i", "0")), 3 * MINUTE, 1)
        store.add((("__name__", "broken"), ("i", "1")), 3 * MINUTE, 1)
        saver = AlertStates(db)
        await saver.restore(manager(store))
        first.step(first.groups[0], 3 * MINUTE)
        assert await saver.save(first)

        second = manager(store)
        firing = await AlertStates(db).restore(second)
        assert states(second) == [
            ("0", "firing", 0, 2 * MINUTE),
            ("1", "firing", MINUTE, 3 * MINUTE),
        ]
        assert sorted((rule, dict(a.labels)["i"]) for rule, a in firing) == [
            ("Broken", "0"),
            ("Broken", "1"),
        ]
        # The next evaluation of the restored rules changes nothing: no new pending.
        for i in ("0", "1"):
            store.add((("__name__", "broken"), ("i", i)), 4 * MINUTE, 1)
        assert second.step(second.groups[0], 4 * MINUTE) == []
        assert all(a.state is AlertState.FIRING for _, a in second.alerts())
    finally:
        await db.dispose()
