"""SIGTERM under traffic, as an orchestrator stops a pod: each component, a real process
under a loop of requests, exits within a bound well inside the default 30 s grace, and the
orders it accepted are all in its ledger.

The service is stopped with the factory working and with the factory hung (its calls wait out
their timeouts, clients without `Prefer: respond-async` wait for their pizza): the worst case
is bounded by the request grace plus the kitchen's stop grace."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pytest

from jwtpizza.cli.startup import REQUEST_GRACE_SECONDS
from jwtpizza.factory.demo import ensure_demo_vendor
from tests.support.live import factory_settings, free_port, prepare_service_db
from tests.support.processes import Component, clean_env
from tests.support.resilience import ORDER, Stack, diner_headers, service_env

pytestmark = pytest.mark.slow

# Requests get REQUEST_GRACE_SECONDS, the service's kitchen 5 s more; 5 s of slack for
# a loaded machine. An orchestrator's default grace is 30 s.
SERVICE_BOUND = REQUEST_GRACE_SECONDS + 5 + 5
BOUND = REQUEST_GRACE_SECONDS + 5


def headers_of(options: dict[str, object]) -> dict[str, str]:
    headers = options.get("headers", {})
    assert isinstance(headers, dict)
    return headers


class Traffic(threading.Thread):
    """`clients` loops sending one request after another until stopped; every answer kept."""

    def __init__(self, send: list[tuple[str, str, dict[str, object]]], clients: int = 8) -> None:
        super().__init__(daemon=True)
        self.send, self.clients = send, clients
        self.answers: list[httpx.Response] = []
        self.errors = 0
        self._halt = threading.Event()

    def run(self) -> None:
        asyncio.run(self._loops())

    async def _loops(self) -> None:
        async def loop(n: int) -> None:
            method, url, options = self.send[n % len(self.send)]
            async with httpx.AsyncClient(timeout=60) as client:
                while not self._halt.is_set():
                    # a key of its own for every request (the factory keeps such pizzas)
                    headers = {**headers_of(options), "Idempotency-Key": uuid.uuid4().hex}
                    try:
                        answer = await client.request(
                            method, url, json=options.get("json"), headers=headers
                        )
                        self.answers.append(answer)
                    except httpx.TransportError:
                        self.errors += 1
                        await asyncio.sleep(0.05)

        await asyncio.gather(*(loop(n) for n in range(self.clients)))

    def stop(self) -> None:
        self._halt.set()
        self.join(90)


@contextmanager
def traffic(send: list[tuple[str, str, dict[str, object]]]) -> Iterator[Traffic]:
    loops = Traffic(send)
    loops.start()
    try:
        yield loops
    finally:
        loops.stop()


def stopped_under(component: Component, send: list[tuple[str, str, dict[str, object]]],
                  bound: float) -> tuple[float, Traffic]:  # fmt: skip
    """SIGTERM after 3 s of traffic: the seconds the stop took, and the traffic."""
    with traffic(send) as loops:
        time.sleep(3)
        took = component.terminate(bound)
    assert any(a.status_code < 500 for a in loops.answers), loops.errors
    return took, loops


@pytest.mark.parametrize("factory", ["working", "hung"])
def test_the_service_with_two_workers_stops_in_time_and_keeps_its_accepted_orders(
    factory: str, tmp_path: Path
) -> None:
    stack = Stack(tmp_path)
    stack.start_factory()
    url = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    asyncio.run(prepare_service_db(url))
    port = free_port()
    env = service_env(
        database_url=url, port=port, factory_url=stack.factory, api_key=stack.vendor_key
    )
    service = Component(
        ["service", "--workers", "2"], env, tmp_path / "service.log", f"http://127.0.0.1:{port}"
    ).start()
    assert service.process is not None
    workers = psutil.Process(service.process.pid).children()
    assert len(workers) >= 2
    try:
        headers = diner_headers(service.url)
        if factory == "hung":
            stack.chaos("outage", mode="hang", durationSeconds=120)
        sync = {k: v for k, v in headers.items() if k != "Prefer"}
        order = f"{service.url}/api/order"
        took, loops = stopped_under(
            service,
            [("POST", order, {"json": ORDER, "headers": headers}),
             ("POST", order, {"json": ORDER, "headers": sync})],
            SERVICE_BOUND,
        )  # fmt: skip
    finally:
        service.kill()
        stack.stop_factory()
    assert not [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]
    accepted = {a.json()["order"]["id"] for a in loops.answers if a.status_code in (200, 202)}
    assert accepted or factory == "hung"
    with sqlite3.connect(tmp_path / "service.db") as db:
        stored = {row[0]: row[1] for row in db.execute("SELECT id, status FROM orders")}
    assert accepted <= set(stored), accepted - set(stored)
    print(f"service ({factory} factory) stopped {took:.2f} s after SIGTERM")
    log = (tmp_path / "service.log").read_text()
    assert "Traceback" not in log, log[-3000:]


def test_the_factory_stops_in_time_and_keeps_its_signed_pizzas(tmp_path: Path) -> None:
    port = free_port()
    settings = factory_settings(tmp_path, port)
    key = asyncio.run(ensure_demo_vendor(settings))
    env = clean_env(
        JWTPIZZA_FACTORY_DEMO="true",
        JWTPIZZA_FACTORY_DATABASE_URL=settings.database_url,
    )
    factory = Component(
        ["factory", "--port", str(port)], env, tmp_path / "f.log", f"http://127.0.0.1:{port}"
    ).start()
    order = {
        "diner": {"id": 1, "name": "d", "email": "d@jwt.com"},
        "order": {"id": 1, "franchiseId": 1, "storeId": 1, "items": ORDER["items"]},
    }
    try:
        took, loops = stopped_under(
            factory,
            [
                (
                    "POST",
                    f"{factory.url}/api/order",
                    {"json": order, "headers": {"authorization": f"Bearer {key}"}},
                )
            ],
            BOUND,
        )
    finally:
        factory.kill()
    signed = [a for a in loops.answers if a.status_code == 200]
    assert signed, [a.text for a in loops.answers[:3]]
    with sqlite3.connect(tmp_path / "factory.db") as db:
        (stored,) = db.execute("SELECT COUNT(*) FROM pizza").fetchone()
    assert stored >= len(signed)
    print(f"factory stopped {took:.2f} s after SIGTERM")


def test_ops_stops_in_time(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(JWTPIZZA_OPS_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}")
    ops = Component(
        ["ops", "--port", str(port)], env, tmp_path / "ops.log", f"http://127.0.0.1:{port}"
    ).start()
    try:
        took, _ = stopped_under(ops, [("GET", f"{ops.url}/readyz", {})], BOUND)
    finally:
        ops.kill()
    print(f"ops stopped {took:.2f} s after SIGTERM")


def test_up_stops_every_component_in_time(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("service", "factory", "ops")}
    args = ["up", "--no-traffic", *(f"--{n}-port={p}" for n, p in ports.items())]
    env = clean_env(JWTPIZZA_DATA_DIR=str(tmp_path / "var"), JWTPIZZA_BCRYPT_ROUNDS="4")
    url = f"http://127.0.0.1:{ports['service']}"
    up = Component(args, env, tmp_path / "up.log", url).start(timeout=120)
    assert up.process is not None
    children = psutil.Process(up.process.pid).children(recursive=True)
    try:
        took, _ = stopped_under(up, [("GET", f"{url}/api/order/menu", {})], SERVICE_BOUND)
    finally:
        up.kill()
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    print(f"up stopped {took:.2f} s after SIGTERM")
