"""An ops app on a fresh SQLite file whose clock starts at a given moment (a report's day),
and one served on a loopback port for the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.ops.app import create_app
from tests.support.live import free_port, serving

from ..incidents.conftest import IncidentOps
from ..incidents.kit import FACTORY, IncidentWorld, incident_settings
from ..ops_kit import ops_settings

OpsAt = Callable[[IncidentWorld, datetime], Awaitable[IncidentOps]]


@pytest.fixture
async def ops_at(tmp_path: Path) -> AsyncIterator[OpsAt]:
    stack: list[Any] = []

    async def build(world: IncidentWorld, start: datetime) -> IncidentOps:
        app = create_app(
            ops_settings(tmp_path, factory_url=FACTORY), clock=FakeClock(start),
            http_transport=world.transport(), start_loops=False, incidents=incident_settings(),
        )  # fmt: skip
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ops")
        stack.append((lifespan, client))
        parts = app.state.ops
        return IncidentOps(client=client, clock=parts.context.clock, world=world,
                           context=parts.context, rules=parts.rules, desk=parts.incidents,
                           paging=parts.paging)  # fmt: skip

    yield build
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
def ops_url(tmp_path: Path) -> Iterator[str]:
    app = create_app(
        ops_settings(tmp_path, factory_url=FACTORY), http_transport=IncidentWorld().transport(),
        start_loops=False, incidents=incident_settings(),
    )  # fmt: skip
    with serving(app, free_port()) as url:
        yield url
