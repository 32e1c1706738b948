"""Fixtures that build a real pizza service on a fresh database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from jwtpizza.clock import FakeClock
from jwtpizza.db import Database
from jwtpizza.service import versions
from jwtpizza.service.app import create_app
from jwtpizza.service.context import ServiceContext
from jwtpizza.service.resilience import ResilienceSettings
from jwtpizza.service.seed import migrate, seed_demo
from jwtpizza.service.settings import ServiceSettings
from jwtpizza.testing.stub_factory import StubBehaviour, create_stub_factory

TEST_SECRET = "test-secret-for-the-service-tests-0123456789"
# Outside demo mode /metrics and the integrity check need the scrape token.
SCRAPE_TOKEN = "scrape-token-for-tests"
SCRAPE = {"Authorization": f"Bearer {SCRAPE_TOKEN}"}


@dataclass
class Shop:
    """A running service, its client, clock and the stub factory behind it."""

    app: FastAPI
    client: httpx.AsyncClient
    clock: FakeClock
    factory: StubBehaviour

    @property
    def context(self) -> ServiceContext:
        context: ServiceContext = self.app.state.context
        return context

    async def login(self, email: str, password: str) -> str:
        response = await self.client.put("/api/auth", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def order(
        self, token: str, count: int = 1, *, respond_async: bool = False, **overrides: Any
    ) -> httpx.Response:
        """Place an order; `respond_async` sends RFC 7240 `Prefer: respond-async`."""
        headers = self.bearer(token) | ({"Prefer": "respond-async"} if respond_async else {})
        body = {
            "franchiseId": 1,
            "storeId": 1,
            "items": [{"menuId": 1, "description": "Veggie", "price": 0.05}] * count,
            **overrides,
        }
        return await self.client.post("/api/order", json=body, headers=headers)


MakeShop = Callable[..., Awaitable[Shop]]


@pytest.fixture
def long_lease(monkeypatch: pytest.MonkeyPatch) -> float:
    """A lease on the stamps long enough that a replica whose cache outlived a write shows
    up as a stale answer, not as a race lost by a few milliseconds."""
    monkeypatch.setattr(versions, "LEASE_SECONDS", 0.4)
    return versions.LEASE_SECONDS


@pytest.fixture
async def make_shop(database_url: str) -> AsyncIterator[MakeShop]:
    """Build a seeded service; keyword arguments override its settings. `wrap_factory` gets
    the stub factory's transport as its `inner` and stands in front of it."""
    stack: list[Any] = []

    async def build(*, seed: bool = True, wrap_factory: Any = None, **overrides: Any) -> Shop:
        # A generous wait budget: a loaded test machine must not turn answers into 202s.
        overrides.setdefault("resilience", ResilienceSettings(queue_wait_budget_seconds=15))
        overrides.setdefault("metrics_token", SCRAPE_TOKEN)
        settings = ServiceSettings(
            database_url=database_url,
            jwt_secret=TEST_SECRET,
            bcrypt_rounds=4,
            factory_url="http://factory.test",
            factory_api_key="vendor-api-key-0123456789abcdef",
            **overrides,
        )
        db = Database(settings.database_url)
        await migrate(db)
        if seed:
            await seed_demo(db, bcrypt_rounds=4)
        await db.dispose()
        behaviour = StubBehaviour()
        transport: httpx.AsyncBaseTransport = httpx.ASGITransport(
            app=create_stub_factory(behaviour)
        )
        if wrap_factory is not None:  # a transport with an `inner` slot, e.g. to fail on demand
            wrap_factory.inner, transport = transport, wrap_factory
        clock = FakeClock()
        app = create_app(settings, clock=clock, factory_transport=transport)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5000)),
            base_url="http://shop.test",
        )
        stack.append((lifespan, client))
        return Shop(app=app, client=client, clock=clock, factory=behaviour)

    yield build
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def shop(make_shop: MakeShop) -> Shop:
    return await make_shop()
