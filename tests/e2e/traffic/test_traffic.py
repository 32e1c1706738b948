"""The traffic simulator against the real service and factory on loopback ports, in compressed time.

Only the simulator's clock is compressed (ScaledClock); the apps run in real time, with the
service's own failed-login limits: the compressed bad-login loop trips them (429, expected)
and the other visitors still log in.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from jwtpizza.clock import ScaledClock
from jwtpizza.factory.app import create_app as create_factory
from jwtpizza.factory.demo import ensure_demo_vendor
from jwtpizza.service.app import create_app as create_service
from jwtpizza.service.settings import ServiceSettings
from jwtpizza.traffic import OrderOutcome, TrafficConfig, run_traffic
from tests.support.live import factory_settings, free_port, prepare_service_db, serving
from tests.support.readme_driver import UP_STOP_BOUND_SECONDS

pytestmark = pytest.mark.slow
SPEED = 60.0  # ten minutes of the original's traffic in ten seconds


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(service URL, factory URL): both apps running; the oven refuses big orders in 0.2 s."""
    factory_port, service_port = free_port(), free_port()
    fsettings = factory_settings(tmp_path, factory_port).model_copy(
        update={"order_delay_seconds": 0.2}
    )
    vendor_key = asyncio.run(ensure_demo_vendor(fsettings))
    service_db = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    asyncio.run(prepare_service_db(service_db))
    ssettings = ServiceSettings(
        factory_url=fsettings.base_url(),
        factory_api_key=vendor_key,
        demo=True,
        database_url=service_db,
        bcrypt_rounds=4,
        login_max_failures=2,  # 2 failures per account, 12 per address, a minute
    )
    with (
        serving(create_factory(fsettings), factory_port) as factory,
        serving(create_service(ssettings), service_port) as service,
    ):
        yield service, factory


def ledger(service: str) -> dict[str, int]:
    body = httpx.get(f"{service}/api/health/integrity").json()
    assert body["ok"], body
    counts: dict[str, int] = body["ordersByStatus"]
    return counts


async def drive(config: TrafficConfig, speed: float = SPEED) -> Any:
    run = run_traffic(config, clock=ScaledClock(speed))
    return await run.finished()


def test_the_mix_against_the_real_shop_matches_the_order_ledger(shop: tuple[str, str]) -> None:
    service, factory = shop
    before = ledger(service)
    config = TrafficConfig(target=service, factory=factory, duration_seconds=600, seed=7)
    stats = asyncio.run(drive(config))
    after = ledger(service)

    new = {status: after.get(status, 0) - before.get(status, 0) for status in after}
    assert stats.errors == {}, stats.errors
    assert stats.orders[OrderOutcome.FAILED] == 0
    assert stats.orders[OrderOutcome.FAILED_BY_DESIGN] >= 2  # every 5 minutes, from the start
    assert new.get("rejected", 0) == stats.orders[OrderOutcome.FAILED_BY_DESIGN]
    made = stats.orders[OrderOutcome.MADE] + stats.orders[OrderOutcome.QUEUED]
    assert made > 0
    assert sum(new.get(s, 0) for s in ("fulfilled", "queued", "pending")) == made
    assert stats.checks["the 22-pizza order fails"].failed == 0
    assert stats.checks["pizza is valid"].passed == stats.orders[OrderOutcome.MADE]
    # The mix's pace: the menu every 3 s is about 200 visits in 10 minutes; diners every 50 s.
    assert 160 <= stats.visits["menu"] <= 240
    assert 9 <= stats.visits["diner"] <= 15
    assert {"register", "history", "browse", "admin", "franchisee"} <= set(stats.visits)
    # 25 bad logins in 10 s trip the account's limit (429, the limiter at work); a refused
    # attempt is not another failure, so the address's limit stays clear for everyone else.
    logins = stats.endpoints["PUT /api/auth"]
    assert logins.statuses[429] >= 10 and logins.errors == 0
    assert logins.statuses[200] == sum(
        stats.visits[p] for p in ("diner", "big-order", "history", "franchisee", "admin")
    )


