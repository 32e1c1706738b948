"""The live status panel of `jwtpizza up`: what a responder watching the terminal needs.

It reads the components running in this process (their metrics, order ledger, chaos and log
windows) and the ops component's open alerts over HTTP when that component answers.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlalchemy import func, select

from jwtpizza.clock import SystemClock
from jwtpizza.db import Database
from jwtpizza.factory.admin.service import list_vendors
from jwtpizza.observability.instrument import Observability
from jwtpizza.observability.log_store import LogQuery
from jwtpizza.service.health import breaker_state
from jwtpizza.service.orders.models import Order

OPS_ALERTS_URL = "http://127.0.0.1:3300/api/ops/alerts"


@dataclass
class Snapshot:
    """One reading of the running stack."""

    requests_per_second: float = 0.0
    orders: dict[str, int] = field(default_factory=dict)
    breaker: str = "closed"
    chaos: list[str] = field(default_factory=list)
    open_alerts: int | None = None
    first_errors: list[str] = field(default_factory=list)


def render(snapshot: Snapshot) -> Panel:
    """The panel for one snapshot."""
    orders = snapshot.orders
    table = Table.grid(padding=(0, 2))
    table.add_row("requests/s", f"{snapshot.requests_per_second:.1f}")
    table.add_row(
        "orders",
        f"{orders.get('fulfilled', 0)} made, {orders.get('queued', 0)} queued, "
        f"{orders.get('rejected', 0)} failed",
    )
    chaos = ", ".join(snapshot.chaos) or "none"
    table.add_row("factory", f"breaker {snapshot.breaker}, chaos: {chaos}")
    alerts = "ops not running" if snapshot.open_alerts is None else str(snapshot.open_alerts)
    table.add_row("open alerts", alerts)
    parts: list[Any] = [table]
    if snapshot.first_errors:
        parts.append(Text("first error of each kind:", style="bold red"))
        parts.extend(Text(f"  {line}", overflow="ellipsis") for line in snapshot.first_errors)
    return Panel(Group(*parts), title="JWT Pizza status", expand=False)


def count_alerts(body: Any) -> int:
    """Open alerts in an ops answer: a list of alerts, or `{"alerts": [...]}`; alerts that
    carry a state count only while pending or firing."""
    alerts = body.get("alerts", []) if isinstance(body, dict) else body
    if not isinstance(alerts, list):
        return 0
    return sum(
        1
        for alert in alerts
        if not isinstance(alert, dict) or alert.get("state", "firing") in ("pending", "firing")
    )


def error_kind(component: str, record: dict[str, Any]) -> str | None:
    """A short name for an error record (an error log, or an HTTP 5xx), else None."""
    status = record.get("status")
    if record.get("type") == "http" and isinstance(status, int) and status >= 500:
        return f"{component}: {record.get('method')} {record.get('route')} -> {status}"
    if str(record.get("level")) == "error":
        message = str(record.get("msg") or record.get("error") or record.get("type"))
        return f"{component}: {record.get('type')} {message[:120]}"
    return None


class StatusWatch:
    """Takes snapshots of the service and factory apps running in this process."""

    def __init__(
        self, service: FastAPI, factory: FastAPI, *, alerts_url: str = OPS_ALERTS_URL
    ) -> None:
        self._service = service
        self._factory = factory
        # Engines of its own, unobserved, so reading the status adds no SQL to the logs.
        self._service_db = Database(service.state.context.settings.database_url, pooled=False)
        self._factory_db = Database(factory.state.runtime.settings.database_url, pooled=False)
        self._alerts_url = alerts_url
        self._client = httpx.AsyncClient(timeout=0.5)
        self._last: tuple[float, float] | None = None
        self._errors: dict[str, str] = {}

    def _observers(self) -> Iterable[tuple[str, Observability]]:
        for name, app in (("service", self._service), ("factory", self._factory)):
            yield name, app.state.observability

    def _requests_per_second(self) -> float:
        total = 0.0
        for _, obs in self._observers():
            for family in obs.metrics.registry.collect():
                if family.name == "http_requests":
                    total += sum(s.value for s in family.samples if s.name.endswith("_total"))
        now = time.monotonic()
        last, self._last = self._last, (now, total)
        if last is None or now <= last[0]:
            return 0.0
        return (total - last[1]) / (now - last[0])

    def new_errors(self) -> list[str]:
        """Error kinds seen for the first time since the last call."""
        fresh = []
        for name, obs in self._observers():
            for record in obs.store.query(LogQuery(limit=500)):
                kind = error_kind(name, record)
                if kind and kind not in self._errors:
                    self._errors[kind] = str(record.get("time", ""))[:19]
                    fresh.append(kind)
        return fresh

    async def _orders(self) -> dict[str, int]:
        async with self._service_db.reader() as session:
            rows = await session.execute(select(Order.status, func.count()).group_by(Order.status))
            return {str(status): int(count) for status, count in rows.all()}

    async def _chaos(self) -> list[str]:
        async with self._factory_db.reader() as session:
            vendors = await list_vendors(session=session, now=SystemClock().now())
        return [
            f"{row['chaos']['type']} ({row['id']})"
            for row in vendors
            if row.get("chaos", {}).get("state") == "active"
        ]

    async def _open_alerts(self) -> int | None:
        try:
            response = await self._client.get(self._alerts_url)
            return count_alerts(response.json()) if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None

    async def snapshot(self) -> Snapshot:
        self.new_errors()
        return Snapshot(
            requests_per_second=self._requests_per_second(),
            orders=await self._orders(),
            breaker=breaker_state(self._service.state.context),
            chaos=await self._chaos(),
            open_alerts=await self._open_alerts(),
            first_errors=[f"{at} {kind}" for kind, at in list(self._errors.items())[-6:]],
        )

    async def aclose(self) -> None:
        await self._client.aclose()
        await self._service_db.dispose()
        await self._factory_db.dispose()
