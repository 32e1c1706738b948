"""The Idempotency-Key is unique per service database: a service whose database was reset
(or a second service on the same vendor key) orders again from a real factory that already
knows order 1 of its vendor, where the bare order id got 409 from the factory and a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from jwtpizza.factory.app import create_app as create_factory
from jwtpizza.factory.demo import ensure_demo_vendor
from jwtpizza.service.app import create_app as create_service
from jwtpizza.service.settings import ServiceSettings
from tests.integration.service.conftest import TEST_SECRET
from tests.support.live import factory_settings, prepare_service_db


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    async with app.router.lifespan_context(app):
        yield app


async def order_once(
    stack: AsyncExitStack, database: Path, factory: FastAPI, key: str, *, menu_id: int
) -> int:
    """A fresh service database, one diner's order of `menu_id` through the factory; its id."""
    url = f"sqlite+aiosqlite:///{database}"
    await prepare_service_db(url)
    settings = ServiceSettings(
        database_url=url, jwt_secret=TEST_SECRET, bcrypt_rounds=4,
        factory_url="http://factory.test", factory_api_key=key,
    )  # fmt: skip
    service = await stack.enter_async_context(
        running(create_service(settings, factory_transport=httpx.ASGITransport(app=factory)))
    )
    client = await stack.enter_async_context(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=service), base_url="http://shop.test")
    )
    login = await client.put("/api/auth", json={"email": "d@jwt.com", "password": "diner"})
    order = {"franchiseId": 1, "storeId": 1, "items": [{"menuId": menu_id, "description": "?"}]}
    answer = await client.post(
        "/api/order", json=order, headers={"Authorization": f"Bearer {login.json()['token']}"}
    )
    assert answer.status_code == 200, answer.text
    order_id: int = answer.json()["order"]["id"]
    return order_id


async def test_a_reset_service_database_orders_again_from_a_factory_that_knows_it(
    tmp_path: Path,
) -> None:
    fsettings = factory_settings(tmp_path, 4999)
    key = await ensure_demo_vendor(fsettings)
    async with AsyncExitStack() as stack:
        factory = await stack.enter_async_context(running(create_factory(fsettings)))
        first = await order_once(stack, tmp_path / "service.db", factory, key, menu_id=1)
        (tmp_path / "service.db").unlink()  # the database is reset: order ids start again
        again = await order_once(stack, tmp_path / "service.db", factory, key, menu_id=2)
        other = await order_once(stack, tmp_path / "second.db", factory, key, menu_id=3)
    assert first == again == other == 1
