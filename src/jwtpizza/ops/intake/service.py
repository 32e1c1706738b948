"""An Alertmanager notification as the alert transitions the rest of ops understands."""

from __future__ import annotations

from datetime import datetime

from jwtpizza.errors import InvalidInput
from jwtpizza.ops.alerts.events import AlertState, AlertTransition
from jwtpizza.ops.incidents.desk import DEFAULT_GROUP, GROUP_LABEL
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


def check_size(message: WebhookMessage, *, max_alerts: int, max_groups: int) -> None:
    """One notification is one Alertmanager group: a bounded number of alerts (its
    `max_alerts`), naming few incident groups, so one call cannot open incidents by the
    hundred."""
    if len(message.alerts) > max_alerts:
        raise InvalidInput(f"alerts: at most {max_alerts} per notification (set max_alerts)")
    groups = {item.labels.get(GROUP_LABEL) or DEFAULT_GROUP for item in message.alerts}
    if len(groups) > max_groups:
        raise InvalidInput(f"alerts: at most {max_groups} values of {GROUP_LABEL} at once")
