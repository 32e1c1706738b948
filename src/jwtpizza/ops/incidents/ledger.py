"""The service's order ledger for an incident's window, as `GET /api/order/stats` reports it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Ledger:
    """The service's order ledger for the window (`GET /api/order/stats`)."""

    by_status: Mapping[str, int]
    failed: int
    queued_then_fulfilled: int
    still_open: int
    lost: int
    affected_diners: int
    active_diners: int
    revenue_failed: float
    revenue_recovered: float
    revenue_open: float
    # Orders the factory refuses by design (the deliberate 22-pizza order): not impact.
    refused: int = 0

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Ledger:
        revenue = body["revenue"]
        return cls(
            by_status=dict(body["ordersByStatus"]),
            failed=int(body["failed"]),
            queued_then_fulfilled=int(body["queuedThenFulfilled"]),
            still_open=int(body["stillOpen"]),
            lost=int(body["lost"]),
            affected_diners=int(body["affectedDiners"]),
            active_diners=int(body["activeDiners"]),
            revenue_failed=float(revenue["failed"]),
            revenue_recovered=float(revenue["queuedThenFulfilled"]),
            revenue_open=float(revenue["open"]),
            refused=int(body.get("refused", 0)),
        )

    @property
    def affected_share(self) -> float | None:
        if not self.active_diners:
            return None
        return self.affected_diners / self.active_diners

    @property
    def revenue_at_risk(self) -> float:
        return self.revenue_failed + self.revenue_recovered + self.revenue_open
