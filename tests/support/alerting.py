"""Real processes for the alerting end-to-end tests: one factory, one pizza service per
"lane" (each with its own vendor, database and traffic), and ops scraping them all with the
game-day profile (5 s scrape and evaluation, `for` capped at 5 s).

Each lane's service is scraped under its own job name, so one lane's fault raises alerts
labelled with that job only, and every chaos type can run at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from jwtpizza.db import Database
from jwtpizza.factory.demo import ensure_demo_admin, ensure_vendor
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.factory.vendors.schemas import VendorCreate
from tests.support.live import free_port, prepare_service_db
from tests.support.processes import Component
from tests.support.resilience import service_env

ORDER = {"franchiseId": 1, "storeId": 1, "items": [{"menuId": 1, "description": "Veggie"}]}


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}


@dataclass
class Lane:
    """One pizza service ordering as its own vendor, scraped as job `job`."""

    name: str
    vendor: str
    url: str
    job: str


@dataclass
class AlertingStack:
    factory_url: str
    ops_url: str
    admin_key: str
    lanes: dict[str, Lane]
    ops_token: str = ""

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}

    def start_chaos(self, lane: Lane, chaos_type: str, **body: Any) -> dict[str, Any]:
        response = httpx.put(
            f"{self.factory_url}/api/admin/chaos/{lane.vendor}/{chaos_type}",
            json={"start": "now", **body},
            headers=self.admin(),
            timeout=30,
        )
        assert response.status_code == 200, response.text
        fault: dict[str, Any] = response.json()
        return fault

    def chaos_started(self, vendor: str, chaos_type: str) -> datetime:
        """When the factory says the vendor's fault of this type started."""
        response = httpx.get(
            f"{self.factory_url}/api/chaos/events", headers=self.admin(), timeout=30
        )
        starts = [
            datetime.fromisoformat(e["time"])
            for e in response.json()["events"]
            if e["vendorId"] == vendor and e["type"] == chaos_type and e["event"] == "started"
        ]
        assert starts, f"no start event for {vendor}/{chaos_type}"
        return max(starts)

    def alerts(self) -> dict[str, Any]:
        response = httpx.get(
            f"{self.ops_url}/api/ops/alerts",
            params={"limit": 1000},
            headers={"Authorization": f"Bearer {self.ops_token}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def _login(url: str, email: str, password: str) -> str:
    response = httpx.put(f"{url}/api/auth", json={"email": email, "password": password}, timeout=30)
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def _factory_env(tmp_path: Path, port: int, order_delay: float) -> dict[str, str]:
    return _base_env() | {
        "JWTPIZZA_FACTORY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'factory.db'}",
        "JWTPIZZA_FACTORY_PORT": str(port),
        "JWTPIZZA_FACTORY_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "JWTPIZZA_FACTORY_DEMO": "true",
        "JWTPIZZA_FACTORY_ORDER_DELAY_SECONDS": str(order_delay),
        "JWTPIZZA_OBS_LOG_STORE_SIZE": "500",
    }


def _ops_env(tmp_path: Path, port: int, service_url: str, lanes: list[Lane]) -> dict[str, str]:
    targets = [
        {"job": lane.job, "url": f"{lane.url}/metrics", "labels": {"component": "service"}}
        for lane in lanes
    ]
    return _base_env() | {
        "JWTPIZZA_DATA_DIR": str(tmp_path / "ops-data"),
        "JWTPIZZA_OPS_PORT": str(port),
        "JWTPIZZA_OPS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}",
        "JWTPIZZA_OPS_SERVICE_URL": service_url,
        "JWTPIZZA_OPS_TARGETS": json.dumps(targets),
        "JWTPIZZA_OPS_PROFILE": "game-day",
        "JWTPIZZA_OBS_LOG_STORE_SIZE": "500",
    }


async def _prepare(tmp_path: Path, factory: FactorySettings, names: list[str]) -> list[str]:
    await ensure_demo_admin(factory)
    keys = []
    db = Database(factory.database_url, pooled=False)
    try:
        for name in names:
            vendor = VendorCreate(id=f"v-{name}", name=f"lane {name}", email=f"{name}@jwt.com")
            keys.append(await ensure_vendor(db, vendor, now=datetime.now().astimezone()))
    finally:
        await db.dispose()
    for name in names:
        await prepare_service_db(f"sqlite+aiosqlite:///{tmp_path / f'service-{name}.db'}")
    return keys


@contextmanager
def alerting_stack(
    tmp_path: Path, lane_names: list[str], *, order_delay: float = 2.0
) -> Iterator[AlertingStack]:
    """The factory, one service per lane and ops (game day), all as child processes."""
    factory_port, ops_port = free_port(), free_port()
    factory_url = f"http://127.0.0.1:{factory_port}"
    fsettings = FactorySettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'factory.db'}", demo=True
    )
    keys = asyncio.run(_prepare(tmp_path, fsettings, lane_names))
    admin_key = asyncio.run(ensure_demo_admin(fsettings))
    lanes, children = [], []
    factory = Component(
        ["factory"], _factory_env(tmp_path, factory_port, order_delay),
        tmp_path / "factory.log", factory_url, ready_path="/",
    )  # fmt: skip
    children.append(factory)
    for name, key in zip(lane_names, keys, strict=True):
        port = free_port()
        env = service_env(
            database_url=f"sqlite+aiosqlite:///{tmp_path / f'service-{name}.db'}",
            port=port, factory_url=factory_url, api_key=key,
        )  # fmt: skip
        env["JWTPIZZA_OBS_LOG_STORE_SIZE"] = "500"
        lane = Lane(name, f"v-{name}", f"http://127.0.0.1:{port}", f"svc-{name}")
        lanes.append(lane)
        # One worker per lane, said outright: each worker keeps its own counters, so a
        # scrape of several would see whichever worker answered.
        service = ["service", "--workers", "1"]
        children.append(Component(service, env, tmp_path / f"service-{name}.log", lane.url))
    ops = Component(
        ["ops"], _ops_env(tmp_path, ops_port, lanes[0].url, lanes),
        tmp_path / "ops.log", f"http://127.0.0.1:{ops_port}",
    )  # fmt: skip
    children.append(ops)
    with ExitStack() as stack:
        for child in children:
            stack.callback(child.stop)
            child.launch()
        for child in children:
            child.wait_ready(120)
        yield AlertingStack(
            factory_url=factory_url,
            ops_url=ops.url,
            admin_key=admin_key,
            lanes={lane.name: lane for lane in lanes},
            ops_token=_login(lanes[0].url, "a@jwt.com", "admin"),
        )


