"""`jwtpizza service --workers 2` as real processes behaves as one service: a scrape of either
worker sums both workers' counters, the login limit counts across workers, and logout, role
changes, menu and franchise writes made through one worker apply at once on the other.

Each test holds one keep-alive connection per worker: the kernel hands a new connection to
whichever worker accepts it, so connections are opened until each worker holds one (psutil
tells which worker process owns the server end)."""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.live import free_port, prepare_service_db
from tests.support.resilience import ServiceProcess, service_env

pytestmark = pytest.mark.slow

MENU_REQUESTS = ("http_requests_total", ("GET", "/api/order/menu", "200"))


class Pinned:
    """A keep-alive HTTP connection to the service, and the worker process serving it."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.connection.connect()
        self.local_port: int = self.connection.sock.getsockname()[1]
        self.worker = 0

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = None if body is None else json.dumps(body)
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        kind = response.getheader("Content-Type") or ""
        return response.status, json.loads(raw) if "json" in kind else raw.decode()

    def login(self, email: str, password: str) -> str:
        status, body = self.call("PUT", "/api/auth", {"email": email, "password": password})
        assert status == 200, body
        token: str = body["token"]
        return token


def _owner(service: psutil.Process, local_port: int) -> int | None:
    for child in service.children(recursive=True):
        for conn in child.net_connections(kind="tcp"):
            if conn.raddr and conn.raddr.port == local_port:
                return child.pid
    return None


def one_per_worker(port: int, service_pid: int, workers: int) -> list[Pinned]:
    """A connection held by each worker (new connections until every worker, the last of
    which may still be starting, has one)."""
    service = psutil.Process(service_pid)
    held: dict[int, Pinned] = {}
    deadline = time.monotonic() + 60
    try:
        while len(held) < workers and time.monotonic() < deadline:
            for waiting in held.values():  # within the server's keep-alive timeout (5 s)
                waiting.call("GET", "/healthz")
            pinned = Pinned(port)
            pinned.call("GET", "/healthz")
            owner = _owner(service, pinned.local_port)
            if owner is None or owner in held:
                pinned.connection.close()
                time.sleep(0.05)
                continue
            pinned.worker = owner
            held[owner] = pinned
    finally:
        if len(held) < workers:
            for pinned in held.values():
                pinned.connection.close()
    assert len(held) == workers, f"connections reached {len(held)} of {workers} workers"
    return list(held.values())


@pytest.fixture
def workers(tmp_path: Path, database_url: str) -> Iterator[list[Pinned]]:
    asyncio.run(prepare_service_db(database_url))
    env = service_env(
        database_url=database_url,
        port=free_port(),
        factory_url="http://127.0.0.1:9",
        api_key="unused-vendor-key",
    )
    temp = tmp_path / "temp"
    temp.mkdir()
    env["TMPDIR"] = str(temp)
    service = ServiceProcess(env, tmp_path / "service.log", workers=2).start()
    assert service.process is not None
    try:
        # The run's shared metrics folder exists while it runs, and only then.
        assert len(list(temp.glob("jwtpizza-metrics-*"))) == 1
        pinned = one_per_worker(service.port, service.process.pid, 2)
        yield pinned
        for one in pinned:
            one.connection.close()
    finally:
        service.stop()
    assert not list(temp.glob("jwtpizza-metrics-*"))


def scraped(pinned: Pinned) -> dict[tuple[str, tuple[str, ...]], float]:
    status, text = pinned.call("GET", "/metrics")
    assert status == 200
    return {
        (sample.name, tuple(sample.labels.values())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_scrape_of_either_worker_sums_both_and_never_falls(workers: list[Pinned]) -> None:
    a, b = workers
    assert a.worker != b.worker
    made = 0
    seen: list[float] = []
    for round_ in range(6):
        for pinned, count in ((a, 3), (b, 2)):
            for _ in range(count):
                assert pinned.call("GET", "/api/order/menu")[0] == 200
            made += count
        for pinned in (a, b) if round_ % 2 else (b, a):
            # A request is counted just after its answer is sent: a scrape may run a moment
            # ahead of the other worker's count, never past it.
            deadline = time.monotonic() + 3
            while True:
                seen.append(scraped(pinned)[MENU_REQUESTS])
                assert seen[-1] <= made
                if seen[-1] == made or time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            assert seen[-1] == made
    assert seen == sorted(seen)
    samples = scraped(a)
    # Host gauges once, not once per worker; pre-set label values at zero still listed.
    assert ("cpu_percent", ()) in samples and ("memory_percent", ()) in samples
    assert samples[("factory_calls_total", ("ok",))] == 0


def test_the_login_limit_counts_failures_on_both_workers_as_one(workers: list[Pinned]) -> None:
    a, b = workers
    wrong = {"email": "d@jwt.com", "password": "wrong"}
    # The limit is 5 failures per account, as with one worker: alternating workers gives no
    # second allowance.
    statuses = [(a if i % 2 else b).call("PUT", "/api/auth", wrong)[0] for i in range(5)]
    assert statuses == [404] * 5
    for pinned in (a, b):
        status, body = pinned.call("PUT", "/api/auth", {"email": "d@jwt.com", "password": "diner"})
        assert (status, body) == (
            429,
            {"message": "too many failed login attempts; try again later"},
        )


def test_logout_and_role_changes_apply_at_once_on_both_workers(workers: list[Pinned]) -> None:
    a, b = workers
    token = a.login("d@jwt.com", "diner")
    admin = b.login("a@jwt.com", "admin")
    for pinned in (a, b):  # both workers now hold this principal in their cache
        status, me = pinned.call("GET", "/api/user/me", token=token)
        assert status == 200 and me["roles"] == [{"role": "diner"}]
    status, created = a.call(
        "POST", "/api/franchise", {"name": "Split", "admins": [{"email": "d@jwt.com"}]}, admin
    )
    assert status == 200
    grant = {"role": "franchisee", "objectId": created["id"]}
    for pinned in (b, a):
        assert grant in pinned.call("GET", "/api/user/me", token=token)[1]["roles"]
    assert b.call("DELETE", "/api/auth", token=token)[0] == 200
    for pinned in (a, b):
        assert pinned.call("GET", "/api/user/me", token=token)[0] == 401


def test_menu_and_franchise_writes_are_seen_by_the_next_read_on_each_worker(
    workers: list[Pinned],
) -> None:
    a, b = workers
    admin = a.login("a@jwt.com", "admin")
    menus = [pinned.call("GET", "/api/order/menu")[1] for pinned in (a, b)]
    lists = [pinned.call("GET", "/api/franchise")[1] for pinned in (a, b)]
    item = {"title": "Twin", "description": "two halves", "image": "pizza9.png", "price": 0.002}
    assert a.call("PUT", "/api/order/menu", item, admin)[0] == 200
    for pinned, before in zip((b, a), menus, strict=True):
        after = pinned.call("GET", "/api/order/menu")[1]
        assert after[:-1] == before and after[-1]["title"] == "Twin"
    status, created = b.call("POST", "/api/franchise", {"name": "Twins"}, admin)
    assert status == 200
    for pinned, before in zip((a, b), lists, strict=True):
        after = pinned.call("GET", "/api/franchise", token=None)[1]["franchises"]
        assert after[:-1] == before["franchises"]
        assert after[-1] == {"id": created["id"], "name": "Twins", "stores": []}
    assert b.call("DELETE", f"/api/franchise/{created['id']}", token=admin)[0] == 200
    assert a.call("GET", "/api/franchise")[1] == lists[0]
