"""An Alertmanager notification as the alert transitions the rest of ops understands."""

from __future__ import annotations

from datetime import datetime

from jwtpizza.ops.alerts.events import AlertState, AlertTransition
from jwtpizza.ops.notify.domain import Status
from jwtpizza.ops.notify.payload import WebhookMessage

SOURCE = "alertmanager"


def transitions_of(message: WebhookMessage, *, now: datetime) -> list[AlertTransition]:
    """One transition per alert: firing ones enter FIRING, resolved ones RESOLVED."""
    result = []
    for item in message.alerts:
        alert = item.to_alert()
        firing = item.status is Status.FIRING
        result.append(
            AlertTransition(
                rule=alert.name or "unnamed",
                labels=alert.labels,
                annotations=alert.annotations,
                state=AlertState.FIRING if firing else AlertState.RESOLVED,
                previous=AlertState.PENDING if firing else AlertState.FIRING,
                value=0.0,  # Alertmanager does not carry the value
                active_at=alert.starts_at,
                fired_at=alert.starts_at,
                resolved_at=None if firing else (alert.ends_at or now),
                at=now,
                source=SOURCE,
            )
        )
    return result
