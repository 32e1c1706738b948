"""Ops on a loopback port beside the live pair (`tests/support/live.py`): watching both, with
the pair's admin key, an intake token and an ack-link secret of its own, and not in demo mode.

    with live_ops(tmp_path, pair) as ops:
        ops.client.get("/api/status")
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from jwtpizza.ops.app import create_app
from jwtpizza.ops.incidents.settings import IncidentSettings
from jwtpizza.ops.oncall.settings import OncallSettings
from jwtpizza.ops.settings import OpsSettings, ScrapeTarget
from tests.support.live import LivePair, free_port, serving

INTAKE_TOKEN = "security-intake-token"
ACK_SECRET = "security-ack-secret"
SCRAPE_TOKEN = "security-scrape-token"


@dataclass
class LiveOps:
    url: str
    app: FastAPI
    client: httpx.Client

    def intake(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {INTAKE_TOKEN}"}


@contextmanager
def live_ops(
    tmp_path: Path, pair: LivePair, *, oncall: dict[str, Any] | None = None, **settings: Any
) -> Iterator[LiveOps]:
    port = free_port()
    targets = [
        ScrapeTarget(job="jwt-pizza-service", url=f"{pair.service_url}/metrics",
                     labels={"component": "service"}),
        ScrapeTarget(job="jwt-pizza-factory", url=f"{pair.factory_url}/metrics",
                     labels={"component": "factory"}),
    ]  # fmt: skip
    app = create_app(
        OpsSettings(**{
            "port": port, "database_url": f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}",
            "service_url": pair.service_url, "factory_url": pair.factory_url,
            "targets": targets, "rule_files": [], "metrics_token": SecretStr(SCRAPE_TOKEN),
            **settings,
        }),
        oncall=OncallSettings(**{
            "ack_secret": SecretStr(ACK_SECRET), "intake_token": SecretStr(INTAKE_TOKEN),
            "public_url": f"http://127.0.0.1:{port}", **(oncall or {}),
        }),
        incidents=IncidentSettings(
            service_email="a@jwt.com", service_password=SecretStr("admin"),
            factory_api_key=SecretStr(pair.admin_key), runbook_poll_seconds=0.2,
            reports_dir=tmp_path / "reports",
        ),
    )  # fmt: skip
    with serving(app, port) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield LiveOps(url=url, app=app, client=client)
