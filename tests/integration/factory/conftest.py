"""Fixtures: a real factory app on a fresh SQLite file per test, driven in process."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.factory.app import create_app
from tests.integration.factory.factory_kit import (
    BASE,
    Factory,
    FakeMailer,
    MakeFactory,
    make_settings,
)


@pytest.fixture
async def make_factory(tmp_path: Path) -> AsyncIterator[MakeFactory]:
    stack: list[Any] = []

    async def build(**overrides: Any) -> Factory:
        settings = make_settings(tmp_path, **overrides)
        clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
        mailer = FakeMailer()
        app = create_app(settings, clock=clock, mailer=mailer, random=random.Random(329))
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
        stack.append((lifespan, client))
        return Factory(app, client, clock, mailer, settings)

    yield build
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def factory(make_factory: MakeFactory) -> Factory:
    return await make_factory()
