"""The service and the real factory on loopback ports, tuned for fast resilience tests.

Timeouts, breaker waits and backoffs are shortened so a fault of a couple of seconds opens
the breaker, queues orders and drains them again within a test's few seconds. `SigningSpy`
wraps the factory app and records, per `Idempotency-Key`, every pizza it answered with;
`DeliveryCounter` wraps the service's factory transport and records the pizzas that reached
the service. `ServiceProcess` runs `jwtpizza service` as a child process (to SIGKILL it).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jwtpizza.factory.app import create_app as create_factory
from jwtpizza.factory.demo import ensure_demo_admin, ensure_demo_vendor
from jwtpizza.service.app import create_app as create_service
from jwtpizza.service.resilience import ResilienceSettings
from jwtpizza.service.routes.orders import QUEUED_MESSAGE
from jwtpizza.service.settings import ServiceSettings
from tests.support.live import factory_settings, free_port, prepare_service_db, serving
from tests.support.processes import Component

ROOT = Path(__file__).resolve().parents[2]


def verifies(keys: jwt.PyJWKSet, token: str) -> bool:
    try:
        key = keys[jwt.get_unverified_header(token)["kid"]]
        jwt.decode(token, key, algorithms=["RS256"], issuer="cs329.click")
    except (jwt.PyJWTError, KeyError):
        return False
    return True


class Signed:
    """The JWTs the factory's `POST /api/order` answered 200 with, per Idempotency-Key
    (whether or not the caller was still there to read them)."""

    def __init__(self) -> None:
        self.signed: dict[str, list[str]] = defaultdict(list)
        self.answers: list[tuple[float, str]] = []  # when each answer went out, for reports
        self._lock = threading.Lock()

    def add(self, key: str, token: str) -> None:
        with self._lock:
            self.signed[key].append(token)
            self.answers.append((time.monotonic(), key))

    def distinct(self) -> dict[str, set[str]]:
        with self._lock:
            return {key: set(tokens) for key, tokens in self.signed.items()}


class SigningSpy:
    """ASGI middleware for the factory app that fills a `Signed` record."""

    def __init__(self, app: ASGIApp, *, record: Signed) -> None:
        self.app = app
        self.record = record

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/api/order" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = order_of(headers.get(b"idempotency-key", b"").decode())
        status, chunks = 0, []

        async def spy(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, spy)
        finally:
            if status == 200 and key:
                token = httpx.Response(200, content=b"".join(chunks)).json().get("jwt")
                self.record.add(key, str(token))


def order_of(idempotency_key: str) -> str:
    """The order id in the service's Idempotency-Key (`<database id>-<order id>`)."""
    return idempotency_key.rsplit("-", 1)[-1]


