"""The heartbeat watch on a fake clock: no page while beats arrive, one page when they stop
for longer than the timeout, and the page resolved when they come back."""

from __future__ import annotations

from datetime import timedelta

from jwtpizza.clock import FakeClock
from jwtpizza.ops.heartbeat.watch import ALERTMANAGER, DEAD_MANS_SWITCH, HeartbeatWatch
from jwtpizza.ops.notify.domain import Status
from jwtpizza.ops.notify.payload import WebhookMessage


async def test_a_stopped_heartbeat_pages_once_and_resolves_when_it_is_back() -> None:
    clock = FakeClock()
    sent: list[WebhookMessage] = []

    async def page(message: WebhookMessage) -> None:
        sent.append(message)

    watch = HeartbeatWatch(clock=clock, timeout=60, page=page)
    await watch.check()
    assert sent == [] and watch.beats == {}  # nothing watched before a first beat
    for _ in range(5):
        watch.beat(ALERTMANAGER, clock.now())
        clock.advance(30)
        await watch.check()
    assert sent == []
    clock.advance(30)  # 60 s since the last beat: not longer than the timeout yet
    await watch.check()
    assert sent == []
    clock.advance(1)
    await watch.check()
    await watch.check()
    [paged] = sent
    assert paged.status is Status.FIRING
    assert paged.alerts[0].labels == {
        "alertname": DEAD_MANS_SWITCH, "source": ALERTMANAGER, "severity": "critical",
    }  # fmt: skip
    assert paged.alerts[0].starts_at == clock.now() - timedelta(seconds=1)
    watch.beat(ALERTMANAGER, clock.now())
    await watch.check()
    assert [m.status for m in sent] == [Status.FIRING, Status.RESOLVED]
    assert sent[1].group_key == paged.group_key  # it resolves the same page
