"""The live status panel of `jwtpizza up`: what a responder watching the terminal needs.

Each component runs in a process of its own, so the panel reads them as a responder would:
request and 5xx counts from their `/metrics`, error logs from their `/api/ops/logs`, the
breaker from the service's `/readyz`, the order ledger and chaos from the databases, and the
ops component's open alerts when it answers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlalchemy import func, select

from jwtpizza.clock import SystemClock
from jwtpizza.db import Database
from jwtpizza.factory.admin.service import list_vendors
from jwtpizza.service.orders.models import Order


@dataclass
class Watched:
    """A running component as the panel reads it: its base URL and the bearer of its logs."""

    name: str
    url: str
    bearer: str | None = None


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
    alerts = "ops not answering" if snapshot.open_alerts is None else str(snapshot.open_alerts)
    table.add_row("open alerts", alerts)
    parts: list[Any] = [table]
    if snapshot.first_errors:
        parts.append(Text("first error of each kind:", style="bold red"))
        parts.extend(Text(f"  {line}", overflow="ellipsis") for line in snapshot.first_errors)
    return Panel(Group(*parts), title="JWT Pizza status", expand=False)


def count_alerts(body: Any) -> int:
    """Open alerts in an ops answer: a list of alerts, or `{"alerts": [...]}`; alerts that
    carry a state count only while pending or firing. The dead man's switch (`Watchdog`)
    always fires by design and is no open problem."""
    alerts = body.get("alerts", []) if isinstance(body, dict) else body
    if not isinstance(alerts, list):
        return 0
    return sum(
        1
        for alert in alerts
        if not isinstance(alert, dict)
        or (
            alert.get("state", "firing") in ("pending", "firing")
            and alert.get("rule") != "Watchdog"
        )
    )


def error_kind(component: str, record: dict[str, Any]) -> str | None:
    """A short name for an error record (an error log, or an HTTP 5xx), else None."""
    status = record.get("status")
    if record.get("type") == "http" and isinstance(status, int) and status >= 500:
        return f"{component}: {record.get('method')} {record.get('route')} -> {status}"
    if str(record.get("level")) == "error":
        # An event logged without a message carries its type as one.
        told = record.get("msg") if record.get("msg") != record.get("type") else None
        message = told or record.get("error")
        if message is None and isinstance(status, int):  # a call out, answered with a 5xx
            message = f"{record.get('method')} {record.get('url')} -> {status}"
        return f"{component}: {record.get('type')} {str(message or 'error')[:120]}"
    return None


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())


class StatusWatch:
    """Takes snapshots of the service and factory running in their own processes."""

    def __init__(
        self,
        service: Watched,
        factory: Watched,
        *,
        service_database_url: str,
        factory_database_url: str,
        alerts_url: str,
        admin_login: dict[str, str],
    ) -> None:
        self._service = service
        self._factory = factory
        self._admin_login = admin_login
        # Engines of its own, unobserved, so reading the status adds no SQL to the logs.
        self._service_db = Database(service_database_url, pooled=False)
        self._factory_db = Database(factory_database_url, pooled=False)
        self._alerts_url = alerts_url
        self._client = httpx.AsyncClient(timeout=2.0)
        self._last: tuple[float, float] | None = None
        self._rate = 0.0
        self._errors: dict[str, str] = {}

    async def _requests(self) -> tuple[float, list[str]]:
        """Requests answered so far by the service and factory, and the kinds of 5xx seen."""
        total, kinds = 0.0, []
        for component in (self._service, self._factory):
            response = await self._client.get(f"{component.url}/metrics")
            for family in text_string_to_metric_families(response.text):
                if family.name != "http_requests":
                    continue
                for sample in family.samples:
                    if not sample.name.endswith("_total"):
                        continue
                    total += sample.value
                    status = int(sample.labels.get("status", "0"))
                    record: dict[str, Any] = {"type": "http", **sample.labels, "status": status}
                    kind = error_kind(component.name, record)
                    if kind and sample.value > 0:
                        kinds.append(kind)
        return total, kinds

    async def _bearer(self, component: Watched) -> str | None:
        """The bearer of a component's logs; the service's demo admin logs in when there is
        none. A refused login (say after a password change) is not tried again, so it cannot
        lock the account: that component's error logs are then not read."""
        if component.bearer is None:
            response = await self._client.put(
                f"{component.url}/api/auth", json=self._admin_login, timeout=10.0
            )
            component.bearer = str(response.json()["token"]) if response.status_code == 200 else ""
        return component.bearer or None

    async def _error_logs(self) -> list[str]:
        kinds = []
        for component in (self._service, self._factory):
            bearer = await self._bearer(component)
            if bearer is None:
                continue
            headers = {"Authorization": f"Bearer {bearer}"}
            response = await self._client.get(
                f"{component.url}/api/ops/logs",
                params={"level": "error", "limit": "200"},
                headers=headers,
            )
            if response.status_code == 401:  # a token that expired: log in again next time
                component.bearer = None
            records = response.json()["logs"] if response.status_code == 200 else []
            kinds += [kind for r in records if (kind := error_kind(component.name, r))]
        return kinds

    async def new_errors(self) -> list[str]:
        """Error kinds seen for the first time since the last call; also takes the request
        count the rate is computed from."""
        total, kinds = await self._requests()
        now = time.monotonic()
        last, self._last = self._last, (now, total)
        if last is not None and now > last[0]:
            self._rate = (total - last[1]) / (now - last[0])
        fresh = []
        for kind in kinds + await self._error_logs():
            if kind not in self._errors:
                self._errors[kind] = _now()
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
        """Open alerts as ops counts them, asked as the service's admin (ops checks the
        token with the service); None when ops does not answer or refuses."""
        try:
            bearer = await self._bearer(self._service)
            if bearer is None:
                return None
            headers = {"Authorization": f"Bearer {bearer}"}
            response = await self._client.get(
                self._alerts_url, params={"limit": "1"}, headers=headers
            )
            if response.status_code == 401:  # a token that expired: log in again next time
                self._service.bearer = None
            return count_alerts(response.json()) if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None

    async def _breaker(self) -> str:
        response = await self._client.get(f"{self._service.url}/readyz")
        return str(response.json().get("factoryBreaker", "unknown"))

    async def snapshot(self) -> Snapshot:
        await self.new_errors()
        return Snapshot(
            requests_per_second=self._rate,
            orders=await self._orders(),
            breaker=await self._breaker(),
            chaos=await self._chaos(),
            open_alerts=await self._open_alerts(),
            first_errors=[f"{at} {kind}" for kind, at in list(self._errors.items())[-6:]],
        )

    async def aclose(self) -> None:
        await self._client.aclose()
        await self._service_db.dispose()
        await self._factory_db.dispose()
