"""The service as real processes: SIGKILL in the middle of a burst during an outage, and two
replicas on one PostgreSQL or MariaDB database draining one queue. Every accepted order ends
fulfilled exactly once."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli
from tests.support.live import free_port, prepare_service_db
from tests.support.resilience import (
    FAST,
    ORDER,
    ServiceProcess,
    Stack,
    diner_headers,
    fulfilled_pizzas,
    service_env,
    verifies,
    wait_until_drained,
)

pytestmark = pytest.mark.slow


def start_service(
    stack: Stack, tmp_path: Path, url: str, name: str, **extra: Any
) -> ServiceProcess:
    env = service_env(
        database_url=url,
        port=free_port(),
        factory_url=stack.factory,
        api_key=stack.vendor_key,
        **{**FAST, **extra},
    )
    return ServiceProcess(env, tmp_path / f"{name}.log").start()


class Burst(threading.Thread):
    """Orders placed from a thread, a few at a time, recording every answer (or error)."""

    def __init__(self, urls: list[str], headers: dict[str, str], count: int) -> None:
        super().__init__(daemon=True)
        self.urls, self.headers, self.count = urls, headers, count
        self.answers: list[httpx.Response | Exception] = []

    def run(self) -> None:
        asyncio.run(self._place())

    async def _place(self) -> None:
        gate = asyncio.Semaphore(8)
        async with httpx.AsyncClient(headers=self.headers, timeout=10) as client:

            async def one(i: int) -> None:
                async with gate:
                    url = self.urls[i % len(self.urls)]
                    try:
                        self.answers.append(await client.post(f"{url}/api/order", json=ORDER))
                    except httpx.TransportError as error:
                        self.answers.append(error)

            await asyncio.gather(*(one(i) for i in range(self.count)))

    def accepted(self) -> list[int]:
        ids = []
        for answer in self.answers:
            if isinstance(answer, httpx.Response):
                assert answer.status_code in (200, 202), answer.text
                ids.append(answer.json()["order"]["id"])
        return ids


def test_sigkill_mid_burst_during_an_outage_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    stack = Stack(tmp_path)
    stack.start_factory()
    url = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    asyncio.run(prepare_service_db(url))
    try:
        stack.chaos("outage", mode="hang", durationSeconds=8)  # hung calls hold their leases
        first = start_service(stack, tmp_path, url, "first", queue_lease_seconds=3)
        headers = diner_headers(first.url)
        burst = Burst([first.url], headers, 40)
        burst.start()
        while len(burst.answers) < 12:
            time.sleep(0.01)
        first.kill()
        burst.join(30)
        accepted = burst.accepted()
        assert 12 <= len(accepted) < 40
        second = start_service(stack, tmp_path, url, "second", queue_lease_seconds=3)
        try:
            health = wait_until_drained_any(second.url, timeout=40)
            pizzas = fulfilled_pizzas(second.url, headers, accepted)
            every = fulfilled_pizzas(second.url, headers, list(range(1, 1 + health_total(health))))
        finally:
            second.stop()
        assert_exactly_once_at_factory(stack, every, answered_once=False)
        assert set(pizzas) <= set(every)
        env = {"JWTPIZZA_DATABASE_URL": url}
        result = CliRunner().invoke(cli, ["db", "check"], env=env)
        assert result.exit_code == 0, result.output
    finally:
        stack.stop_factory()


def wait_until_drained_any(shop: str, timeout: float) -> dict[str, Any]:
    """Until no order is open (some orders may have been stored but never answered)."""
    deadline = time.monotonic() + timeout
    while True:
        health: dict[str, Any] = httpx.get(f"{shop}/api/health/integrity").json()
        if set(health["ordersByStatus"]) == {"fulfilled"}:
            assert health["ok"], health
            return health
        assert time.monotonic() < deadline, f"queue did not drain: {health}"
        time.sleep(0.1)


def health_total(health: dict[str, Any]) -> int:
    return sum(health["ordersByStatus"].values())


def assert_exactly_once_at_factory(
    stack: Stack, pizzas: dict[int, str], *, answered_once: bool
) -> None:
    """Each pizza verifies and names its order; the factory signed one pizza per order id
    and none other. With `answered_once`, it also answered each order id once (a second
    replica's call would show as a second answer); hung calls abandoned by a timeout or a
    killed process are answered later with the same remembered pizza, so not then."""
    keys = jwt.PyJWKSet.from_dict(httpx.get(f"{stack.factory}/.well-known/jwks.json").json())
    for order_id, token in pizzas.items():
        assert verifies(keys, token), order_id
        assert jwt.decode(token, options={"verify_signature": False})["order"]["id"] == order_id
    signed = stack.signed.signed
    assert {int(k) for k in signed} == set(pizzas)
    for order_id, token in pizzas.items():
        if answered_once:
            assert signed[str(order_id)] == [token], order_id
        else:
            assert set(signed[str(order_id)]) == {token}, order_id


# Attempts long enough that none times out while the factory works through the drain: a
# timed-out attempt is answered by the factory anyway (the same remembered pizza), which
# would hide whether a second answer came from a second replica working the same job.
PATIENT = {"timeout_seconds": 5, "breaker_slow_call_seconds": 5, "queue_lease_seconds": 15}


def test_two_replicas_drain_one_queue_and_fulfil_nothing_twice(
    tmp_path: Path, server_database_url: str
) -> None:
    server_database = server_database_url
    asyncio.run(prepare_service_db(server_database))
    stack = Stack(tmp_path)  # the factory is down: connections are refused
    replicas = [
        start_service(stack, tmp_path, server_database, f"replica-{i}", **PATIENT) for i in (1, 2)
    ]
    try:
        headers = diner_headers(replicas[0].url)
        burst = Burst([r.url for r in replicas], headers, 60)
        burst.run()
        accepted = burst.accepted()
        assert len(accepted) == 60
        assert all(isinstance(a, httpx.Response) and a.status_code == 202 for a in burst.answers)
        stack.start_factory()
        health = wait_until_drained(replicas[1].url, 60, timeout=60)
        assert health["ok"], health
        pizzas = fulfilled_pizzas(replicas[0].url, headers, accepted)
        assert_exactly_once_at_factory(stack, pizzas, answered_once=True)
    finally:
        for replica in replicas:
            replica.stop()
        stack.stop_factory()
