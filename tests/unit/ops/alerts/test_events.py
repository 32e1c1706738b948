"""The alert bus: posted transitions arrive in order, after the poster moved on; a failing
subscriber is skipped; `active()` follows pending/firing and drops resolved alerts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from jwtpizza.ops.alerts.events import AlertBus, AlertState, AlertTransition

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def transition(state: AlertState, job: str = "svc") -> AlertTransition:
    return AlertTransition(
        rule="FactoryChaosErrors", labels={"alertname": "FactoryChaosErrors", "job": job},
        annotations={}, state=state, previous=AlertState.INACTIVE, value=1.0, active_at=T0,
        fired_at=None, resolved_at=None, at=T0,
    )  # fmt: skip


async def test_posted_transitions_arrive_in_order_without_holding_the_poster() -> None:
    bus = AlertBus()
    seen: list[AlertState] = []
    gate = asyncio.Event()

    async def slow(t: AlertTransition) -> None:
        await gate.wait()
        seen.append(t.state)

    bus.subscribe(slow)
    bus.post(transition(AlertState.PENDING))
    bus.post(transition(AlertState.FIRING))
    assert [t.state for t in bus.active()] == [AlertState.FIRING]
    await asyncio.sleep(0)
    assert seen == []
    gate.set()
    await bus.flush()
    assert seen == [AlertState.PENDING, AlertState.FIRING]
    await bus.close()


async def test_a_failing_subscriber_is_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    bus = AlertBus()
    seen: list[str] = []

    def broken(_t: AlertTransition) -> None:
        raise RuntimeError("receiver down")

    bus.subscribe(broken)
    bus.subscribe(lambda t: seen.append(t.labels["job"]))
    bus.post(transition(AlertState.FIRING, job="a"))
    await bus.publish(transition(AlertState.RESOLVED, job="a"))
    await bus.close()
    assert seen == ["a", "a"]
    assert "receiver down" in caplog.text
    assert bus.active() == []
