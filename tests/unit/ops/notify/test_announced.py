"""Announced chaos as mute windows: from the fault's start until `grace` after its end,
alerts of the pizza path are muted; other alerts, and unannounced faults, are not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from jwtpizza.clock import FakeClock
from jwtpizza.ops.notify.announced import AnnouncedWindows

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SERVICE = {"alertname": "FactoryChaosErrors", "component": "service"}


def event(fault: int, kind: str, seconds: float, *, announced: bool) -> dict[str, Any]:
    at = (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")
    return {"id": f"{fault}:{kind}", "faultId": fault, "vendorId": "demo", "type": "fail",
            "event": kind, "announced": announced, "time": at}  # fmt: skip


async def windows_from(events: list[dict[str, Any]]) -> AnnouncedWindows:
    async def read(_since: datetime) -> list[dict[str, Any]]:
        return events

    windows = AnnouncedWindows(read=read, clock=FakeClock(T0), grace=60)
    await windows.refresh()
    return windows


def muted(windows: AnnouncedWindows, seconds: float, labels: dict[str, str] = SERVICE) -> bool:
    now = T0 + timedelta(seconds=seconds)
    return any(w.mutes(labels, now) for w in windows.windows(now))


async def test_an_announced_fault_mutes_from_its_start_to_grace_after_its_end() -> None:
    windows = await windows_from([
        event(1, "initiated", 0, announced=True), event(1, "started", 10, announced=True),
        event(1, "ended", 100, announced=True),
    ])  # fmt: skip
    assert [muted(windows, s) for s in (5, 10, 100, 159, 160)] == [False, True, True, True, False]
    assert not muted(windows, 50, {"alertname": "HostCpuHigh", "scope": "host"})


async def test_a_running_announced_fault_mutes_until_it_ends_and_unannounced_never() -> None:
    windows = await windows_from([
        event(1, "started", 0, announced=True), event(2, "started", 0, announced=False),
    ])  # fmt: skip
    assert muted(windows, 86400)
    assert [f.fault_id for f in windows.faults] == [1]


async def test_an_unreadable_feed_keeps_the_windows_it_had() -> None:
    feed = [event(1, "started", 0, announced=True)]

    async def read(_since: datetime) -> list[dict[str, Any]]:
        return list(feed)

    windows = AnnouncedWindows(read=read, clock=FakeClock(T0), grace=60)
    await windows.refresh()
    feed.clear()  # the feed answers nothing (unreachable)
    await windows.refresh()
    assert muted(windows, 30)
