"""Alert state transitions: the bus other ops parts subscribe to, and their history."""

from jwtpizza.ops.alerts.events import AlertBus, AlertState, AlertTransition

__all__ = ["AlertBus", "AlertState", "AlertTransition"]
