"""Building blocks for ops tests: a fake world at the HTTP boundary, and a running ops app.

`World` answers every outgoing call of the ops app (through an `httpx.MockTransport`): the
`/metrics` of each target (text the test sets, or a failure), and the service's
`/api/user/me` for the tokens the test declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from jwtpizza.clock import FakeClock
from jwtpizza.ops.context import OpsContext
from jwtpizza.ops.rules.service import RuleManager
from jwtpizza.ops.settings import OpsSettings, ScrapeTarget

SERVICE = "http://service.test"
ADMIN_TOKEN = "admin.token.fake"  # shaped like a JWT, as the service's tokens are
DINER_TOKEN = "diner.token.fake"


@dataclass
class World:
    """What the targets expose and who the service says the tokens belong to."""

    expositions: dict[str, str | None] = field(default_factory=dict)
    me_calls: int = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url == f"{SERVICE}/api/user/me":
            return self._me(request)
        if url in self.expositions:
            text = self.expositions[url]
            if text is None:
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(200, text=text)
        return httpx.Response(404, json={"message": "unknown endpoint"})

    def _me(self, request: httpx.Request) -> httpx.Response:
        self.me_calls += 1
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        roles: dict[str, list[dict[str, Any]]] = {
            ADMIN_TOKEN: [{"role": "admin"}],
            DINER_TOKEN: [{"role": "diner"}],
        }
        if token not in roles:
            return httpx.Response(401, json={"message": "unauthorized"})
        return httpx.Response(
            200, json={"id": 1, "name": "a", "email": "a@jwt.com", "roles": roles[token]}
        )

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def target(job: str, host: str) -> ScrapeTarget:
    return ScrapeTarget(job=job, url=f"http://{host}/metrics")


def ops_settings(tmp_path: Path, **overrides: Any) -> OpsSettings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}",
        "service_url": SERVICE,
        "targets": [],
        "rule_files": [],
        "demo": True,  # `/metrics` open
    }
    return OpsSettings(**(values | overrides))


@dataclass
class Ops:
    """A started ops app, its client, clock, fake world, context and rule manager."""

    client: httpx.AsyncClient
    clock: FakeClock
    world: World
    context: OpsContext
    rules: RuleManager

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
