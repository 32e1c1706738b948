"""A whole run against the stand-in shop in process (ASGITransport), in compressed time:
the same seed makes the same requests; the counters add up."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx

from jwtpizza.clock import ScaledClock
from jwtpizza.testing.stub_shop import create_stub_shop
from jwtpizza.traffic import OrderOutcome, TrafficConfig, TrafficStats, parse_stages, run_traffic

Request = tuple[str, str, str]


async def requests_of(seed: int, **overrides: Any) -> tuple[list[Request], TrafficStats]:
    seen: list[Request] = []

    def record(method: str, path: str, body: dict[str, Any]) -> None:
        # Registration emails carry the run's start time, so runs never collide: leave it out.
        text = re.sub(r"traffic-[\w-]+@", "traffic-@", json.dumps(body, sort_keys=True))
        seen.append((method, path, text))

    config = TrafficConfig(
        target="http://shop.test", factory="http://shop.test", seed=seed, **overrides
    )
    transport = httpx.ASGITransport(app=create_stub_shop(record))
    run = run_traffic(config, clock=ScaledClock(1200), transport=transport)
    stats = await run.finished()
    return sorted(seen), stats


async def test_the_same_seed_makes_the_same_requests() -> None:
    first, stats = await requests_of(11, duration_seconds=900)
    again, _ = await requests_of(11, duration_seconds=900)
    other, _ = await requests_of(12, duration_seconds=900)
    assert len(first) > 300
    assert first == again
    assert first != other
    assert stats.requests == len(first)


async def test_counters_add_up_and_the_big_order_fails_by_design() -> None:
    seen, stats = await requests_of(3, duration_seconds=900)
    orders = [r for r in seen if r[:2] == ("POST", "/api/order")]
    big = [r for r in orders if len(json.loads(r[2])["items"]) == 22]
    assert len(big) == stats.orders[OrderOutcome.FAILED_BY_DESIGN] >= 3
    assert len(orders) - len(big) == stats.orders[OrderOutcome.MADE]
    assert stats.errors == {}
    assert stats.checks["pizza is valid"].passed == stats.orders[OrderOutcome.MADE]
    logins = sum(1 for r in seen if r[:2] == ("PUT", "/api/auth") and "unknown" not in r[2])
    logouts = sum(1 for r in seen if r[:2] == ("DELETE", "/api/auth"))
    registrations = sum(1 for r in seen if r[:2] == ("POST", "/api/auth"))
    assert logouts == logins + registrations  # every session ends, even when the run stops


def logouts(stats: TrafficStats) -> int:
    return stats.endpoints["DELETE /api/auth"].requests


async def test_stopping_a_run_ends_its_visits_quickly() -> None:
    # No duration: until stopped. The franchisee's first visit comes within 12 s.
    config = TrafficConfig(target="http://shop.test", seed=1, mix={"franchisee": 120, "menu": 3})
    transport = httpx.ASGITransport(app=create_stub_shop())
    run = run_traffic(config, clock=ScaledClock(100), transport=transport)
    await asyncio.sleep(0.3)  # 30 s at speed 100
    run.stop()
    stats = await run.finished()
    assert stats.requests > 0
    assert stats.elapsed_seconds < 100  # the franchisee logged out without its 110 s stay
    assert stats.visits["franchisee"] == logouts(stats) == 1


async def odd_shop(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 200 to everything, with a menu whose entries lack every field."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    if scope["path"] == "/api/order/menu":
        payload: Any = [{"nope": 1}]
    else:
        payload = {
            "token": "t",
            "user": {"id": 1},
            "franchises": [{"id": 1, "stores": [{"id": 2}]}],
        }
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": json.dumps(payload).encode()})


async def test_an_answer_of_the_wrong_shape_is_counted_and_the_run_goes_on() -> None:
    config = TrafficConfig(
        target="http://shop.test", seed=2, duration_seconds=300, mix={"diner": 50, "menu": 3}
    )
    run = run_traffic(config, clock=ScaledClock(600), transport=httpx.ASGITransport(app=odd_shop))
    stats = await run.finished()
    assert stats.errors["unexpected answer (KeyError)"] == stats.visits["diner"] >= 5
    assert stats.visits["menu"] >= 90  # the run kept its schedule to the end


async def test_virtual_users_survive_answers_of_the_wrong_shape() -> None:
    config = TrafficConfig(
        target="http://shop.test", seed=2, stages=parse_stages("20s:3,20s:3"), think_seconds=1
    )
    run = run_traffic(config, clock=ScaledClock(20), transport=httpx.ASGITransport(app=odd_shop))
    stats = await run.finished()
    assert stats.errors["unexpected answer (KeyError)"] >= 3
    assert stats.elapsed_seconds >= 40  # the run lasted its stages
