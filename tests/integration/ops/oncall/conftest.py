"""Fixtures: an ops app whose notifications go to a real local HTTP server, with the
notification and on-call files the test writes, on a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from jwtpizza.clock import FakeClock
from jwtpizza.ops.app import create_app
from jwtpizza.ops.incidents.desk import IncidentDesk
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.notify_oncall import Paging
from jwtpizza.ops.oncall.settings import OncallSettings

from ..notify.fakes import FakeHttp, fake_http
from ..ops_kit import Ops, World, ops_settings

INTAKE_TOKEN = "intake-secret"

NOTIFY = """
route:
  receiver: console
  group_by: [alertname]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 4h
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
receivers:
  - name: console
    webhook_configs: [{url: "HOOK/console"}]
  - name: pager
    oncall_configs: [{policy: default}]
  - name: alice-hook
    webhook_configs: [{url: "HOOK/alice"}]
  - name: bob-hook
    webhook_configs: [{url: "HOOK/bob"}]
  - name: team-hook
    webhook_configs: [{url: "HOOK/team"}]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
"""

ONCALL = """
users:
  - {name: alice, receiver: alice-hook}
  - {name: bob, receiver: bob-hook}
teams:
  - {name: devops, members: [alice, bob], receiver: team-hook}
schedules:
  - name: primary
    layers: [{users: [alice, bob], start: 2026-01-05T16:00:00Z, shift: 7d}]
  - name: secondary
    layers: [{users: [bob, alice], start: 2026-01-05T16:00:00Z, shift: 7d}]
escalation_policies:
  - name: default
    steps:
      - {notify: {schedule: primary}, wait: 5m}
      - {notify: {schedule: secondary}, wait: 5m}
      - {notify: {team: devops}}
"""


@dataclass
class PagingOps:
    ops: Ops
    paging: Paging
    hook: FakeHttp
    files: Path
    desk: IncidentDesk

    def paths(self, receiver: str) -> list[dict[str, Any]]:
        return [r.json() for r in self.hook.requests if r.path == f"/{receiver}"]

    async def tick(self, seconds: float = 0) -> None:
        """Move the clock, run what is due, and wait for the deliveries it started."""
        self.ops.clock.advance(seconds)
        await self.paging.tick()
        await self.paging.deliverer.drain()


MakePaging = Callable[..., Awaitable[PagingOps]]


@pytest.fixture
def hook() -> Iterator[FakeHttp]:
    with fake_http() as fake:
        yield fake


@pytest.fixture
async def make_paging(tmp_path: Path, hook: FakeHttp) -> AsyncIterator[MakePaging]:
    stack: list[Any] = []

    async def build(
        notify: str = NOTIFY, oncall: str = ONCALL, world: World | None = None,
        ops: dict[str, Any] | None = None, **oncall_settings: Any,
    ) -> PagingOps:  # fmt: skip
        (tmp_path / "notify.yml").write_text(notify.replace("HOOK", hook.url))
        (tmp_path / "oncall.yml").write_text(oncall)
        world = world or World()
        clock = FakeClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
        app = create_app(
            ops_settings(tmp_path, **(ops or {})),
            clock=clock,
            http_transport=world.transport(),
            start_loops=False,
            notify=NotifySettings(notify_config=tmp_path / "notify.yml", delivery_attempts=2),
            oncall=OncallSettings(
                oncall_config=tmp_path / "oncall.yml",
                **{
                    "ack_secret": SecretStr("test-ack-secret"),
                    "intake_token": SecretStr(INTAKE_TOKEN),
                    "public_url": "http://ops.test",
                    **oncall_settings,
                },
            ),
        )
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ops")
        stack.append((lifespan, client))
        ops = Ops(
            client=client,
            clock=clock,
            world=world,
            context=app.state.ops.context,
            rules=app.state.ops.rules,
        )
        return PagingOps(ops, app.state.ops.paging, hook, tmp_path, app.state.ops.incidents)

    yield build
    for lifespan, client in reversed(stack):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)
