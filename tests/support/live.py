"""Running the real service and factory on loopback ports, for the end-to-end tests.

    with live_pair(tmp_path) as pair:
        pair.shop.put("/api/auth", json=...)      # an httpx.Client on the service
        pair.admin(...)                           # the factory's admin headers
        pair.service_obs.store, pair.factory_obs.metrics

Each app runs under uvicorn in a thread of the test process, so tests can also read the
apps' in-process state (log stores, recent spans, metrics) through `app.state`.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import uvicorn
from fastapi import FastAPI

from jwtpizza.db import Database
from jwtpizza.factory.app import create_app as create_factory
from jwtpizza.factory.demo import ensure_demo_admin, ensure_demo_vendor
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.http.proxies import SERVER_OPTIONS
from jwtpizza.observability import Observability, ObservabilitySettings
from jwtpizza.service.app import create_app as create_service
from jwtpizza.service.seed import migrate, seed_demo
from jwtpizza.service.settings import ServiceSettings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[str]:
    """Run an app with uvicorn in a thread on a loopback port."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        loop="asyncio",
        **SERVER_OPTIONS,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def factory_settings(tmp_path: Path, port: int, **overrides: Any) -> FactorySettings:
    return FactorySettings(
        **{
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'factory.db'}",
            "public_base_url": f"http://127.0.0.1:{port}",
            "port": port,
            "demo": True,
            **overrides,
        }
    )


def verify_independently(base: str, token: str) -> dict[str, Any]:
    """Check a pizza against the factory's JWKS with PyJWT alone."""
    keys = jwt.PyJWKSet.from_dict(httpx.get(f"{base}/.well-known/jwks.json").json())
    key = keys[jwt.get_unverified_header(token)["kid"]]
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256"], issuer="cs329.click")
    return claims


async def prepare_service_db(url: str) -> None:
    db = Database(url)
    await migrate(db)
    await seed_demo(db, bcrypt_rounds=4)
    await db.dispose()


def observability_of(app: FastAPI) -> Observability:
    obs = app.state.observability
    assert isinstance(obs, Observability)
    return obs


@dataclass
class LivePair:
    """Both apps running, their URLs, keys, apps, and a client on the service."""

    factory_url: str
    service_url: str
    vendor_key: str
    admin_key: str
    jwt_secret: str
    factory_app: FastAPI
    service_app: FastAPI
    shop: httpx.Client

    @property
    def service_obs(self) -> Observability:
        return observability_of(self.service_app)

    @property
    def factory_obs(self) -> Observability:
        return observability_of(self.factory_app)

    def admin(self) -> dict[str, str]:
        """Headers of the factory's admin vendor."""
        return {"Authorization": f"Bearer {self.admin_key}"}

    def start_chaos(self, chaos_type: str, **body: Any) -> dict[str, Any]:
        response = httpx.put(
            f"{self.factory_url}/api/admin/chaos/demo/{chaos_type}",
            json={"start": "now", **body},
            headers=self.admin(),
        )
        assert response.status_code == 200, response.text
        fault: dict[str, Any] = response.json()
        return fault


@contextmanager
def live_pair(
    tmp_path: Path,
    *,
    observability: ObservabilitySettings | None = None,
    factory_overrides: dict[str, Any] | None = None,
    **service_overrides: Any,
) -> Iterator[LivePair]:
    """The factory (demo vendor and admin) and a seeded service that orders from it."""
    factory_port, service_port = free_port(), free_port()
    fsettings = factory_settings(tmp_path, factory_port, **(factory_overrides or {}))
    vendor_key = asyncio.run(ensure_demo_vendor(fsettings))
    admin_key = asyncio.run(ensure_demo_admin(fsettings))
    service_db = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    asyncio.run(prepare_service_db(service_db))
    jwt_secret = "e2e-jwt-secret-" + "0123456789abcdef" * 2
    ssettings = ServiceSettings(
        **{
            "factory_url": f"http://127.0.0.1:{factory_port}",
            "factory_api_key": vendor_key,
            "demo": True,
            "database_url": service_db,
            "bcrypt_rounds": 4,
            "jwt_secret": jwt_secret,
            **service_overrides,
        }
    )
    factory_app = create_factory(fsettings, observability=observability)
    service_app = create_service(ssettings, observability=observability)
    with (
        serving(factory_app, factory_port) as factory,
        serving(service_app, service_port) as shop,
        httpx.Client(base_url=shop, timeout=30) as client,
    ):
        yield LivePair(
            factory_url=factory,
            service_url=shop,
            vendor_key=vendor_key,
            admin_key=admin_key,
            jwt_secret=jwt_secret,
            factory_app=factory_app,
            service_app=service_app,
            shop=client,
        )