@dataclass
class Mix:
    """How often (seconds) each part of the traffic happens; None: never."""

    menu: float | None = 0.5
    order: float | None = 1.0
    bad_login: float | None = 5.0
    big_order: float | None = None
    franchisee_session: float | None = None


@dataclass
class Traffic:
    """A lane's traffic in a background thread: menu reads, orders, bad logins, the
    deliberate 22-pizza order and franchisee logins, each on its own period (at most 8 of a
    kind in flight, so a slow factory never piles up requests)."""

    url: str
    mix: Mix
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Traffic:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(60)

    def _count(self, kind: str, status: int) -> None:
        counts = self.statuses.setdefault(kind, {})
        counts[status] = counts.get(status, 0) + 1

    async def _run(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as client:
            token = (
                await client.put("/api/auth", json={"email": "d@jwt.com", "password": "diner"})
            ).json()["token"]
            diner = {"Authorization": f"Bearer {token}"}
            jobs = [
                (self.mix.menu, lambda: self._get(client, "menu", "/api/order/menu")),
                (self.mix.order, lambda: self._order(client, diner, 1, "order")),
                (self.mix.bad_login, lambda: self._bad_login(client)),
                (self.mix.big_order, lambda: self._order(client, diner, 22, "big_order")),
                (self.mix.franchisee_session, lambda: self._franchisee(client)),
            ]
            await asyncio.gather(
                *(self._every(period, job) for period, job in jobs if period is not None)
            )

    async def _every(self, period: float, job: Any) -> None:
        running: set[asyncio.Task[None]] = set()
        while not self._stop.is_set():
            if len(running) < 8:
                task = asyncio.create_task(job())
                running.add(task)
                task.add_done_callback(running.discard)
            await asyncio.sleep(period)
        await asyncio.gather(*running, return_exceptions=True)

    async def _get(self, client: httpx.AsyncClient, kind: str, path: str) -> None:
        with contextlib.suppress(httpx.HTTPError):
            self._count(kind, (await client.get(path)).status_code)

    async def _order(
        self, client: httpx.AsyncClient, headers: dict[str, str], count: int, kind: str
    ) -> None:
        body = {**ORDER, "items": ORDER["items"] * count}
        with contextlib.suppress(httpx.HTTPError):
            self._count(
                kind, (await client.post("/api/order", json=body, headers=headers)).status_code
            )

    async def _bad_login(self, client: httpx.AsyncClient) -> None:
        body = {"email": "unknown@jwt.com", "password": "bad"}
        with contextlib.suppress(httpx.HTTPError):
            self._count("bad_login", (await client.put("/api/auth", json=body)).status_code)

    async def _franchisee(self, client: httpx.AsyncClient) -> None:
        body = {"email": "f@jwt.com", "password": "franchisee"}
        with contextlib.suppress(httpx.HTTPError):
            response = await client.put("/api/auth", json=body)
            self._count("franchisee", response.status_code)
            if response.status_code == 200:
                auth = {"Authorization": f"Bearer {response.json()['token']}"}
                await client.delete("/api/auth", headers=auth)
