"""Fixtures: an ops app on a fresh SQLite file, its outgoing calls answered by a `World`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.ops.app import create_app

from .ops_kit import Ops, World, ops_settings

MakeOps = Callable[..., Awaitable[Ops]]


@pytest.fixture
async def make_ops(tmp_path: Path) -> AsyncIterator[MakeOps]:
    """Build a started ops app (loops off: the test drives scrapes and evaluations)."""
    stack: list[Any] = []

    async def build(world: World | None = None, **overrides: Any) -> Ops:
        world = world or World()
        clock = FakeClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
        app = create_app(
            ops_settings(tmp_path, **overrides),
            clock=clock,
            http_transport=world.transport(),
            start_loops=False,
        )
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ops")
        stack.append((lifespan, client))
        return Ops(
            client=client,
            clock=clock,
            world=world,
            context=app.state.ops.context,
            rules=app.state.ops.rules,
        )

    yield build
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