def test_load_stages_ramp_virtual_users_and_report_latency(shop: tuple[str, str]) -> None:
    service, factory = shop
    from jwtpizza.traffic import parse_stages

    config = TrafficConfig(
        target=service, factory=factory, stages=parse_stages("3s:3,4s:3,2s:0"), seed=1,
        think_seconds=0.2,
    )  # fmt: skip
    stats = asyncio.run(drive(config, speed=1.0))
    endpoints = {row.endpoint: row for row in stats.summary()}
    assert endpoints["PUT /api/auth"].requests >= 3
    assert endpoints["POST /api/order"].p99_ms >= endpoints["POST /api/order"].p50_ms > 0
    assert stats.checks["logged in"].failed == 0
    assert stats.checks["pizza bought"].passed > 0
    assert stats.errors == {}


def test_a_target_that_is_down_is_counted_not_fatal() -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    config = TrafficConfig(target=nowhere, factory=nowhere, duration_seconds=120, seed=3)
    stats = asyncio.run(drive(config, speed=120))
    assert stats.errors["connection refused"] == stats.requests > 30
    assert sum(stats.orders.values()) == 0


def broken_shop() -> FastAPI:
    """Everything answers 503, and logins hang longer than the simulator waits."""
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "PUT", "POST", "DELETE"])
    async def broken(path: str, request: Request) -> Response:
        if request.method == "PUT" and path == "api/auth":
            await asyncio.sleep(2)
        return Response('{"message": "down"}', status_code=503)

    return app


def test_errors_are_counted_by_kind() -> None:
    with serving(broken_shop(), free_port()) as target:
        config = TrafficConfig(
            target=target, duration_seconds=60, seed=3, timeout_seconds=0.3,
            mix={"menu": 3.0, "diner": 20.0},
        )  # fmt: skip
        stats = asyncio.run(drive(config, speed=30))
    assert stats.errors["HTTP 503"] >= 10
    assert stats.errors["timeout"] >= 2
    assert stats.checks["status as expected"].passed == 0


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            assert time.monotonic() < deadline, f"{url} did not come up"
            time.sleep(0.1)


def menu_requests(service: str) -> float:
    """How many menu reads the service has answered, from its own metrics."""
    metrics = httpx.get(f"{service}/metrics").text
    pattern = r'http_requests_total\{[^}]*route="/api/order/menu"[^}]*\} ([\d.e+]+)'
    return sum(float(n) for n in re.findall(pattern, metrics))


@pytest.mark.parametrize("flags", [[], ["--no-traffic"]], ids=["traffic", "no-traffic"])
def test_up_runs_the_simulator_unless_told_not_to(tmp_path: Path, flags: list[str]) -> None:
    service_port, factory_port, ops_port = free_port(), free_port(), free_port()
    env = {**os.environ, "JWTPIZZA_DATA_DIR": str(tmp_path / "var")}
    args = ["--service-port", str(service_port), "--factory-port", str(factory_port),
            "--ops-port", str(ops_port), *flags]  # fmt: skip
    up = subprocess.Popen(
        [str(Path(sys.executable).parent / "jwtpizza"), "up", *args],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    service = f"http://127.0.0.1:{service_port}"
    try:
        wait_for(f"{service}/healthz")
        time.sleep(4)  # the menu persona reads the menu every 3 s
        seen = menu_requests(service)
    finally:
        up.send_signal(signal.SIGINT)
        try:  # up gives requests under way up to 35 s (it says so), then stops
            output, _ = up.communicate(timeout=UP_STOP_BOUND_SECONDS)
        except subprocess.TimeoutExpired:
            up.kill()
            output, _ = up.communicate()
            raise AssertionError(f"up still running 45 s after Ctrl-C:\n{output}") from None
    assert up.returncode in (0, 130), output  # 130: ended by SIGINT, as a shell reports Ctrl-C
    if flags:
        assert seen == 0 and "traffic " not in output
    else:
        assert seen >= 1 and "traffic " in output
    assert "Traceback" not in output


def test_ctrl_c_stops_the_simulator_with_its_summary() -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    command = [str(Path(sys.executable).parent / "jwtpizza"), "traffic", "--target", nowhere]
    traffic = subprocess.Popen(
        [*command, "--seed", "4"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "120"},
    )  # fmt: skip
    assert traffic.stdout is not None
    warning = traffic.stdout.readline()  # printed just before the run starts
    time.sleep(2)
    traffic.send_signal(signal.SIGINT)
    output, _ = traffic.communicate(timeout=30)
    assert traffic.returncode == 0, warning + output
    assert "does not answer" in warning
    assert "connection refused" in output
    assert "GET /api/order/menu" in output and "p99 ms" in output
    assert "rerun the same visits with --seed 4" in output
    assert "Traceback" not in output
