"""An ops app with incident settings, its outgoing calls answered by an `IncidentWorld`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.ops.app import create_app
from jwtpizza.ops.incidents.desk import IncidentDesk
from jwtpizza.ops.oncall.notify_oncall import Paging

from ..ops_kit import Ops, ops_settings
from .kit import FACTORY, IncidentWorld, incident_settings

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass
class IncidentOps(Ops):
    desk: IncidentDesk
    paging: Paging


MakeIncidentOps = Callable[..., Awaitable[IncidentOps]]


@pytest.fixture
async def make_incident_ops(tmp_path: Path) -> AsyncIterator[MakeIncidentOps]:
    stack: list[Any] = []

    async def build(
        world: IncidentWorld | None = None, ops: dict[str, Any] | None = None, **overrides: Any
    ) -> IncidentOps:
        world = world or IncidentWorld()
        clock = FakeClock(START)
        app = create_app(
            ops_settings(tmp_path, factory_url=FACTORY, **(ops or {})), clock=clock,
            http_transport=world.transport(), start_loops=False,
            incidents=incident_settings(**overrides),
        )  # fmt: skip
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ops")
        stack.append((lifespan, client))
        parts = app.state.ops
        return IncidentOps(
            client=client, clock=clock, world=world, context=parts.context, rules=parts.rules,
            desk=parts.incidents, paging=parts.paging,
        )  # fmt: skip

    yield build
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