class DeliveryCounter(httpx.AsyncBaseTransport):
    """The service's factory transport, recording each 200 pizza that reached the service."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.delivered: dict[str, list[str]] = defaultdict(list)
        self.requests: dict[str, int] = defaultdict(int)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("idempotency-key")
        if key is not None:
            key = order_of(key)
            self.requests[key] += 1
        response = await self._inner.handle_async_request(request)
        if key is None:
            return response
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
        await response.aclose()
        if response.status_code == 200:
            self.delivered[key].append(str(httpx.Response(200, content=raw).json().get("jwt")))
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(raw),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


FAST: dict[str, Any] = {
    "timeout_seconds": 0.5,
    "max_attempts": 2,
    "backoff_base_seconds": 0.02,
    "backoff_max_seconds": 0.1,
    "max_retry_after_seconds": 1.0,
    "breaker_window_size": 10,
    "breaker_minimum_calls": 5,
    "breaker_open_seconds": 0.5,
    "breaker_slow_call_seconds": 0.45,
    "breaker_half_open_max_wait_seconds": 2.0,
    "queue_wait_budget_seconds": 0.3,
    "queue_poll_interval_seconds": 0.1,
    "queue_lease_seconds": 5.0,
}

ORDER = {
    "franchiseId": 1,
    "storeId": 1,
    "items": [{"menuId": 1, "description": "Veggie", "price": 0.05}],
}


@dataclass
class Stack:
    """A factory (which can be stopped and restarted) and a service in front of it."""

    tmp_path: Path
    factory_port: int = field(default_factory=free_port)
    signed: Signed = field(default_factory=Signed)
    delivery: DeliveryCounter = field(default_factory=DeliveryCounter)
    shop: str = ""
    _factory: ExitStack | None = None

    def __post_init__(self) -> None:
        self.fsettings = factory_settings(self.tmp_path, self.factory_port)
        self.factory = f"http://127.0.0.1:{self.factory_port}"
        self.vendor_key = asyncio.run(ensure_demo_vendor(self.fsettings))
        self.admin_key = asyncio.run(ensure_demo_admin(self.fsettings))

    def start_factory(self) -> None:
        assert self._factory is None
        app = create_factory(self.fsettings)
        app.add_middleware(SigningSpy, record=self.signed)
        self._factory = ExitStack()
        self._factory.enter_context(serving(app, self.factory_port))

    def stop_factory(self) -> None:
        assert self._factory is not None
        self._factory.close()
        self._factory = None

    def chaos(self, kind: str, **body: Any) -> dict[str, Any]:
        response = httpx.put(
            f"{self.factory}/api/admin/chaos/demo/{kind}",
            json={"start": "now", **body},
            headers={"Authorization": f"Bearer {self.admin_key}"},
        )
        assert response.status_code == 200, response.text
        fault: dict[str, Any] = response.json()
        return fault

    def stop_chaos(self) -> None:
        response = httpx.delete(
            f"{self.factory}/api/admin/chaos/demo",
            headers={"Authorization": f"Bearer {self.admin_key}"},
        )
        assert response.status_code in (200, 204), response.text


@contextmanager
def running_stack(tmp_path: Path, **resilience: Any) -> Iterator[Stack]:
    stack = Stack(tmp_path)
    service_db = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    asyncio.run(prepare_service_db(service_db))
    settings = ServiceSettings(
        factory_url=stack.factory,
        factory_api_key=stack.vendor_key,
        demo=True,
        database_url=service_db,
        bcrypt_rounds=4,
        queue_backoff_base_seconds=0.05,
        queue_backoff_max_seconds=0.5,
        resilience=ResilienceSettings(**{**FAST, **resilience}),
    )
    port = free_port()
    stack.start_factory()
    try:
        with serving(create_service(settings, factory_transport=stack.delivery), port) as shop:
            stack.shop = shop
            yield stack
    finally:
        if stack._factory is not None:
            stack.stop_factory()


def diner_headers(shop: str) -> dict[str, str]:
    login = httpx.put(f"{shop}/api/auth", json={"email": "d@jwt.com", "password": "diner"})
    assert login.status_code == 200, login.text
    # These clients take the asynchronous contract: a queued order is answered 202.
    return {"Authorization": f"Bearer {login.json()['token']}", "Prefer": "respond-async"}


def burst(shop: str, headers: dict[str, str], count: int) -> list[httpx.Response]:
    """`count` orders placed at once."""

    async def place() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=shop, headers=headers, timeout=30) as client:
            return list(
                await asyncio.gather(*(client.post("/api/order", json=ORDER) for _ in range(count)))
            )

    return asyncio.run(place())


def assert_friendly(responses: list[httpx.Response]) -> list[int]:
    """Every answer is a pizza or the queued message; the ids of the orders."""
    for response in responses:
        assert response.status_code in (200, 202), response.text
        body = response.json()
        if response.status_code == 200:
            assert body["order"]["status"] == "fulfilled" and body["jwt"]
        else:
            assert body["message"] == QUEUED_MESSAGE and "jwt" not in body
            assert body["order"]["status"] in ("queued", "pending")
    return [response.json()["order"]["id"] for response in responses]


def wait_until_drained(shop: str, expected: int, timeout: float = 30) -> dict[str, Any]:
    """Poll the integrity endpoint until every order is fulfilled."""
    deadline = time.monotonic() + timeout
    while True:
        health: dict[str, Any] = httpx.get(f"{shop}/api/health/integrity").json()
        if health["ordersByStatus"] == {"fulfilled": expected}:
            return health
        assert time.monotonic() < deadline, f"queue did not drain: {health}"
        time.sleep(0.1)


def fulfilled_pizzas(shop: str, headers: dict[str, str], ids: list[int]) -> dict[int, str]:
    pizzas = {}
    for order_id in ids:
        body = httpx.get(f"{shop}/api/order/{order_id}", headers=headers).json()
        assert body["order"]["status"] == "fulfilled", body
        pizzas[order_id] = body["jwt"]
    return pizzas


def assert_exactly_once(stack: Stack, pizzas: dict[int, str]) -> None:
    """Each order's pizza verifies, names its order, and is the only good pizza the service
    received for that order id; the factory signed no second pizza for it."""
    keys = jwt.PyJWKSet.from_dict(httpx.get(f"{stack.factory}/.well-known/jwks.json").json())
    assert len(set(pizzas.values())) == len(pizzas)
    for order_id, token in pizzas.items():
        assert verifies(keys, token), order_id
        assert jwt.decode(token, options={"verify_signature": False})["order"]["id"] == order_id
        good = {t for t in stack.delivery.delivered[str(order_id)] if verifies(keys, t)}
        assert good == {token}, order_id
    signed = stack.signed.distinct()
    assert set(signed) <= {str(i) for i in pizzas}
    for order_id, token in pizzas.items():
        good = {t for t in signed.get(str(order_id), set()) if verifies(keys, t)}
        assert good == {token}, (order_id, good)


def service_env(
    *, database_url: str, port: int, factory_url: str, api_key: str, **resilience: object
) -> dict[str, str]:
    """Environment for `jwtpizza service`; keyword arguments are `JWTPIZZA_RESILIENCE_*`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JWTPIZZA_")}
    env.update(
        JWTPIZZA_DEMO="true",
        JWTPIZZA_DATABASE_URL=database_url,
        JWTPIZZA_PORT=str(port),
        JWTPIZZA_FACTORY_URL=factory_url,
        JWTPIZZA_FACTORY_API_KEY=api_key,
        JWTPIZZA_BCRYPT_ROUNDS="4",
        JWTPIZZA_QUEUE_BACKOFF_BASE_SECONDS="0.05",
        JWTPIZZA_QUEUE_BACKOFF_MAX_SECONDS="0.5",
    )
    env.update({f"JWTPIZZA_RESILIENCE_{k.upper()}": str(v) for k, v in resilience.items()})
    return env


class ServiceProcess(Component):
    """`jwtpizza service` as a child process, started and stopped (or killed) by the test."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 1) -> None:
        # One worker by default: the crash tests kill -9 this process and must kill the replica.
        self.workers = workers
        self.port = int(env["JWTPIZZA_PORT"])
        super().__init__(
            ["service", "--workers", str(workers)], env, log, f"http://127.0.0.1:{self.port}"
        )

    def start(self, timeout: float = 30) -> ServiceProcess:
        super().start(timeout)
        return self
