"""A fake world for incident tests: the service's login, logs and order ledger, and the
factory's chaos feed, answered at the HTTP boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from jwtpizza.ops.alerts.events import AlertState, AlertTransition
from jwtpizza.ops.incidents.settings import IncidentSettings

from ..ops_kit import ADMIN_TOKEN, SERVICE, World

FACTORY = "http://factory.test"
FACTORY_KEY = "factory-admin-key"
LINK = f"{FACTORY}/api/support/opaque/report/fix12345"


def incident_settings(**overrides: Any) -> IncidentSettings:
    values: dict[str, Any] = dict(
        service_email="a@jwt.com", service_password="admin", factory_api_key=FACTORY_KEY
    )
    return IncidentSettings(**(values | overrides))


def ledger_json(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "from": "x", "to": "y", "ordersByStatus": {"fulfilled": 20, "rejected": 8},
        "failed": 8, "queuedThenFulfilled": 0, "stillOpen": 0, "lost": 0,
        "affectedDiners": 4, "activeDiners": 10,
        "revenue": {"fulfilled": 1.0, "failed": 0.4, "queuedThenFulfilled": 0.0, "open": 0.0},
    }  # fmt: skip
    return body | overrides


@dataclass
class IncidentWorld(World):
    chaos: list[dict[str, Any]] = field(default_factory=list)
    service_logs: list[dict[str, Any]] = field(default_factory=list)
    ledger: dict[str, Any] = field(default_factory=ledger_json)
    ledger_queries: list[dict[str, str]] = field(default_factory=list)
    followed: list[str] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = f"{request.url.scheme}://{request.url.netloc.decode()}{request.url.path}"
        auth = request.headers.get("authorization", "")
        if path == f"{SERVICE}/api/auth" and request.method == "PUT":
            return httpx.Response(200, json={"token": ADMIN_TOKEN})
        if path == f"{SERVICE}/api/ops/logs":
            return self._guarded(auth, ADMIN_TOKEN, {"logs": self.service_logs})
        if path == f"{SERVICE}/api/order/stats":
            self.ledger_queries.append(dict(request.url.params))
            return self._guarded(auth, ADMIN_TOKEN, self.ledger)
        if path == f"{FACTORY}/api/chaos/events":
            return self._guarded(auth, FACTORY_KEY, {"now": "x", "events": self.chaos})
        if path == LINK:
            self.followed.append(path)
            return httpx.Response(
                200, json={"message": "Problem resolved. Pizza is back on the menu!"}
            )
        if path == f"{FACTORY}/api/ops/logs":
            return self._guarded(auth, FACTORY_KEY, {"logs": []})
        return super().handle(request)

    @staticmethod
    def _guarded(auth: str, token: str, body: dict[str, Any]) -> httpx.Response:
        if auth != f"Bearer {token}":
            return httpx.Response(401, json={"message": "unauthorized"})
        return httpx.Response(200, json=body)


def transition(
    rule: str, state: AlertState, at: datetime, *, severity: str = "critical",
    previous: AlertState = AlertState.INACTIVE, value: float = 1.0,
) -> AlertTransition:  # fmt: skip
    return AlertTransition(
        rule=rule, labels={"alertname": rule, "severity": severity},
        annotations={"summary": f"{rule} is happening"}, state=state, previous=previous,
        value=value, active_at=at, fired_at=at if state is AlertState.FIRING else None,
        resolved_at=at if state is AlertState.RESOLVED else None, at=at,
    )  # fmt: skip


def chaos_event(fault: int, event: str, at: datetime, **extra: Any) -> dict[str, Any]:
    return {"id": f"{fault}:{event}", "faultId": fault, "vendorId": "demo", "type": "fail",
            "event": event, "time": at.isoformat(), **extra}  # fmt: skip
